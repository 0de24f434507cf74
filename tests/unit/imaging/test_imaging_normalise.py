import io
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from imaging_samples import (
    decode,
    encode,
    png_chunk_types,
    png_claiming,
    rgb16_png,
    shared_images_folder,
)
from PIL import Image, ImageCms

from adapters.imaging import ImageLimits, PillowImageProcessor, normalise
from domain.errors import DomainError, ImageTooLarge, UnsupportedImage

MODES = ("1", "L", "LA", "P", "P+t", "RGB", "RGBA", "CMYK", "I;16", "I", "F", "YCbCr")
# Which source modes each format can be written from (Pillow converts some on save).
WRITABLE = {
    "PNG": {"1", "L", "LA", "P", "P+t", "RGB", "RGBA", "I;16"},
    "JPEG": {"1", "L", "RGB", "CMYK", "YCbCr"},
    "WEBP": set(MODES),
    "GIF": {"1", "L", "LA", "P", "P+t", "RGB", "RGBA", "I;16", "I", "F"},
    "TIFF": set(MODES),
}
PAIRS = sorted((mode, fmt) for fmt, modes in WRITABLE.items() for mode in modes)
# Modes that can say a pixel is transparent, by an alpha band or a tRNS value.
CAN_BE_TRANSPARENT = {"LA", "RGBA", "P+t", "L", "RGB"}
HOLE = (255, 0, 255)


def build_source(mode: str, size: tuple[int, int], grey: int, transparent: bool) -> Image.Image:
    """An image in `mode`, flat `grey`, whose top-left pixel is transparent when asked."""
    if mode in ("I;16", "I"):
        return Image.new(mode, size, grey * 257)
    if mode == "F":
        return Image.new("F", size, grey / 255)
    rgba = Image.new("RGBA", size, (grey, grey, grey, 255))
    if mode in ("LA", "RGBA"):
        if transparent:
            rgba.putpixel((0, 0), (grey, grey, grey, 0))
        return rgba.convert(mode)
    if mode in ("L", "RGB", "P+t"):
        base = "P" if mode == "P+t" else mode
        image = rgba.convert("RGB")
        if transparent:
            image.putpixel((0, 0), HOLE)
        image = image.convert(base, palette=Image.Palette.ADAPTIVE) if base == "P" else image
        image = image.convert(base)
        if transparent:
            image.info["transparency"] = image.getpixel((0, 0))
        return image
    return rgba.convert("RGB").convert(mode)


def reference_is_transparent(data: bytes) -> bool:
    """Pillow's own reading of the file: does any pixel come out less than opaque?"""
    with Image.open(io.BytesIO(data)) as image:
        alpha_low, _ = image.convert("RGBA").getchannel("A").getextrema()
    return alpha_low < 255


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pair=st.sampled_from(PAIRS),
    width=st.integers(1, 40),
    height=st.integers(1, 40),
    grey=st.integers(0, 255),
    transparent=st.booleans(),
)
def test_every_mode_and_format_normalises_to_rgb_or_rgba_of_the_same_size(
    pair: tuple[str, str], width: int, height: int, grey: int, transparent: bool
) -> None:
    mode, image_format = pair
    data = encode(build_source(mode, (width, height), grey, transparent), image_format)

    info = normalise(data)

    out = decode(info.data)
    assert out.format == "PNG"
    assert out.mode in ("RGB", "RGBA")
    assert out.size == (width, height) == (info.width, info.height)
    if not (transparent and mode in CAN_BE_TRANSPARENT):
        assert out.mode == "RGB"
    else:
        assert (out.mode == "RGBA") == reference_is_transparent(data)
    if out.mode == "RGBA":
        assert out.getpixel((0, 0))[3] == 0


@settings(max_examples=60, deadline=None)
@given(
    pair=st.sampled_from([("I;16", "PNG"), ("I;16", "TIFF"), ("I", "TIFF"), ("F", "TIFF")]),
    grey=st.integers(0, 255),
)
def test_deep_greys_keep_their_brightness_in_8_bits(pair: tuple[str, str], grey: int) -> None:
    mode, image_format = pair
    data = encode(build_source(mode, (3, 2), grey, transparent=False), image_format)

    out = decode(normalise(data).data)

    assert out.mode == "RGB"
    assert all(abs(channel - grey) <= 1 for channel in out.getpixel((1, 1)))


def marked_jpeg(orientation: int) -> bytes:
    """A 60 x 40 blue JPEG, red in its stored top-left corner, with an EXIF orientation."""
    image = Image.new("RGB", (60, 40), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 12, 12))
    exif = Image.Exif()
    exif[0x0112] = orientation
    return encode(image, "JPEG", quality=95, exif=exif)


def is_red(pixel: tuple[int, ...]) -> bool:
    return pixel[0] > 200 and pixel[2] < 60


@pytest.mark.parametrize(
    ("orientation", "marker"),
    [(6, (35, 4)), (8, (4, 55))],
    ids=["orientation-6-turns-clockwise", "orientation-8-turns-anticlockwise"],
)
def test_exif_orientation_stands_the_photo_upright(
    orientation: int, marker: tuple[int, int]
) -> None:
    data = marked_jpeg(orientation)

    out = decode(normalise(data).data)

    assert out.size == (40, 60)
    assert is_red(out.getpixel(marker))
    assert sum(is_red(out.getpixel(corner)) for corner in [(4, 4), (35, 4), (4, 55), (35, 55)]) == 1


def test_cmyk_jpeg_with_adobe_inversion_comes_out_in_the_right_colours() -> None:
    cyan = Image.new("CMYK", (16, 16), (255, 0, 0, 0))
    data = encode(cyan, "JPEG", quality=95)
    assert "adobe" in decode(data).info

    out = decode(normalise(data).data)

    red, green, blue = out.getpixel((8, 8))
    assert out.mode == "RGB"
    assert red < 30 and green > 225 and blue > 225


def test_16_bit_greyscale_png_keeps_its_top_8_bits() -> None:
    deep = Image.new("I;16", (4, 4), 40000)
    data = encode(deep, "PNG")
    assert decode(data).mode == "I;16"

    out = decode(normalise(data).data)

    assert out.getpixel((1, 1)) == (156, 156, 156)


def test_16_bit_rgb_png_keeps_its_top_8_bits() -> None:
    data = rgb16_png([[(0xFF00, 0x8000, 0x0100)] * 3] * 2)

    out = decode(normalise(data).data)

    assert out.mode == "RGB"
    assert out.size == (3, 2)
    assert out.getpixel((0, 0)) == (255, 128, 1)


def test_animated_gif_keeps_only_its_first_frame() -> None:
    frames = [Image.new("RGB", (10, 8), colour) for colour in ("red", "lime", "blue")]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=50)
    assert decode(data).n_frames == 3

    out = decode(normalise(data).data)

    assert out.mode == "RGB"
    assert out.getpixel((5, 4)) == (255, 0, 0)


def test_palette_with_a_transparent_index_becomes_rgba_with_clear_pixels() -> None:
    image = Image.new("P", (8, 8), 1)
    image.putpalette([0, 0, 0, 200, 30, 30] + [0] * 762)
    image.paste(0, (0, 0, 4, 8))
    data = encode(image, "PNG", transparency=0)

    out = decode(normalise(data).data)

    assert out.mode == "RGBA"
    assert out.getpixel((1, 1))[3] == 0
    assert out.getpixel((6, 6)) == (200, 30, 30, 255)


def test_an_alpha_band_that_is_all_opaque_gives_rgb() -> None:
    data = encode(Image.new("RGBA", (5, 5), (10, 20, 30, 255)), "PNG")

    out = decode(normalise(data).data)

    assert out.mode == "RGB"


def test_output_carries_no_metadata_at_all() -> None:
    image = Image.new("RGB", (20, 10), (40, 90, 160))
    exif = Image.Exif()
    exif[0x010E] = "a description with a secret location"
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = encode(image, "JPEG", exif=exif, icc_profile=srgb, comment=b"note", dpi=(72, 72))

    info = normalise(data)

    assert png_chunk_types(info.data) == [b"IHDR", b"IDAT", b"IEND"]


def test_large_photo_within_the_caps_is_accepted() -> None:
    data = encode(Image.new("RGB", (2000, 1500), (1, 2, 3)), "PNG")

    info = normalise(data, ImageLimits(max_pixels=3_000_000))

    assert (info.width, info.height) == (2000, 1500)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"hello, this is a text file and no image\n" * 20, id="text"),
        pytest.param(random.Random(7).randbytes(4096), id="random-bytes"),
        pytest.param(encode(Image.new("RGB", (8, 8)), "PPM"), id="format-not-allowed"),
        pytest.param(png_claiming(64, 64), id="png-without-pixel-data"),
    ],
)
def test_bytes_that_are_not_a_readable_image_are_unsupported(data: bytes) -> None:
    with pytest.raises(UnsupportedImage):
        normalise(data)


@pytest.mark.parametrize("image_format", ["PNG", "JPEG", "GIF", "WEBP", "TIFF", "BMP"])
def test_truncated_files_are_unsupported(image_format: str) -> None:
    noise = Image.effect_noise((96, 96), 64).convert("RGB")
    whole = encode(noise, image_format)

    with pytest.raises(UnsupportedImage):
        normalise(whole[: len(whole) // 2])


def test_decompression_bomb_is_refused_as_too_large() -> None:
    bomb = png_claiming(100_000, 100_000)

    with pytest.raises(ImageTooLarge) as refused:
        normalise(bomb)

    assert "pixels" in refused.value.detail


def test_image_one_pixel_over_the_pixel_cap_is_refused_before_decoding() -> None:
    just_over = png_claiming(8000, 5001)

    with pytest.raises(ImageTooLarge):
        normalise(just_over)


def test_pixel_cap_is_exact() -> None:
    limits = ImageLimits(max_pixels=100)
    at_cap = encode(Image.new("RGB", (10, 10)), "PNG")
    over_cap = encode(Image.new("RGB", (10, 11)), "PNG")

    assert normalise(at_cap, limits).width == 10
    with pytest.raises(ImageTooLarge):
        normalise(over_cap, limits)


def test_bytes_over_the_byte_cap_are_refused_without_being_read() -> None:
    not_even_an_image = b"\x00" * 1025

    with pytest.raises(ImageTooLarge):
        normalise(not_even_an_image, ImageLimits(max_bytes=1024))


async def test_processor_applies_its_own_caps() -> None:
    processor = PillowImageProcessor(max_bytes=10_000, max_pixels=50)
    small = encode(Image.new("RGB", (7, 7)), "PNG")
    too_many_pixels = encode(Image.new("RGB", (8, 8)), "PNG")

    info = await processor.normalise(small)

    assert (info.width, info.height) == (7, 7)
    with pytest.raises(ImageTooLarge):
        await processor.normalise(too_many_pixels)
    with pytest.raises(ImageTooLarge):
        await processor.normalise(b"\x00" * 10_001)


SEEDS = {
    "PNG": encode(Image.effect_noise((24, 16), 50).convert("RGBA"), "PNG"),
    "JPEG": encode(Image.effect_noise((24, 16), 50).convert("RGB"), "JPEG"),
    "GIF": encode(Image.effect_noise((24, 16), 50).convert("P"), "GIF"),
    "WEBP": encode(Image.effect_noise((24, 16), 50).convert("RGB"), "WEBP"),
    "TIFF": encode(Image.effect_noise((24, 16), 50).convert("RGB"), "TIFF"),
    "BMP": encode(Image.effect_noise((24, 16), 50).convert("RGB"), "BMP"),
}


@settings(max_examples=300, deadline=None)
@given(
    image_format=st.sampled_from(sorted(SEEDS)),
    edits=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=6),
    keep=st.floats(0.0, 1.0),
)
def test_damaged_files_fail_only_with_domain_errors(
    image_format: str, edits: list[tuple[int, int]], keep: float
) -> None:
    data = bytearray(SEEDS[image_format])
    for position, value in edits:
        data[position % len(data)] = value
    damaged = bytes(data[: max(1, round(len(data) * keep))])

    try:
        info = normalise(damaged, ImageLimits(max_pixels=1_000_000))
    except DomainError as refused:
        assert isinstance(refused, UnsupportedImage | ImageTooLarge)
    else:
        assert decode(info.data).mode in ("RGB", "RGBA")


SHARED = shared_images_folder()
needs_shared = pytest.mark.skipif(
    not SHARED.is_dir(), reason=f"the sample images folder {SHARED} is not there"
)


def shared_files() -> list[str]:
    if not SHARED.is_dir():
        return []
    return sorted(p.name for p in SHARED.iterdir() if p.suffix.lower() != ".md")


@needs_shared
@pytest.mark.parametrize("name", shared_files())
def test_every_sample_image_normalises(name: str) -> None:
    data = (SHARED / name).read_bytes()

    info = normalise(data)

    out = decode(info.data)
    assert out.mode in ("RGB", "RGBA")
    assert out.size == (info.width, info.height)


@needs_shared
@pytest.mark.parametrize(
    "name", ["l_trns.png", "p_trns_single.png", "rgb_trns.png", "transparent.gif"]
)
def test_sample_images_with_transparency_keep_alpha(name: str) -> None:
    out = decode(normalise((SHARED / name).read_bytes()).data)

    assert out.mode == "RGBA"
    assert out.getchannel("A").getextrema()[0] == 0


@needs_shared
def test_sample_photo_with_orientation_6_comes_out_upright() -> None:
    # The sample is square, so its size cannot show the turn: its pixels must
    # match the upright hopper.jpg, which the stored ones do not.
    stored = decode((SHARED / "hopper_orientation_6.jpg").read_bytes()).convert("RGB")
    upright = decode((SHARED / "hopper.jpg").read_bytes()).convert("RGB")

    out = decode(normalise((SHARED / "hopper_orientation_6.jpg").read_bytes()).data)

    assert out.size == stored.size[::-1]
    assert mean_difference(out, upright) < 12
    assert mean_difference(stored, upright) > 40


@needs_shared
def test_sample_cmyk_jpeg_becomes_rgb() -> None:
    out = decode(normalise((SHARED / "pil_sample_cmyk.jpg").read_bytes()).data)

    assert out.mode == "RGB"
    assert out.size == (100, 100)


def mean_difference(first: Image.Image, second: Image.Image) -> float:
    pairs = zip(first.tobytes(), second.tobytes(), strict=True)
    return sum(abs(a - b) for a, b in pairs) / (first.width * first.height * 3)
