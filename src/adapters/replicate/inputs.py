"""Images sent to the provider: sized for the model, then inlined as a data URI.

Rules: the image is decoded with the service's caps (EXIF orientation applied, first
frame, RGB or RGBA); it is shrunk, never enlarged, to fit the model's pixel bound;
it goes as a PNG data URI when that fits `max_uri_bytes`, else as JPEG at falling
quality (transparency flattened onto white). The provider recommends data URIs only
below 1 MB, so that is the default cap. Known limit: an image that would need more
than 1 MB loses some detail to JPEG instead of going through the provider's Files API.
"""

import base64
import io
import math
from dataclasses import dataclass

from PIL import Image

from adapters.imaging.decoding import DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS, ImageLimits
from adapters.imaging.encoding import png_bytes
from adapters.imaging.normalisation import decode_upright
from domain.errors import DomainError, ProviderFailed
from domain.geometry import crop_box

# The provider's advice for data URIs (docs: "Input files", option 3).
DATA_URI_MAX_BYTES = 1_000_000
_JPEG_QUALITIES = (92, 85, 75, 60)


@dataclass(frozen=True, slots=True)
class PreparedImage:
    data_uri: str
    width: int
    height: int
    encoded_bytes: int


def within_pixels(width: int, height: int, max_pixels: int) -> tuple[int, int]:
    """The largest size of the same aspect with at most `max_pixels`; unchanged if it fits."""
    if width * height <= max_pixels:
        return width, height
    factor = math.sqrt(max_pixels / (width * height))
    new_w, new_h = max(1, math.floor(width * factor)), max(1, math.floor(height * factor))
    while new_w * new_h > max_pixels:
        if new_w >= new_h:
            new_w -= 1
        else:
            new_h -= 1
    return new_w, new_h


def prepare_within(
    data: bytes,
    max_pixels: int,
    *,
    max_uri_bytes: int = DATA_URI_MAX_BYTES,
    limits: ImageLimits | None = None,
) -> PreparedImage:
    """The image shrunk to at most `max_pixels`, as a data URI. Blocking: run it in a thread."""
    image = _decode(data, limits)
    size = within_pixels(image.width, image.height, max_pixels)
    if size != image.size:
        image = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0)
    return _inline(image, max_uri_bytes)


def prepare_cover(
    data: bytes,
    size: tuple[int, int],
    *,
    max_uri_bytes: int = DATA_URI_MAX_BYTES,
    limits: ImageLimits | None = None,
) -> PreparedImage:
    """The image cover-cropped to `size`'s aspect and scaled to it, as a data URI. Blocking."""
    image = _decode(data, limits)
    box = crop_box(image.width, image.height, size[0] / size[1])
    image = image.resize(
        size,
        Image.Resampling.LANCZOS,
        box=(box.left, box.top, box.right, box.bottom),
        reducing_gap=2.0,
    )
    return _inline(image, max_uri_bytes)


def _decode(data: bytes, limits: ImageLimits | None) -> Image.Image:
    try:
        return decode_upright(data, limits or ImageLimits(DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS))
    except DomainError as exc:
        raise ProviderFailed(f"The image cannot be sent to the provider: {exc.detail}") from exc


def _inline(image: Image.Image, max_uri_bytes: int) -> PreparedImage:
    encoded = png_bytes(image)
    mime = "image/png"
    if _uri_length(encoded, mime) > max_uri_bytes:
        encoded, mime = _jpeg_within(image, max_uri_bytes)
    uri = f"data:{mime};base64,{base64.b64encode(encoded).decode('ascii')}"
    return PreparedImage(uri, image.width, image.height, len(encoded))


def _jpeg_within(image: Image.Image, max_uri_bytes: int) -> tuple[bytes, str]:
    if image.mode == "RGBA":
        flat = Image.new("RGB", image.size, (255, 255, 255))
        flat.paste(image, mask=image.getchannel("A"))
        image = flat
    for quality in _JPEG_QUALITIES:
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=quality)
        if _uri_length(buffer.getvalue(), "image/jpeg") <= max_uri_bytes:
            return buffer.getvalue(), "image/jpeg"
    raise ProviderFailed("The image is too detailed to send to the provider within its limits.")


def _uri_length(encoded: bytes, mime: str) -> int:
    return len("data:;base64,") + len(mime) + 4 * math.ceil(len(encoded) / 3)
