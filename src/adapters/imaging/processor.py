"""PillowImageProcessor: the ImageProcessor port on Pillow, off the event loop."""

import asyncio
import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import TypeVar

from adapters.imaging.compose import (
    render_artwork_and_preview,
    render_preview,
    render_print_file,
)
from adapters.imaging.decoding import DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS, ImageLimits
from adapters.imaging.masks import MaskCache, mask_height
from adapters.imaging.normalisation import normalise
from application.ports import ImageInfo
from domain.errors import InvalidInput
from domain.geometry import Kind, mask_outline
from domain.phones import PhoneModel

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Pixel threads yield to the event loop: a nice value of 10 gets about a tenth of the
# CPU share of the default 0 when both want the same core.
PIXEL_THREAD_NICENESS = 10
# A mask served by the API is for display; 4096 px covers any screen at 3x.
DEFAULT_MAX_MASK_WIDTH = 4096


def _yield_to_the_event_loop() -> None:
    """Run this pixel thread at a lower priority than the rest of the process (Linux keeps
    a nice value per thread), so that under load the kernel hands a core to the event loop
    first and requests keep being answered while images wait."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), PIXEL_THREAD_NICENESS)


class PillowImageProcessor:
    """Every pixel operation, each in a thread of its own pool, at most `concurrency` at once.

    Rules: `max_bytes` and `max_pixels` cap every image read (uploads, provider
    output, artwork), checked before decoding; a mask is between 1 and
    `max_mask_width` pixels wide; a cached mask is answered without a thread; the
    pool's threads run at a lower priority than the event loop's. Known limit: the
    semaphore belongs to the first event loop that waits on it.
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
        self._pool = ThreadPoolExecutor(
            max_workers=slots, thread_name_prefix="pixels", initializer=_yield_to_the_event_loop
        )
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

    async def artwork_with_preview(
        self, data: bytes, phone: PhoneModel, kind: Kind, max_width: int
    ) -> tuple[ImageInfo, ImageInfo]:
        work = partial(
            render_artwork_and_preview,
            data,
            phone,
            kind,
            max_width,
            limits=self._limits,
            masks=self._masks,
        )
        return await self._run("artwork_preview", work)

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
            result = await asyncio.get_running_loop().run_in_executor(self._pool, work)
        logger.debug("image step=%s duration_ms=%.1f", step, (time.perf_counter() - started) * 1000)
        return result

    def close(self) -> None:
        """Let the pool's threads end once the work given to them is done."""
        self._pool.shutdown(wait=False)
