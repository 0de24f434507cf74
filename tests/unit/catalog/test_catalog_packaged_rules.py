"""The packaged catalog as shipped: its size, slugs, provenance and cut-outs."""

import math

import pytest

from adapters.catalog import load_packaged_catalog
from adapters.catalog.rows import SLUG_PATTERN
from domain.phones import Cutout, CutoutShape, PhoneModel, Provenance, phone_slug

PHONES = load_packaged_catalog()
IDS = [phone.slug for phone in PHONES]


def _by_slug(slug: str) -> PhoneModel:
    return next(phone for phone in PHONES if phone.slug == slug)


def test_catalog_ships_thirty_seven_phones() -> None:
    assert len(PHONES) == 37


def test_slugs_are_unique_lower_case_and_hyphenated() -> None:
    slugs = [phone.slug for phone in PHONES]

    assert len(set(slugs)) == len(slugs)
    assert all(SLUG_PATTERN.fullmatch(slug) for slug in slugs)
    assert all(phone.slug == phone_slug(phone.brand, phone.name) for phone in PHONES)


@pytest.mark.parametrize(
    "slug",
    [
        "apple-iphone-15-pro",
        "samsung-galaxy-s24-ultra",
        "samsung-galaxy-s23-plus",
        "google-pixel-9-pro-xl",
        "oneplus-12",
        "nothing-phone-2",
    ],
)
def test_example_slugs_are_in_the_catalog(slug: str) -> None:
    assert slug in IDS


def test_each_call_returns_a_fresh_list_of_the_same_phones() -> None:
    first = load_packaged_catalog()
    first.clear()

    second = load_packaged_catalog()

    assert second == PHONES


@pytest.mark.parametrize("phone", PHONES, ids=IDS)
def test_every_phone_has_a_cutout(phone: PhoneModel) -> None:
    assert phone.cutouts
    assert all(cutout.feature.strip() for cutout in phone.cutouts)


def _inside_body(phone: PhoneModel, x: float, y: float) -> bool:
    r = phone.corner_radius_mm
    if not (0 <= x <= phone.width_mm and 0 <= y <= phone.height_mm):
        return False
    dx = max(r - x, x - (phone.width_mm - r), 0.0)
    dy = max(r - y, y - (phone.height_mm - r), 0.0)
    return math.hypot(dx, dy) <= r + 1e-6


def _outline_points(cutout: Cutout, steps: int = 90) -> list[tuple[float, float]]:
    """Points along the cut-out's edge: its four corner arcs, which hold its extremes."""
    r = cutout.effective_radius_mm
    centres = [
        (cutout.x_mm + cutout.width_mm - r, cutout.y_mm + cutout.height_mm - r),
        (cutout.x_mm + r, cutout.y_mm + cutout.height_mm - r),
        (cutout.x_mm + r, cutout.y_mm + r),
        (cutout.x_mm + cutout.width_mm - r, cutout.y_mm + r),
    ]
    points = []
    for quarter, (cx, cy) in enumerate(centres):
        for step in range(steps + 1):
            angle = math.pi / 2 * (quarter + step / steps)
            points.append((cx + r * math.cos(angle), cy + r * math.sin(angle)))
    return points


@pytest.mark.parametrize("phone", PHONES, ids=IDS)
def test_every_cutout_lies_inside_the_rounded_body(phone: PhoneModel) -> None:
    for cutout in phone.cutouts:
        outside = [p for p in _outline_points(cutout) if not _inside_body(phone, *p)]

        assert not outside, f"{phone.slug} {cutout.feature} pokes out at {outside[0]}"


@pytest.mark.parametrize("phone", PHONES, ids=IDS)
def test_cutout_shapes_are_consistent(phone: PhoneModel) -> None:
    for cutout in phone.cutouts:
        assert cutout.width_mm > 0 and cutout.height_mm > 0
        if cutout.shape is CutoutShape.CIRCLE:
            assert cutout.width_mm == pytest.approx(cutout.height_mm)


@pytest.mark.parametrize("phone", PHONES, ids=IDS)
def test_figures_carry_a_known_provenance(phone: PhoneModel) -> None:
    provenances = {phone.corner_radius_provenance, *(c.provenance for c in phone.cutouts)}

    assert provenances <= set(Provenance)


@pytest.mark.parametrize("phone", PHONES, ids=IDS)
def test_estimated_corner_marks_the_phone_estimated(phone: PhoneModel) -> None:
    if phone.corner_radius_provenance is Provenance.ESTIMATED:
        assert phone.estimated


@pytest.mark.parametrize("phone", PHONES, ids=IDS)
def test_corner_radius_is_plausible(phone: PhoneModel) -> None:
    assert 3.0 <= phone.corner_radius_mm <= 13.0
    assert phone.corner_radius_mm <= phone.width_mm / 2


def test_corners_from_apple_drawings_are_derived() -> None:
    derived = {p.slug for p in PHONES if p.corner_radius_provenance is Provenance.DERIVED}

    assert derived == {
        "apple-iphone-15-pro-max",
        "apple-iphone-16-pro",
        "apple-iphone-17-pro-max",
    }


def test_iphone_15_pro_max_corner_is_derived_from_the_drawing() -> None:
    phone = _by_slug("apple-iphone-15-pro-max")

    assert phone.corner_radius_provenance is Provenance.DERIVED
    assert phone.corner_radius_mm == pytest.approx(11.9)


def test_camera_module_of_drawn_iphones_is_the_outer_edge_of_the_raised_glass() -> None:
    module = _by_slug("apple-iphone-13-pro").cutouts[0]

    assert module.provenance is Provenance.DERIVED
    assert (module.x_mm, module.y_mm) == pytest.approx((1.15, 1.15))
    assert (module.width_mm, module.height_mm) == pytest.approx((41.24, 42.47))


def test_iphone_camera_sits_top_left_of_the_back_or_spans_it() -> None:
    iphones = [p for p in PHONES if p.brand == "Apple"]

    for phone in iphones:
        module = phone.cutouts[0]
        centre_x = module.x_mm + module.width_mm / 2
        spans_width = module.width_mm >= 0.8 * phone.width_mm
        assert spans_width or centre_x < phone.width_mm / 2, phone.slug
        assert module.y_mm < phone.height_mm / 4, phone.slug
