"""Aspect ratios, crop boxes, print sizes and mask outlines, all pure arithmetic."""

import math
from dataclasses import dataclass
from enum import StrEnum

from domain.phones import PhoneModel

MM_PER_INCH = 25.4
PRINT_DPI = 300


class Kind(StrEnum):
    """What a design becomes: a skin for the back, or a wallpaper for the screen."""

    SKIN = "skin"
    WALLPAPER = "wallpaper"


@dataclass(frozen=True, slots=True)
class AspectRatio:
    """One aspect ratio the image provider accepts, with its pixel size at one megapixel."""

    name: str
    width_px: int
    height_px: int

    @property
    def value(self) -> float:
        return self.width_px / self.height_px


# The provider's list and its pixel sizes at 1 megapixel (flux-schnell's documentation).
PROVIDER_ASPECT_RATIOS: tuple[AspectRatio, ...] = (
    AspectRatio("1:1", 1024, 1024),
    AspectRatio("2:3", 832, 1216),
    AspectRatio("3:4", 896, 1152),
    AspectRatio("4:5", 896, 1088),
    AspectRatio("9:16", 768, 1344),
    AspectRatio("9:21", 640, 1536),
    AspectRatio("3:2", 1216, 832),
    AspectRatio("4:3", 1152, 896),
    AspectRatio("5:4", 1088, 896),
    AspectRatio("16:9", 1344, 768),
    AspectRatio("21:9", 1536, 640),
)


def aspect_by_name(name: str) -> AspectRatio:
    for ratio in PROVIDER_ASPECT_RATIOS:
        if ratio.name == name:
            return ratio
    raise KeyError(name)


def screen_size_mm(phone: PhoneModel) -> tuple[float, float]:
    """The visible screen's width and height in mm, from its pixels and diagonal."""
    diagonal_px = math.hypot(phone.screen_width_px, phone.screen_height_px)
    mm_per_px = phone.screen_diagonal_in * MM_PER_INCH / diagonal_px
    return phone.screen_width_px * mm_per_px, phone.screen_height_px * mm_per_px


def target_aspect(phone: PhoneModel, kind: Kind) -> float:
    """Width over height of what the design must fill: the body, or the screen."""
    if kind is Kind.SKIN:
        return phone.width_mm / phone.height_mm
    return phone.screen_width_px / phone.screen_height_px


def kept_fraction(source_aspect: float, target: float) -> float:
    """Share of an image of `source_aspect` that a cover-crop to `target` keeps."""
    if source_aspect >= target:
        return target / source_aspect
    return source_aspect / target


def covering_aspect_ratio(target: float) -> AspectRatio:
    """The provider aspect ratio whose image, cover-cropped to `target`, loses the least."""
    return max(PROVIDER_ASPECT_RATIOS, key=lambda ratio: kept_fraction(ratio.value, target))


@dataclass(frozen=True, slots=True)
class Box:
    """A pixel box, right and bottom exclusive, as Pillow's crop takes it."""

    left: int
    top: int
    right: int
    bottom: int

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top


def crop_box(width: int, height: int, target: float) -> Box:
    """The largest centred box of aspect `target` inside a `width` x `height` image."""
    if width <= 0 or height <= 0 or target <= 0:
        raise ValueError("sizes and aspect must be positive")
    if width / height > target:
        crop_w = max(1, min(width, round(height * target)))
        left = (width - crop_w) // 2
        return Box(left, 0, left + crop_w, height)
    crop_h = max(1, min(height, round(width / target)))
    top = (height - crop_h) // 2
    return Box(0, top, width, top + crop_h)


def size_for_width(width: int, target: float) -> tuple[int, int]:
    """A pixel size of the given width whose aspect is as close to `target` as it can be."""
    return width, max(1, round(width / target))


def mm_to_px(mm: float, dpi: int = PRINT_DPI) -> int:
    return round(mm / MM_PER_INCH * dpi)


def print_size(
    phone: PhoneModel, kind: Kind, *, dpi: int = PRINT_DPI, bleed_mm: float = 0.0
) -> tuple[int, int]:
    """Pixel size of the final file.

    A skin is the body at `dpi` with `bleed_mm` added on every side; a wallpaper is
    the screen's native resolution, whatever the DPI.
    """
    if kind is Kind.WALLPAPER:
        return phone.screen_width_px, phone.screen_height_px
    return (
        mm_to_px(phone.width_mm + 2 * bleed_mm, dpi),
        mm_to_px(phone.height_mm + 2 * bleed_mm, dpi),
    )


@dataclass(frozen=True, slots=True)
class RoundedRect:
    """A rectangle with circular corners, in mm from the canvas's top-left corner."""

    x: float
    y: float
    width: float
    height: float
    radius: float


@dataclass(frozen=True, slots=True)
class MaskOutline:
    """What a mask is drawn from: an opaque outline with transparent holes.

    The canvas is `width_mm` x `height_mm`; everything outside `outline` and
    inside any of `holes` is transparent.
    """

    width_mm: float
    height_mm: float
    outline: RoundedRect
    holes: tuple[RoundedRect, ...]


def mask_outline(phone: PhoneModel, kind: Kind, *, bleed_mm: float = 0.0) -> MaskOutline:
    """The outline of a skin (body and camera cut-outs) or of a wallpaper (the screen).

    With a bleed the artwork reaches `bleed_mm` past the cut line all round and the
    canvas grows to match; holes keep their true size so the cut-outs stay clear.
    A wallpaper's corner is the body's less the side bezel; it has no holes.
    """
    if kind is Kind.WALLPAPER:
        screen_w, screen_h = screen_size_mm(phone)
        bezel = max(0.0, (phone.width_mm - screen_w) / 2)
        radius = max(0.0, phone.corner_radius_mm - bezel)
        outline = RoundedRect(0.0, 0.0, screen_w, screen_h, min(radius, screen_w / 2))
        return MaskOutline(screen_w, screen_h, outline, ())
    canvas_w = phone.width_mm + 2 * bleed_mm
    canvas_h = phone.height_mm + 2 * bleed_mm
    outline = RoundedRect(
        0.0,
        0.0,
        canvas_w,
        canvas_h,
        min(phone.corner_radius_mm + bleed_mm, canvas_w / 2, canvas_h / 2),
    )
    holes = tuple(
        RoundedRect(
            c.x_mm + bleed_mm, c.y_mm + bleed_mm, c.width_mm, c.height_mm, c.effective_radius_mm
        )
        for c in phone.cutouts
    )
    return MaskOutline(canvas_w, canvas_h, outline, holes)
