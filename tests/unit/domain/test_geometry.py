import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.geometry import (
    PROVIDER_ASPECT_RATIOS,
    Kind,
    covering_aspect_ratio,
    crop_box,
    kept_fraction,
    mask_outline,
    mm_to_px,
    print_size,
    screen_size_mm,
    target_aspect,
)
from domain.phones import Cutout, CutoutShape, PhoneModel, Provenance


def make_phone(**changes: object) -> PhoneModel:
    fields: dict[str, object] = {
        "slug": "acme-one",
        "brand": "Acme",
        "name": "One",
        "year": 2024,
        "height_mm": 146.6,
        "width_mm": 70.6,
        "depth_mm": 8.25,
        "corner_radius_mm": 11.0,
        "corner_radius_provenance": Provenance.ESTIMATED,
        "screen_width_px": 1179,
        "screen_height_px": 2556,
        "screen_diagonal_in": 6.1,
        "cutouts": (
            Cutout(
                "camera module",
                CutoutShape.ROUNDED_RECT,
                1.0,
                1.0,
                38.0,
                39.0,
                8.0,
                Provenance.ESTIMATED,
            ),
        ),
        "source": "test",
    }
    fields.update(changes)
    return PhoneModel(**fields)  # type: ignore[arg-type]


aspects = st.floats(min_value=0.2, max_value=5.0, allow_nan=False)
sizes = st.integers(min_value=1, max_value=8000)


def test_skin_aspect_is_the_body_and_wallpaper_aspect_is_the_screen() -> None:
    phone = make_phone()

    assert target_aspect(phone, Kind.SKIN) == pytest.approx(70.6 / 146.6)
    assert target_aspect(phone, Kind.WALLPAPER) == pytest.approx(1179 / 2556)


def test_iphone_body_is_covered_by_the_tall_provider_ratio() -> None:
    assert covering_aspect_ratio(70.6 / 146.6).name == "9:21"
    assert covering_aspect_ratio(1.0).name == "1:1"
    assert covering_aspect_ratio(16 / 9).name == "16:9"


@given(aspects)
def test_covering_ratio_loses_no_more_than_any_other_ratio(target: float) -> None:
    chosen = covering_aspect_ratio(target)

    best = max(kept_fraction(r.value, target) for r in PROVIDER_ASPECT_RATIOS)
    assert kept_fraction(chosen.value, target) == best
    assert 0 < kept_fraction(chosen.value, target) <= 1


@given(sizes, sizes, aspects)
def test_crop_box_is_centred_inside_the_image_at_the_target_aspect(
    width: int, height: int, target: float
) -> None:
    box = crop_box(width, height, target)

    assert 0 <= box.left < box.right <= width
    assert 0 <= box.top < box.bottom <= height
    assert box.width == width or box.height == height
    # Rounding to whole pixels moves the aspect by at most one pixel's worth.
    if box.width == width:
        assert abs(box.height - width / target) <= 1 or box.height == height
    else:
        assert abs(box.width - height * target) <= 1
    assert abs(box.left - (width - box.right)) <= 1
    assert abs(box.top - (height - box.bottom)) <= 1


def test_crop_box_refuses_empty_images() -> None:
    with pytest.raises(ValueError):
        crop_box(0, 10, 1.0)


def test_print_size_of_a_skin_is_the_body_at_300_dpi() -> None:
    phone = make_phone()

    assert print_size(phone, Kind.SKIN) == (834, 1731)
    assert print_size(phone, Kind.SKIN, bleed_mm=1.0) == (mm_to_px(72.6), mm_to_px(148.6))


def test_print_size_of_a_wallpaper_is_the_native_screen() -> None:
    assert print_size(make_phone(), Kind.WALLPAPER) == (1179, 2556)


@given(
    st.floats(min_value=40, max_value=120),
    st.floats(min_value=100, max_value=200),
    st.integers(min_value=72, max_value=1200),
)
def test_print_size_keeps_the_body_proportions(width_mm: float, height_mm: float, dpi: int) -> None:
    phone = make_phone(width_mm=width_mm, height_mm=height_mm)

    width, height = print_size(phone, Kind.SKIN, dpi=dpi)

    assert width == round(width_mm / 25.4 * dpi)
    assert abs(width / height - width_mm / height_mm) < 2 / height


def test_screen_size_follows_the_diagonal() -> None:
    width, height = screen_size_mm(make_phone())

    assert math.hypot(width, height) == pytest.approx(6.1 * 25.4)
    assert width / height == pytest.approx(1179 / 2556)


def test_skin_outline_has_the_body_corner_and_one_hole_per_cutout() -> None:
    outline = mask_outline(make_phone(), Kind.SKIN)

    assert (outline.width_mm, outline.height_mm) == (70.6, 146.6)
    assert outline.outline.radius == 11.0
    assert len(outline.holes) == 1
    assert outline.holes[0].radius == 8.0


def test_wallpaper_outline_has_no_holes_and_a_smaller_corner() -> None:
    outline = mask_outline(make_phone(), Kind.WALLPAPER)

    assert outline.holes == ()
    assert 0 <= outline.outline.radius < 11.0


def test_bleed_grows_the_canvas_and_keeps_holes_in_place() -> None:
    outline = mask_outline(make_phone(), Kind.SKIN, bleed_mm=2.0)

    assert outline.width_mm == pytest.approx(74.6)
    assert outline.holes[0].x == pytest.approx(3.0)
    assert outline.holes[0].width == pytest.approx(38.0)


def test_a_circle_cutout_is_rounded_by_half_its_size() -> None:
    circle = Cutout("lens", CutoutShape.CIRCLE, 5, 5, 10, 10, 0, Provenance.ESTIMATED)
    stadium = Cutout("island", CutoutShape.STADIUM, 5, 5, 40, 12, 0, Provenance.ESTIMATED)

    assert circle.effective_radius_mm == 5
    assert stadium.effective_radius_mm == 6
