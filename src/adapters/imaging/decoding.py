"""Opening untrusted image bytes: caps checked before decoding, formats restricted.

Pillow reports hostile or broken input with many exception types (OSError,
SyntaxError, ValueError, struct.error, EOFError, ...); every one of them becomes
a domain error here, so nothing else reaches a caller.
"""

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from PIL import ExifTags, Image, ImageOps

from domain.errors import DomainError, ImageTooLarge, UnsupportedImage

logger = logging.getLogger(__name__)

ALLOWED_FORMATS = ("PNG", "JPEG", "WEBP", "GIF", "TIFF", "BMP")
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_PIXELS = 40_000_000
# EXIF orientations 5 to 8 store the picture turned by a quarter.
_QUARTER_TURNS = frozenset({5, 6, 7, 8})


@dataclass(frozen=True, slots=True)
class ImageLimits:
    """The caps every incoming image must fit, checked before its pixels are decoded."""

    max_bytes: int = DEFAULT_MAX_BYTES
    max_pixels: int = DEFAULT_MAX_PIXELS

    def __post_init__(self) -> None:
        if self.max_bytes < 1 or self.max_pixels < 1:
            raise ValueError("image limits must be positive")


@contextmanager
def pillow_errors() -> Iterator[None]:
    """Turn whatever Pillow raises for bad input into ImageTooLarge or UnsupportedImage."""
    try:
        yield
    except (DomainError, MemoryError):
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageTooLarge(
            "The image declares more pixels than Pillow will decode (a decompression bomb)."
        ) from exc
    except Exception as exc:  # Pillow's error types for bad input are open-ended
        logger.debug("image refused error=%s", type(exc).__name__)
        raise UnsupportedImage("The file is not an image this service can read.") from exc


def open_image(data: bytes, limits: ImageLimits) -> Image.Image:
    """The image's header, read but not decoded, once the bytes and pixels fit `limits`.

    Pillow's own bomb guard (its global MAX_IMAGE_PIXELS, left as it is) still
    applies first, so a cap above twice that global is never reached.
    """
    if len(data) > limits.max_bytes:
        raise ImageTooLarge(f"The file is larger than {limits.max_bytes} bytes.")
    if not data:
        raise UnsupportedImage("The file is empty.")
    with pillow_errors():
        image = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
    width, height = image.size
    if width < 1 or height < 1:
        image.close()
        raise UnsupportedImage("The image has no pixels.")
    if width * height > limits.max_pixels:
        image.close()
        raise ImageTooLarge(
            f"The image has {width}x{height} pixels, more than {limits.max_pixels}."
        )
    return image


def orientation(image: Image.Image) -> int:
    """The EXIF orientation (1 to 8) of an opened image; 1 when absent or nonsense."""
    with pillow_errors():
        value = image.getexif().get(ExifTags.Base.Orientation, 1)
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def upright_size(image: Image.Image, turn: int) -> tuple[int, int]:
    """The size the image will have once its EXIF orientation `turn` is applied."""
    width, height = image.size
    return (height, width) if turn in _QUARTER_TURNS else (width, height)


def load_upright(image: Image.Image, turn: int) -> Image.Image:
    """Decode the first frame and apply the EXIF orientation `turn`."""
    with pillow_errors():
        image.load()
        if turn == 1:
            return image
        return ImageOps.exif_transpose(image)
