import time
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from imaging_samples import decode, sample_phone
from PIL import Image, ImageChops

from adapters.imaging import MaskCache, PillowImageProcessor, render_mask
from adapters.imaging.masks import mask_height
from domain.errors import InvalidInput
from domain.geometry import Kind, MaskOutline, mask_outline

PHONE = sample_phone()
SKIN = mask_outline(PHONE, Kind.SKIN)


def skin_mask(width: int) -> Image.Image:
    return render_mask(SKIN, (width, mask_height(SKIN, width)))


def corners(image: Image.Image) -> list[tuple[int, int]]:
    right, bottom = image.width - 1, image.height - 1
    return [(0, 0), (right, 0), (0, bottom), (right, bottom)]


def hole_centres(outline: MaskOutline, image: Image.Image) -> list[tuple[int, int]]:
    scale_x = image.width / outline.width_mm
    scale_y = image.height / outline.height_mm
    return [
        (int((hole.x + hole.width / 2) * scale_x), int((hole.y + hole.height / 2) * scale_y))
        for hole in outline.holes
    ]


def test_mask_edges_are_anti_aliased() -> None:
    mask = skin_mask(300)

    levels = set(mask.tobytes())

    assert {0, 255} <= levels
    assert any(0 < level < 255 for level in levels)


def test_mask_is_clear_at_the_corners_and_in_each_cut_out_and_solid_in_the_middle() -> None:
    mask = skin_mask(400)

    assert all(mask.getpixel(corner) == 0 for corner in corners(mask))
    assert all(mask.getpixel(centre) == 0 for centre in hole_centres(SKIN, mask))
    assert mask.getpixel((mask.width // 2, mask.height // 2)) == 255
    assert mask.getpixel((mask.width // 2, mask.height - 10)) == 255


def test_wallpaper_mask_has_rounded_corners_and_no_holes() -> None:
    outline = mask_outline(PHONE, Kind.WALLPAPER)

    mask = render_mask(outline, (360, mask_height(outline, 360)))

    assert outline.holes == ()
    assert all(mask.getpixel(corner) == 0 for corner in corners(mask))
    assert mask.getpixel((mask.width // 2, 2)) == 255
    assert mask.getpixel((180, mask.height // 2)) == 255


@pytest.mark.parametrize("width", [16, 100, 333, 1000])
def test_mask_height_follows_the_outline(width: int) -> None:
    mask = skin_mask(width)

    assert mask.mode == "L"
    assert mask.size == (width, round(width * 150 / 72))


@settings(max_examples=25, deadline=None)
@given(width=st.integers(16, 2000))
def test_masks_of_any_width_have_the_right_size_and_shape(width: int) -> None:
    mask = skin_mask(width)

    # Below 32 px the 9 mm corner is under 4 px round: the corner pixel is partly inside.
    corner_limit = 0 if width >= 32 else 127
    assert mask.size == (width, round(width * 150 / 72))
    assert all(mask.getpixel(corner) <= corner_limit for corner in corners(mask))
    assert mask.getpixel((width // 2, mask.height // 2)) == 255


def test_a_mask_drawn_in_strips_equals_one_drawn_whole() -> None:
    size = (211, mask_height(SKIN, 211))

    whole = render_mask(SKIN, size)
    strips = render_mask(SKIN, size, strip_budget_px=211 * 16 * 5)

    assert ImageChops.difference(whole, strips).getbbox() is None


async def test_mask_png_is_white_with_the_mask_as_alpha() -> None:
    processor = PillowImageProcessor()

    data = await processor.mask(PHONE, Kind.SKIN, 200)

    png = decode(data)
    assert png.format == "PNG"
    assert png.mode == "RGBA"
    assert png.size == (200, round(200 * 150 / 72))
    assert all(png.getchannel(band).getextrema() == (255, 255) for band in "RGB")
    assert ImageChops.difference(png.getchannel("A"), skin_mask(200)).getbbox() is None


async def test_cached_mask_comes_back_as_the_same_bytes_in_well_under_a_millisecond() -> None:
    processor = PillowImageProcessor()
    first = await processor.mask(PHONE, Kind.SKIN, 512)

    timings = []
    for _ in range(20):
        started = time.perf_counter()
        again = await processor.mask(PHONE, Kind.SKIN, 512)
        timings.append(time.perf_counter() - started)

    assert again is first
    assert min(timings) < 0.001


@pytest.mark.parametrize("width", [0, -3, 4097])
async def test_mask_width_outside_the_bounds_is_invalid_input(width: int) -> None:
    processor = PillowImageProcessor()

    with pytest.raises(InvalidInput) as refused:
        await processor.mask(PHONE, Kind.SKIN, width)

    assert refused.value.field == "width"


def test_cache_keeps_at_most_its_entry_count() -> None:
    cache = MaskCache(max_entries=2)

    for width in (20, 30, 40):
        cache.alpha(SKIN, (width, mask_height(SKIN, width)))

    assert len(cache) == 2
    assert cache.cached_png(SKIN, (20, mask_height(SKIN, 20))) is None


def test_cache_keeps_within_its_byte_budget_but_always_the_newest() -> None:
    cache = MaskCache(max_bytes=50_000)

    cache.alpha(SKIN, (100, mask_height(SKIN, 100)))
    cache.alpha(SKIN, (150, mask_height(SKIN, 150)))

    assert len(cache) == 1


def test_same_size_and_geometry_from_the_cache_is_the_same_image() -> None:
    cache = MaskCache()
    size = (64, mask_height(SKIN, 64))

    first = cache.alpha(SKIN, size)
    again = cache.alpha(SKIN, size)

    assert again is first


def test_changed_geometry_under_the_same_slug_renders_a_new_mask() -> None:
    cache = MaskCache()
    size = (64, mask_height(SKIN, 64))
    moved = mask_outline(replace(PHONE, cutouts=PHONE.cutouts[:1]), Kind.SKIN)

    first = cache.alpha(SKIN, size)
    second = cache.alpha(moved, size)

    assert ImageChops.difference(first, second).getbbox() is not None
