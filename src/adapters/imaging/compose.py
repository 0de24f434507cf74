"""Previews and print files: artwork cover-cropped to the phone, never stretched, masked.

Rules: the crop is the largest centred box of the exact aspect; a preview is
never wider than `max_width` nor than its crop (a small artwork is not
upscaled for display); a print file is exactly domain.geometry.print_size,
upscaled when the artwork is smaller; a skin's print file carries the mask at
its own size and 300 DPI; a wallpaper's is an opaque rectangle, any
transparency laid on black as a switched-off screen shows it.
"""

import math

from PIL import Image, ImageChops

from adapters.imaging.decoding import (
    ImageLimits,
    load_upright,
    open_image,
    orientation,
    pillow_errors,
    upright_size,
)
from adapters.imaging.encoding import COMPACT_PNG_LEVEL, png_bytes, webp_bytes
from adapters.imaging.masks import MaskCache
from adapters.imaging.modes import to_rgb_or_rgba
from adapters.imaging.normalisation import decode_upright
from application.ports import ImageInfo
from domain.geometry import (
    PRINT_DPI,
    Box,
    Kind,
    crop_box,
    mask_outline,
    print_size,
    size_for_width,
    target_aspect,
)
from domain.phones import PhoneModel

# Reduce by whole factors first while the rest stays at least twice the target:
# Pillow's documented point where the result matches a full LANCZOS pass.
PREVIEW_REDUCING_GAP = 2.0
WALLPAPER_BACKGROUND = (0, 0, 0)


def render_preview(
    artwork: bytes,
    phone: PhoneModel,
    kind: Kind,
    max_width: int,
    *,
    limits: ImageLimits,
    masks: MaskCache,
) -> ImageInfo:
    """The masked preview as WebP with alpha, at most `max_width` wide."""
    if max_width < 1:
        raise ValueError("max_width must be positive")
    target = target_aspect(phone, kind)
    image = open_image(artwork, limits)
    turn = orientation(image)
    box = crop_box(*upright_size(image, turn), target)
    size = size_for_width(min(max_width, box.width), target)

    _draft_for(image, box, size)
    upright = load_upright(image, turn)
    with pillow_errors():
        art = to_rgb_or_rgba(upright)

    return _preview_of(art, phone, kind, size, masks)


def render_artwork_and_preview(
    data: bytes,
    phone: PhoneModel,
    kind: Kind,
    max_width: int,
    *,
    limits: ImageLimits,
    masks: MaskCache,
) -> tuple[ImageInfo, ImageInfo]:
    """`normalise(data)` and the preview of that artwork, from one decoding of `data`."""
    if max_width < 1:
        raise ValueError("max_width must be positive")
    art = decode_upright(data, limits)
    artwork = ImageInfo(png_bytes(art), art.width, art.height)
    target = target_aspect(phone, kind)
    box = crop_box(art.width, art.height, target)
    size = size_for_width(min(max_width, box.width), target)
    return artwork, _preview_of(art, phone, kind, size, masks)


def _preview_of(
    art: Image.Image, phone: PhoneModel, kind: Kind, size: tuple[int, int], masks: MaskCache
) -> ImageInfo:
    box = crop_box(art.width, art.height, target_aspect(phone, kind))
    fitted = _fit(art, box, size, reducing_gap=PREVIEW_REDUCING_GAP)
    masked = _with_mask(fitted, masks.alpha(mask_outline(phone, kind), size))
    return ImageInfo(webp_bytes(masked), *size)


def render_print_file(
    artwork: bytes,
    phone: PhoneModel,
    kind: Kind,
    *,
    limits: ImageLimits,
    masks: MaskCache,
) -> ImageInfo:
    """The final file: a masked RGBA skin at 300 DPI, or an opaque RGB wallpaper."""
    size = print_size(phone, kind)
    image = open_image(artwork, limits)
    turn = orientation(image)
    upright = load_upright(image, turn)
    with pillow_errors():
        art = to_rgb_or_rgba(upright)

    # The exact aspect of the output, not the phone's: rounding both sides
    # separately must not stretch the artwork either.
    box = crop_box(art.width, art.height, size[0] / size[1])
    fitted = _fit(art, box, size, reducing_gap=None)

    if kind is Kind.SKIN:
        masked = _with_mask(fitted, masks.alpha(mask_outline(phone, kind), size))
        data = png_bytes(masked, compress_level=COMPACT_PNG_LEVEL, dpi=(PRINT_DPI, PRINT_DPI))
        return ImageInfo(data, *size)
    opaque = _flatten(fitted)
    return ImageInfo(png_bytes(opaque, compress_level=COMPACT_PNG_LEVEL), *size)


def _draft_for(image: Image.Image, box: Box, size: tuple[int, int]) -> None:
    # A JPEG can decode at 1/2, 1/4 or 1/8 scale for almost nothing; ask for
    # the smallest scale that still leaves the crop at least `size`.
    if image.format != "JPEG":
        return
    factor = min(box.width / size[0], box.height / size[1])
    if factor < 2:
        return
    wanted = (math.ceil(image.width / factor), math.ceil(image.height / factor))
    with pillow_errors():
        image.draft(None, wanted)


def _fit(
    image: Image.Image, box: Box, size: tuple[int, int], *, reducing_gap: float | None
) -> Image.Image:
    if (box.width, box.height) == size:
        if (box.width, box.height) == image.size:
            return image
        return image.crop((box.left, box.top, box.right, box.bottom))
    return image.resize(
        size,
        Image.Resampling.LANCZOS,
        box=(box.left, box.top, box.right, box.bottom),
        reducing_gap=reducing_gap,
    )


def _with_mask(image: Image.Image, mask: Image.Image) -> Image.Image:
    if image.mode == "RGBA":
        image.putalpha(ImageChops.multiply(image.getchannel("A"), mask))
        return image
    image.putalpha(mask)
    return image


def _flatten(image: Image.Image) -> Image.Image:
    if image.mode != "RGBA":
        return image
    background = Image.new("RGB", image.size, WALLPAPER_BACKGROUND)
    background.paste(image, mask=image.getchannel("A"))
    return background
