import pytest
from imaging_samples import decode, encode, sample_phone
from PIL import Image, ImageDraw

from adapters.imaging import PillowImageProcessor
from domain.errors import UnsupportedImage
from domain.geometry import Kind, mask_outline, print_size, target_aspect

PHONE = sample_phone()
OUTLINE = mask_outline(PHONE, Kind.SKIN)


def disc_artwork(size: tuple[int, int], diameter: int, image_format: str = "PNG") -> bytes:
    """White artwork with a black disc of `diameter` px in its centre."""
    image = Image.new("RGB", size, "white")
    left, top = (size[0] - diameter) // 2, (size[1] - diameter) // 2
    ImageDraw.Draw(image).ellipse((left, top, left + diameter - 1, top + diameter - 1), "black")
    options = {"quality": 95} if image_format == "JPEG" else {}
    return encode(image, image_format, **options)


def disc_extent(preview: Image.Image) -> tuple[int, int]:
    """Width and height of the dark pixels that the mask leaves opaque."""
    dark = preview.convert("L").point(lambda v: 255 if v < 128 else 0)
    opaque = preview.getchannel("A").point(lambda v: 255 if v == 255 else 0)
    visible = Image.new("L", preview.size, 0)
    visible.paste(dark, mask=opaque)
    left, top, right, bottom = visible.getbbox() or (0, 0, 0, 0)
    return right - left, bottom - top


def mm_to_pixel(image: Image.Image, x_mm: float, y_mm: float) -> tuple[int, int]:
    return int(x_mm * image.width / OUTLINE.width_mm), int(y_mm * image.height / OUTLINE.height_mm)


@pytest.mark.parametrize("kind", [Kind.SKIN, Kind.WALLPAPER])
@pytest.mark.parametrize("artwork_size", [(1024, 1024), (640, 1536), (1536, 640)])
async def test_preview_has_the_phones_proportions_and_fits_max_width(
    kind: Kind, artwork_size: tuple[int, int]
) -> None:
    processor = PillowImageProcessor()
    artwork = disc_artwork(artwork_size, 100)

    info = await processor.preview(artwork, PHONE, kind, 240)

    preview = decode(info.data)
    assert preview.format == "WEBP"
    assert preview.mode == "RGBA"
    assert preview.size == (info.width, info.height)
    assert info.width <= 240
    assert abs(info.height - info.width / target_aspect(PHONE, kind)) <= 1


async def test_skin_preview_is_clear_outside_the_outline_and_in_the_cut_outs() -> None:
    processor = PillowImageProcessor()

    info = await processor.preview(disc_artwork((1024, 1024), 100), PHONE, Kind.SKIN, 300)

    alpha = decode(info.data).getchannel("A")
    right, bottom = alpha.width - 1, alpha.height - 1
    corners = [(0, 0), (right, 0), (0, bottom), (right, bottom)]
    assert [alpha.getpixel(corner) for corner in corners] == [0, 0, 0, 0]
    assert alpha.getpixel(mm_to_pixel(alpha, 21, 22)) == 0
    assert alpha.getpixel(mm_to_pixel(alpha, 54, 14)) == 0
    assert alpha.getpixel(mm_to_pixel(alpha, 36, 75)) == 255
    assert alpha.getpixel(mm_to_pixel(alpha, 60, 60)) == 255
    assert alpha.getpixel(mm_to_pixel(alpha, 20, 140)) == 255


@pytest.mark.parametrize(
    ("artwork_size", "image_format"),
    [((1024, 1024), "PNG"), ((1536, 640), "PNG"), ((640, 1536), "PNG"), ((2400, 2400), "JPEG")],
)
@pytest.mark.parametrize("kind", [Kind.SKIN, Kind.WALLPAPER])
async def test_preview_never_stretches_the_artwork(
    artwork_size: tuple[int, int], image_format: str, kind: Kind
) -> None:
    processor = PillowImageProcessor()
    diameter = min(artwork_size) // 3
    artwork = disc_artwork(artwork_size, diameter, image_format)

    info = await processor.preview(artwork, PHONE, kind, 200)

    width, height = disc_extent(decode(info.data))
    assert width > 20
    assert abs(width - height) <= 2


async def test_preview_does_not_enlarge_a_small_artwork() -> None:
    processor = PillowImageProcessor()

    info = await processor.preview(disc_artwork((200, 200), 40), PHONE, Kind.SKIN, 800)

    assert info.width == round(200 * 72 / 150)


async def test_preview_keeps_the_artworks_own_transparency() -> None:
    processor = PillowImageProcessor()
    artwork = Image.new("RGBA", (400, 800), (200, 50, 50, 255))
    artwork.paste((0, 0, 0, 0), (0, 600, 400, 800))

    info = await processor.preview(encode(artwork, "PNG"), PHONE, Kind.SKIN, 200)

    alpha = decode(info.data).getchannel("A")
    assert alpha.getpixel((100, alpha.height // 3)) == 255
    assert alpha.getpixel((100, alpha.height - 20)) == 0


async def test_preview_stands_an_exif_rotated_artwork_upright() -> None:
    processor = PillowImageProcessor()
    sideways = Image.new("RGB", (1200, 600), (0, 0, 255))
    sideways.paste((255, 0, 0), (0, 0, 600, 600))
    exif = Image.Exif()
    exif[0x0112] = 6

    info = await processor.preview(
        encode(sideways, "JPEG", exif=exif, quality=95), PHONE, Kind.WALLPAPER, 120
    )

    preview = decode(info.data).convert("RGB")
    top, bottom = preview.getpixel((60, 30)), preview.getpixel((60, preview.height - 30))
    assert top[0] > 200 and top[2] < 60
    assert bottom[2] > 200 and bottom[0] < 60


async def test_preview_of_bytes_that_are_not_an_image_is_unsupported() -> None:
    processor = PillowImageProcessor()

    with pytest.raises(UnsupportedImage):
        await processor.preview(b"definitely not a picture", PHONE, Kind.SKIN, 200)


async def test_skin_print_file_is_the_exact_print_size_at_300_dpi_with_the_mask() -> None:
    processor = PillowImageProcessor()

    info = await processor.print_file(disc_artwork((1024, 1024), 300), PHONE, Kind.SKIN)

    printed = decode(info.data)
    assert printed.format == "PNG"
    assert printed.mode == "RGBA"
    assert printed.size == (info.width, info.height) == print_size(PHONE, Kind.SKIN) == (850, 1772)
    assert tuple(round(d) for d in printed.info["dpi"]) == (300, 300)
    alpha = printed.getchannel("A")
    assert alpha.getpixel((0, 0)) == 0
    assert alpha.getpixel(mm_to_pixel(alpha, 21, 22)) == 0
    assert alpha.getpixel(mm_to_pixel(alpha, 36, 100)) == 255


async def test_skin_print_file_never_stretches_the_artwork() -> None:
    processor = PillowImageProcessor()

    info = await processor.print_file(disc_artwork((1024, 1024), 300), PHONE, Kind.SKIN)

    width, height = disc_extent(decode(info.data))
    assert width > 400
    assert abs(width - height) <= 3


@pytest.mark.parametrize("mode", ["RGB", "RGBA"])
async def test_wallpaper_print_file_is_opaque_rgb_at_the_native_resolution(mode: str) -> None:
    processor = PillowImageProcessor()
    artwork = Image.new(mode, (768, 1344), (10, 120, 200))
    if mode == "RGBA":
        artwork.paste((0, 0, 0, 0), (0, 0, 100, 100))

    info = await processor.print_file(encode(artwork, "PNG"), PHONE, Kind.WALLPAPER)

    printed = decode(info.data)
    assert printed.mode == "RGB"
    assert printed.size == (info.width, info.height) == (1080, 2340)


@pytest.mark.parametrize("kind", [Kind.SKIN, Kind.WALLPAPER])
@pytest.mark.parametrize("image_format", ["PNG", "JPEG"])
async def test_artwork_with_preview_is_normalise_then_preview_in_one_pass(
    kind: Kind, image_format: str
) -> None:
    processor = PillowImageProcessor()
    raw = disc_artwork((900, 1400), 200, image_format)

    artwork, preview = await processor.artwork_with_preview(raw, PHONE, kind, 320)

    separate = await processor.normalise(raw)
    assert artwork == separate
    expected = await processor.preview(separate.data, PHONE, kind, 320)
    assert (preview.width, preview.height) == (expected.width, expected.height)
    assert decode(preview.data).tobytes() == decode(expected.data).tobytes()


async def test_artwork_with_preview_of_bytes_that_are_not_an_image_is_unsupported() -> None:
    processor = PillowImageProcessor()

    with pytest.raises(UnsupportedImage):
        await processor.artwork_with_preview(b"not a picture", PHONE, Kind.SKIN, 200)
