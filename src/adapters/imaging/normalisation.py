"""Normalisation of every image that enters the service, upload or provider output."""

from PIL import Image

from adapters.imaging.decoding import (
    ImageLimits,
    load_upright,
    open_image,
    orientation,
    pillow_errors,
)
from adapters.imaging.encoding import png_bytes
from adapters.imaging.modes import to_rgb_or_rgba
from application.ports import ImageInfo


def decode_upright(data: bytes, limits: ImageLimits) -> Image.Image:
    """The first frame, upright, as RGB or RGBA; caps checked before decoding.

    Raises ImageTooLarge over a cap or for a decompression bomb, and
    UnsupportedImage for anything Pillow cannot read in an allowed format.
    """
    image = open_image(data, limits)
    turn = orientation(image)
    upright = load_upright(image, turn)
    with pillow_errors():
        return to_rgb_or_rgba(upright)


def normalise(data: bytes, limits: ImageLimits | None = None) -> ImageInfo:
    """The image as metadata-free 8-bit RGB or RGBA PNG bytes, upright, first frame only.

    Rules: bytes and pixels are capped before decoding; only PNG, JPEG, WebP, GIF,
    TIFF and BMP are read; RGBA only where some pixel is transparent. Known limit:
    a colour profile is dropped rather than applied.
    """
    image = decode_upright(data, limits or ImageLimits())
    return ImageInfo(png_bytes(image), image.width, image.height)
