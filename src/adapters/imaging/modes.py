"""Any Pillow mode to 8-bit RGB, or RGBA when some pixel is not fully opaque.

Rules: an image is RGBA only if a pixel is actually transparent (an alpha band
or a tRNS colour that no pixel uses gives RGB); 16-bit samples keep their top
8 bits; 32-bit integer and float samples already in 0..255 are kept, in
0..65535 are read as 16-bit, 0..1 floats are stretched to 0..255, and anything
else is stretched from its minimum to its maximum. CMYK converts by Pillow's
plain formula. Known limit: embedded colour profiles are dropped, not applied.
"""

from PIL import Image

_HIGH_DEPTH = frozenset({"I", "F", "I;16", "I;16L", "I;16B", "I;16N"})
_ALPHA_MODES = frozenset({"LA", "La", "PA", "RGBA", "RGBa"})
_MAX_8_BIT = 255
_MAX_16_BIT = 65535


def to_rgb_or_rgba(image: Image.Image) -> Image.Image:
    """The image as RGB, or RGBA when it has transparent pixels; unchanged when already so."""
    if image.mode in _HIGH_DEPTH:
        return _high_depth_to_rgb(image)
    if not _may_have_alpha(image):
        return image if image.mode == "RGB" else image.convert("RGB")
    rgba = image if image.mode == "RGBA" else image.convert("RGBA")
    return rgba if has_transparency(rgba) else rgba.convert("RGB")


def has_transparency(rgba: Image.Image) -> bool:
    """Whether any pixel of an RGBA image is less than fully opaque."""
    bands: tuple[object, ...] = rgba.getextrema()
    alpha = bands[3]
    if not isinstance(alpha, tuple):
        raise TypeError("expected the extrema of each band")
    return bool(alpha[0] < _MAX_8_BIT)


def _may_have_alpha(image: Image.Image) -> bool:
    if image.mode in _ALPHA_MODES or "transparency" in image.info:
        return True
    return image.mode == "P" and image.palette is not None and image.palette.mode == "RGBA"


def _high_depth_to_rgb(image: Image.Image) -> Image.Image:
    wide = image if image.mode in ("I", "F") else image.convert("I")
    grey = _scale_to_l(wide, 16 if image.mode.startswith("I;16") else None)
    if "transparency" not in image.info:
        return grey.convert("RGB")
    # Pillow maps a 16-bit tRNS value to alpha; its clipped grey is discarded.
    alpha = image.convert("RGBA").getchannel("A")
    if _value_range(alpha)[0] == _MAX_8_BIT:
        return grey.convert("RGB")
    rgba = grey.convert("RGBA")
    rgba.putalpha(alpha)
    return rgba


def _scale_to_l(wide: Image.Image, bits: int | None) -> Image.Image:
    if bits == 16:
        return wide.point(lambda v: v / 256).convert("L")
    low, high = _value_range(wide)
    if low >= 0 and high <= 1 and wide.mode == "F":
        return wide.point(lambda v: v * _MAX_8_BIT).convert("L")
    if low >= 0 and high <= _MAX_8_BIT:
        return wide.convert("L")
    if low >= 0 and high <= _MAX_16_BIT:
        return wide.point(lambda v: v / 256).convert("L")
    if high == low:
        return Image.new("L", wide.size, 0 if high < 0 else _MAX_8_BIT)
    span = float(high - low)
    return wide.point(lambda v: (v - low) * _MAX_8_BIT / span).convert("L")


def _value_range(band: Image.Image) -> tuple[float, float]:
    low, high = band.getextrema()
    if isinstance(low, tuple) or isinstance(high, tuple):
        raise TypeError("expected a single-band image")
    return float(low), float(high)
