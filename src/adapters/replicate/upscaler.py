"""ReplicateUpscaler: the Upscaler port on real-esrgan at a pinned version.

Rules: `scale` is 2 or 4 (anything else is a programming error); `face_enhance` is
off (artwork, not portraits); the input is shrunk first when it has more pixels than
the provider's GPU memory takes (about 2,096,704, i.e. 1448x1448), so the result is
then `scale` times the shrunk size, and the caller fits it to the print size; the
input goes as a data URI (see `inputs`); submit, find and outcome behave as the
generator's do. Known limit: the version is pinned by id and must be updated by hand.
"""

import asyncio
import logging
import random

from replicate.client import Client

from adapters.replicate.fetching import OutputFetcher
from adapters.replicate.inputs import DATA_URI_MAX_BYTES, prepare_within
from adapters.replicate.lookup import DEFAULT_WINDOW, LookupWindow
from adapters.replicate.polling import DEFAULT_SCHEDULE, PollSchedule
from adapters.replicate.submission import Target
from adapters.replicate.wiring import prediction_runs
from application.ports import PredictionState, UpscaleOutcome

logger = logging.getLogger(__name__)

MODEL = "nightmareai/real-esrgan"
# The model's page lists its versions; this one takes image, scale and face_enhance.
REAL_ESRGAN_VERSION = "f121d640bd286e1fdc67f9799164c1d5be36ff74576ee11c803ae5b665dd46aa"
# Inputs above this fail at the provider for lack of GPU memory.
MAX_INPUT_PIXELS = 2_096_704
SCALES = (2, 4)


class ReplicateUpscaler:
    name = "replicate:real-esrgan"

    def __init__(
        self,
        client: Client,
        *,
        fetcher: OutputFetcher,
        version: str = REAL_ESRGAN_VERSION,
        webhook_url: str | None = None,
        max_input_pixels: int = MAX_INPUT_PIXELS,
        deadline_seconds: float = 600.0,
        max_wait_429_seconds: float = 30.0,
        create_timeout_seconds: float = 30.0,
        max_input_uri_bytes: int = DATA_URI_MAX_BYTES,
        image_concurrency: int = 2,
        poll_schedule: PollSchedule = DEFAULT_SCHEDULE,
        lookup_window: LookupWindow = DEFAULT_WINDOW,
        rng: random.Random | None = None,
    ) -> None:
        if max_input_pixels < 1:
            raise ValueError("max_input_pixels must be positive")
        self._target = Target.pinned(MODEL, version)
        self._max_pixels = max_input_pixels
        self._max_uri_bytes = max_input_uri_bytes
        self._image_slots = asyncio.Semaphore(image_concurrency)
        self._runs = prediction_runs(
            client,
            fetcher,
            webhook_url=webhook_url,
            deadline_seconds=deadline_seconds,
            max_wait_429_seconds=max_wait_429_seconds,
            create_timeout_seconds=create_timeout_seconds,
            poll_schedule=poll_schedule,
            lookup_window=lookup_window,
            rng=rng,
        )

    async def submit(self, image: bytes, scale: int, reference: str) -> str:
        if scale not in SCALES:
            raise ValueError(f"scale must be one of {SCALES}, not {scale}")
        async with self._image_slots:
            prepared = await asyncio.to_thread(
                prepare_within, image, self._max_pixels, max_uri_bytes=self._max_uri_bytes
            )
        logger.debug(
            "upscale input reference=%s size=%dx%d bytes=%d",
            reference,
            prepared.width,
            prepared.height,
            prepared.encoded_bytes,
        )
        model_input = {"image": prepared.data_uri, "scale": scale, "face_enhance": False}
        return await self._runs.submit(self._target, model_input, reference)

    async def find(self, reference: str) -> str | None:
        return await self._runs.find(
            reference, models=(self._target.label,), versions=(self._target.version or "",)
        )

    async def outcome(
        self, prediction_id: str, image: bytes, scale: int, wait_seconds: float
    ) -> UpscaleOutcome:
        progress = await self._runs.progress(prediction_id, wait_seconds)
        if progress.state is PredictionState.SUCCEEDED:
            return UpscaleOutcome(progress.state, image=progress.files[0])
        return UpscaleOutcome(progress.state, error=progress.error)
