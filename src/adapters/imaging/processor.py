"""PillowImageProcessor: the ImageProcessor port on Pillow, off the event loop."""

import asyncio
import logging
import os
import time
from collections.abc import Callable
from functools import partial
from typing import TypeVar

from adapters.imaging.compose import render_preview, render_print_file
from adapters.imaging.decoding import DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS, ImageLimits
from adapters.imaging.masks import MaskCache, mask_height
from adapters.imaging.normalisation import normalise
from application.ports import ImageInfo
from domain.errors import InvalidInput
from domain.geometry import Kind, mask_outline
from domain.phones import PhoneModel

logger = logging.getLogger(__name__)

T = TypeVar("T")

# A mask served by the API is for display; 4096 px covers any screen at 3x.
DEFAULT_MAX_MASK_WIDTH = 4096


class PillowImageProcessor:
    """Every pixel operation, each in a worker thread, at most `concurrency` at once.

    Rules: `max_bytes` and `max_pixels` cap every image read (uploads, provider
    output, artwork), checked before decoding; a mask is between 1 and
    `max_mask_width` pixels wide; a cached mask is answered without a thread.
    Known limit: the semaphore belongs to the first event loop that waits on it.
    """

    def __init__(
        self,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_pixels: int = DEFAULT_MAX_PIXELS,
        concurrency: int | None = None,
        max_mask_width: int = DEFAULT_MAX_MASK_WIDTH,
        masks: MaskCache | None = None,
    ) -> None:
        slots = concurrency if concurrency is not None else (os.cpu_count() or 1)
        if slots < 1:
            raise ValueError("concurrency must be at least 1")
        self._limits = ImageLimits(max_bytes=max_bytes, max_pixels=max_pixels)
        self._slots = asyncio.Semaphore(slots)
        self._max_mask_width = max_mask_width
        self._masks = masks if masks is not None else MaskCache()

    async def normalise(self, data: bytes) -> ImageInfo:
        return await self._run("normalise", partial(normalise, data, self._limits))

    async def preview(
        self, artwork: bytes, phone: PhoneModel, kind: Kind, max_width: int
    ) -> ImageInfo:
        work = partial(
            render_preview, artwork, phone, kind, max_width, limits=self._limits, masks=self._masks
        )
        return await self._run("preview", work)

    async def print_file(self, artwork: bytes, phone: PhoneModel, kind: Kind) -> ImageInfo:
        work = partial(
            render_print_file, artwork, phone, kind, limits=self._limits, masks=self._masks
        )
        return await self._run("print_file", work)

    async def mask(self, phone: PhoneModel, kind: Kind, width: int) -> bytes:
        if not 1 <= width <= self._max_mask_width:
            raise InvalidInput(
                f"The mask width must be from 1 to {self._max_mask_width} pixels.",
                code="mask_width_out_of_range",
                field="width",
            )
        outline = mask_outline(phone, kind)
        size = (width, mask_height(outline, width))
        cached = self._masks.cached_png(outline, size)
        if cached is not None:
            return cached
        return await self._run("mask", partial(self._masks.png, outline, size))

    async def _run(self, step: str, work: Callable[[], T]) -> T:
        async with self._slots:
            started = time.perf_counter()
            result = await asyncio.to_thread(work)
        logger.debug("image step=%s duration_ms=%.1f", step, (time.perf_counter() - started) * 1000)
        return result
