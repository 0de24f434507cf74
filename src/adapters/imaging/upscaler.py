"""PillowUpscaler: the Upscaler port as a plain LANCZOS enlargement, in a thread."""

import asyncio
import logging
import os
import time

from PIL import Image

from adapters.imaging.decoding import DEFAULT_MAX_BYTES, ImageLimits
from adapters.imaging.encoding import png_bytes
from adapters.imaging.normalisation import decode_upright
from application.ports import PredictionState, UpscaleOutcome
from domain.errors import DomainError, ProviderFailed

logger = logging.getLogger(__name__)

SCALES = (2, 4)
# A 1 MP provider image enlarged 4 times is 16 MP; this leaves room to spare.
DEFAULT_MAX_OUTPUT_PIXELS = 40_000_000


class PillowUpscaler:
    """Enlarges an image 2 or 4 times with LANCZOS; no detail is invented.

    Rules: any other scale is a ValueError (a programming error, not a provider
    failure); an input that cannot be read, or whose enlargement would pass
    `max_output_pixels`, raises ProviderFailed. Output is PNG, RGB or RGBA.
    """

    def __init__(
        self,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_output_pixels: int = DEFAULT_MAX_OUTPUT_PIXELS,
        concurrency: int | None = None,
    ) -> None:
        slots = concurrency if concurrency is not None else (os.cpu_count() or 1)
        if slots < 1:
            raise ValueError("concurrency must be at least 1")
        self._max_bytes = max_bytes
        self._max_output_pixels = max_output_pixels
        self._slots = asyncio.Semaphore(slots)

    name = "pillow-local"

    async def submit(self, image: bytes, scale: int, reference: str) -> str:
        """Nothing is sent anywhere: the id only names the work `outcome` will do."""
        return f"local-{reference}"

    async def find(self, reference: str) -> str | None:
        """Local work leaves nothing behind to find; doing it again costs nothing."""
        return None

    async def outcome(
        self, prediction_id: str, image: bytes, scale: int, wait_seconds: float
    ) -> UpscaleOutcome:
        """Enlarges the image now, whatever the wait."""
        try:
            enlarged = await self.upscale(image, scale)
        except ProviderFailed as error:
            return UpscaleOutcome(PredictionState.FAILED, error=error.detail)
        return UpscaleOutcome(PredictionState.SUCCEEDED, image=enlarged)

    async def upscale(self, image: bytes, scale: int) -> bytes:
        if scale not in SCALES:
            raise ValueError(f"scale must be one of {SCALES}, not {scale}")
        async with self._slots:
            started = time.perf_counter()
            data = await asyncio.to_thread(self._upscale, image, scale)
        logger.debug(
            "upscaled scale=%d duration_ms=%.1f", scale, (time.perf_counter() - started) * 1000
        )
        return data

    def _upscale(self, data: bytes, scale: int) -> bytes:
        limits = ImageLimits(
            max_bytes=self._max_bytes,
            max_pixels=max(1, self._max_output_pixels // (scale * scale)),
        )
        try:
            source = decode_upright(data, limits)
        except DomainError as exc:
            raise ProviderFailed(f"The image cannot be upscaled: {exc.detail}") from exc
        size = (source.width * scale, source.height * scale)
        return png_bytes(source.resize(size, Image.Resampling.LANCZOS))
