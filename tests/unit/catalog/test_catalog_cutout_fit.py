"""The exact fit of a cut-out inside the rounded outline of the back."""

import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from adapters.catalog.fit import cutout_fits_body
from domain.phones import Cutout, CutoutShape, Provenance

BODY = {"width_mm": 70.0, "height_mm": 146.0, "corner_radius_mm": 12.0}


def _cutout(shape: CutoutShape, x: float, y: float, w: float, h: float, r: float = 0.0) -> Cutout:
    return Cutout("lens", shape, x, y, w, h, r, Provenance.ESTIMATED)


@pytest.mark.parametrize(
    ("cutout", "fits"),
    [
        (_cutout(CutoutShape.CIRCLE, 8.0, 8.0, 10.0, 10.0), True),
        (_cutout(CutoutShape.CIRCLE, 0.5, 0.5, 3.0, 3.0), False),
        (_cutout(CutoutShape.CIRCLE, 0.0, 60.0, 10.0, 10.0), True),
        (_cutout(CutoutShape.CIRCLE, 61.0, 60.0, 10.0, 10.0), False),
        (_cutout(CutoutShape.ROUNDED_RECT, 1.0, 1.0, 44.0, 45.0, 13.0), True),
        (_cutout(CutoutShape.ROUNDED_RECT, 1.0, 1.0, 44.0, 45.0, 4.0), False),
        (_cutout(CutoutShape.ROUNDED_RECT, 2.5, 3.0, 65.0, 40.0, 9.5), True),
        (_cutout(CutoutShape.STADIUM, 8.0, 12.0, 54.0, 18.0), True),
        (_cutout(CutoutShape.STADIUM, 0.0, 0.0, 70.0, 146.0), True),
        (_cutout(CutoutShape.STADIUM, 1.0, 20.0, 70.0, 20.0), False),
        (_cutout(CutoutShape.ROUNDED_RECT, 0.0, 0.0, 70.0, 146.0, 12.0), True),
    ],
)
def test_cutout_fits_only_inside_the_rounded_outline(cutout: Cutout, fits: bool) -> None:
    assert cutout_fits_body(cutout, **BODY) is fits


@given(
    x=st.floats(0, 70),
    y=st.floats(0, 146),
    diameter=st.floats(0.5, 40),
)
def test_circle_fits_exactly_when_its_centre_keeps_clear_of_every_edge(
    x: float, y: float, diameter: float
) -> None:
    cutout = _cutout(CutoutShape.CIRCLE, x, y, diameter, diameter)
    r = diameter / 2
    cx, cy = x + r, y + r
    # The centre must stay r from the sides and within 12 - r of the nearest corner centre.
    corner_x = min(max(cx, 12.0), 58.0)
    corner_y = min(max(cy, 12.0), 134.0)
    to_corner = math.hypot(cx - corner_x, cy - corner_y)
    slack = min(cx - r, 70 - r - cx, cy - r, 146 - r - cy, max(12.0 - r, 0.0) - to_corner)
    assume(abs(slack) > 1e-3)

    fits = cutout_fits_body(cutout, **BODY)

    assert fits is (slack > 0)
