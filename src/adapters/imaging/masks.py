"""Masks drawn from a phone's geometry: anti-aliased, at any pixel size, cached.

A mask is an "L" alpha image: 255 inside the outline, 0 outside it and inside
every cut-out, with intermediate values along each edge.
"""

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass

from PIL import Image, ImageDraw

from adapters.imaging.encoding import COMPACT_PNG_LEVEL, png_bytes
from domain.geometry import MaskOutline, RoundedRect

logger = logging.getLogger(__name__)

# Each output pixel averages a 4 x 4 grid of drawn pixels: 17 levels along an edge.
SUPERSAMPLING = 4
# Drawn pixels held at once; larger masks are drawn in horizontal strips.
STRIP_BUDGET_PX = 16_000_000
DEFAULT_MAX_ENTRIES = 256
DEFAULT_MAX_CACHE_BYTES = 64 * 1024 * 1024


def mask_height(outline: MaskOutline, width: int) -> int:
    """The pixel height of a mask `width` pixels wide, from the outline's aspect."""
    return max(1, round(width * outline.height_mm / outline.width_mm))


def render_mask(
    outline: MaskOutline, size: tuple[int, int], *, strip_budget_px: int = STRIP_BUDGET_PX
) -> Image.Image:
    """The outline drawn to fill `size` exactly, anti-aliased by supersampling."""
    width, height = size
    if width < 1 or height < 1:
        raise ValueError("a mask needs at least one pixel each way")
    factor = SUPERSAMPLING
    scale_x = width * factor / outline.width_mm
    scale_y = height * factor / outline.height_mm
    strip_rows = max(1, strip_budget_px // (width * factor * factor))
    mask = Image.new("L", size, 0)

    for top in range(0, height, strip_rows):
        rows = min(strip_rows, height - top)
        strip = Image.new("L", (width * factor, rows * factor), 0)
        draw = ImageDraw.Draw(strip)
        offset = top * factor
        _draw_rounded(draw, outline.outline, scale_x, scale_y, offset, 255)
        for hole in outline.holes:
            _draw_rounded(draw, hole, scale_x, scale_y, offset, 0)
        mask.paste(strip.reduce(factor), (0, top))
    return mask


def _draw_rounded(
    draw: ImageDraw.ImageDraw,
    rect: RoundedRect,
    scale_x: float,
    scale_y: float,
    offset: int,
    fill: int,
) -> None:
    # A drawn pixel belongs to the shape when its centre does; Pillow's box is inclusive.
    left = round(rect.x * scale_x)
    right = round((rect.x + rect.width) * scale_x)
    top = round(rect.y * scale_y)
    bottom = round((rect.y + rect.height) * scale_y)
    if right <= left or bottom <= top:
        return
    radius = min(
        round(rect.radius * min(scale_x, scale_y)), (right - left) // 2, (bottom - top) // 2
    )
    box = (left, top - offset, right - 1, bottom - 1 - offset)
    draw.rounded_rectangle(box, radius=radius, fill=fill)


@dataclass(slots=True)
class _Entry:
    alpha: Image.Image
    png: bytes | None = None

    @property
    def cost(self) -> int:
        return self.alpha.width * self.alpha.height + len(self.png or b"")


class MaskCache:
    """Rendered masks and their PNG bytes, least recently used first out; thread-safe.

    Keyed by the outline itself (so a corrected phone figure never serves a stale
    mask) and the pixel size. Bounded by entry count and by bytes held. Images
    handed out are shared: callers must not draw on them.
    """

    def __init__(
        self,
        *,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        max_bytes: int = DEFAULT_MAX_CACHE_BYTES,
    ) -> None:
        self._max_entries = max_entries
        self._max_bytes = max_bytes
        self._entries: OrderedDict[tuple[MaskOutline, tuple[int, int]], _Entry] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def alpha(self, outline: MaskOutline, size: tuple[int, int]) -> Image.Image:
        """The "L" mask of `outline` at `size`, rendered on first use."""
        entry = self._get((outline, size))
        if entry is None:
            entry = _Entry(render_mask(outline, size))
            entry = self._put((outline, size), entry)
        return entry.alpha

    def cached_png(self, outline: MaskOutline, size: tuple[int, int]) -> bytes | None:
        """The mask's PNG when it has been encoded before; never renders."""
        entry = self._get((outline, size))
        return None if entry is None else entry.png

    def png(self, outline: MaskOutline, size: tuple[int, int]) -> bytes:
        """The mask as a white RGBA PNG whose alpha is the mask, encoded once."""
        cached = self.cached_png(outline, size)
        if cached is not None:
            return cached
        alpha = self.alpha(outline, size)
        white = Image.new("L", size, 255)
        data = png_bytes(
            Image.merge("RGBA", (white, white, white, alpha)), compress_level=COMPACT_PNG_LEVEL
        )
        self._put((outline, size), _Entry(alpha, data))
        return data

    def _get(self, key: tuple[MaskOutline, tuple[int, int]]) -> _Entry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def _put(self, key: tuple[MaskOutline, tuple[int, int]], entry: _Entry) -> _Entry:
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old.cost
                if entry.png is None:
                    entry.png = old.png
            self._entries[key] = entry
            self._bytes += entry.cost
            while len(self._entries) > self._max_entries or (
                self._bytes > self._max_bytes and len(self._entries) > 1
            ):
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= evicted.cost
        logger.debug("mask cached size=%dx%d entries=%d", key[1][0], key[1][1], len(self))
        return entry
