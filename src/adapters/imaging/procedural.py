"""ProceduralImageGenerator: the ImageGenerator port with no provider at all."""

import asyncio
import logging
import os
import time

from PIL import Image

from adapters.imaging.artwork import label, procedural_art, stylised_photo
from adapters.imaging.decoding import DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS, ImageLimits
from adapters.imaging.encoding import png_bytes
from adapters.imaging.normalisation import decode_upright
from application.ports import GenerationOutcome, GenerationRequest, PredictionState
from domain.errors import DomainError, ProviderFailed
from domain.geometry import crop_box

logger = logging.getLogger(__name__)

GENERATOR_NAME = "procedural-local"


class ProceduralImageGenerator:
    """Seeded, labelled procedural art from the prompt, at the provider's pixel sizes.

    Rules: deterministic for (prompt, seed, variant index); `count` images at
    the aspect ratio's pixel size; with a source photo, the first image is the
    photo cover-cropped to that size and the rest stylise it. Known limit: it
    draws shapes and colours from a few English words, it understands nothing.
    """

    name = GENERATOR_NAME

    def __init__(
        self,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_pixels: int = DEFAULT_MAX_PIXELS,
        concurrency: int | None = None,
    ) -> None:
        slots = concurrency if concurrency is not None else (os.cpu_count() or 1)
        if slots < 1:
            raise ValueError("concurrency must be at least 1")
        self._limits = ImageLimits(max_bytes=max_bytes, max_pixels=max_pixels)
        self._slots = asyncio.Semaphore(slots)

    async def submit(self, request: GenerationRequest, reference: str) -> str:
        """Nothing is sent anywhere: the id only names the work `outcome` will do."""
        return f"local-{reference}"

    async def find(self, reference: str) -> str | None:
        """Local work leaves nothing behind to find; making it again costs nothing."""
        return None

    async def outcome(
        self, prediction_id: str, request: GenerationRequest, wait_seconds: float
    ) -> GenerationOutcome:
        """Draws the images now, whatever the wait: the art is ready in well under a second."""
        try:
            images = await self.generate(request)
        except ProviderFailed as error:
            return GenerationOutcome(PredictionState.FAILED, error=error.detail)
        return GenerationOutcome(PredictionState.SUCCEEDED, images=images)

    async def generate(self, request: GenerationRequest) -> list[bytes]:
        if request.count < 1:
            raise ProviderFailed("No image was asked for.")
        if request.prompt is None and request.source_image is None:
            raise ProviderFailed("Neither a prompt nor a photo was given.")
        async with self._slots:
            started = time.perf_counter()
            images = await asyncio.to_thread(self._generate, request)
        logger.debug(
            "procedural art count=%d ratio=%s duration_ms=%.1f",
            len(images),
            request.aspect_ratio.name,
            (time.perf_counter() - started) * 1000,
        )
        return images

    def _generate(self, request: GenerationRequest) -> list[bytes]:
        size = (request.aspect_ratio.width_px, request.aspect_ratio.height_px)
        photo = None if request.source_image is None else self._photo(request.source_image, size)
        images: list[bytes] = []
        for index in range(request.count):
            if photo is None:
                image = procedural_art(request.prompt, request.seed, index, size)
            else:
                image = stylised_photo(photo, request.prompt, request.seed, index)
            images.append(png_bytes(label(image)))
        return images

    def _photo(self, data: bytes, size: tuple[int, int]) -> Image.Image:
        try:
            image = decode_upright(data, self._limits)
        except DomainError as exc:
            raise ProviderFailed(f"The source photo cannot be used: {exc.detail}") from exc
        if image.mode == "RGBA":
            # A cut-out photo sits on white, as on a page.
            flat = Image.new("RGB", image.size, (255, 255, 255))
            flat.paste(image, mask=image.getchannel("A"))
            image = flat
        box = crop_box(image.width, image.height, size[0] / size[1])
        return image.resize(
            size,
            Image.Resampling.LANCZOS,
            box=(box.left, box.top, box.right, box.bottom),
            reducing_gap=2.0,
        )
