"""ReplicateImageGenerator: the ImageGenerator port on flux models at the provider.

Rules:
- a prompt runs `model` (flux-schnell by default) with the request's aspect ratio,
  `count` outputs (1 to 4), its seed, `output_format`, and `go_fast` off so that the
  seed reproduces the images;
- a source photo runs `image_model` (flux-dev) image to image: the photo is
  cover-cropped to the aspect ratio's pixel size and sent as a data URI (see
  `inputs`), with `prompt_strength`; a photo without a prompt is redrawn with a
  neutral prompt and a low strength;
- `submit` only creates (never waits), with a Cancel-After deadline, and carries the
  reference in the webhook URL (see `references`), which `find` looks for;
- `outcome` polls until the prediction ends or the wait runs out (with `notices`, it
  waits for the webhook's notice instead, polling seldom) and copies every
  output through the OutputFetcher; fewer images than asked is a success, all of
  them blocked by the safety filter is FAILED with `blocked` set.
Known limit: without `webhook_url`, `find` cannot find a prediction whose answer was lost.
"""

import asyncio
import logging
import random

from replicate.client import Client

from adapters.replicate.fetching import OutputFetcher
from adapters.replicate.inputs import DATA_URI_MAX_BYTES, prepare_cover
from adapters.replicate.lookup import DEFAULT_WINDOW, LookupWindow
from adapters.replicate.polling import DEFAULT_SCHEDULE, NOTICED_SCHEDULE, PollSchedule
from adapters.replicate.submission import Target
from adapters.replicate.wiring import prediction_runs
from application.ports import GenerationOutcome, GenerationRequest, PredictionNotices
from domain.errors import ProviderFailed

logger = logging.getLogger(__name__)

DEFAULT_MODEL = "black-forest-labs/flux-schnell"
DEFAULT_IMAGE_MODEL = "black-forest-labs/flux-dev"
OUTPUT_FORMATS = ("png", "webp", "jpg")
MAX_OUTPUTS = 4
# flux-dev requires a prompt; a photo sent alone is redrawn with little change.
PHOTO_ONLY_PROMPT = "the same picture, faithfully redrawn in high quality"
PHOTO_ONLY_STRENGTH = 0.35


class ReplicateImageGenerator:
    def __init__(
        self,
        client: Client,
        *,
        fetcher: OutputFetcher,
        webhook_url: str | None = None,
        model: str = DEFAULT_MODEL,
        image_model: str = DEFAULT_IMAGE_MODEL,
        output_format: str = "png",
        prompt_strength: float = 0.8,
        deadline_seconds: float = 120.0,
        max_wait_429_seconds: float = 30.0,
        create_timeout_seconds: float = 30.0,
        max_source_uri_bytes: int = DATA_URI_MAX_BYTES,
        image_concurrency: int = 2,
        poll_schedule: PollSchedule = DEFAULT_SCHEDULE,
        lookup_window: LookupWindow = DEFAULT_WINDOW,
        rng: random.Random | None = None,
        notices: PredictionNotices | None = None,
        noticed_schedule: PollSchedule = NOTICED_SCHEDULE,
    ) -> None:
        if output_format not in OUTPUT_FORMATS:
            raise ValueError(f"output_format must be one of {OUTPUT_FORMATS}")
        if not 0 <= prompt_strength <= 1:
            raise ValueError("prompt_strength is between 0 and 1")
        self.name = f"replicate:{model}"
        self._text = Target.model(model)
        self._photo = Target.model(image_model)
        self._format = output_format
        self._strength = prompt_strength
        self._max_uri_bytes = max_source_uri_bytes
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
            notices=notices,
            noticed_schedule=noticed_schedule,
        )
        if webhook_url is None:
            logger.warning("replicate generator without webhook; lost creates cannot be found")

    async def submit(self, request: GenerationRequest, reference: str) -> str:
        if not 1 <= request.count <= MAX_OUTPUTS:
            raise ProviderFailed(f"Between 1 and {MAX_OUTPUTS} images can be asked for.")
        if request.source_image is not None:
            model_input = await self._photo_input(request, request.source_image)
            return await self._runs.submit(self._photo, model_input, reference)
        if not request.prompt:
            raise ProviderFailed("Neither a prompt nor a photo was given.")
        model_input = {"prompt": request.prompt, **self._common(request)}
        return await self._runs.submit(self._text, model_input, reference)

    async def find(self, reference: str) -> str | None:
        return await self._runs.find(reference, models=(self._text.label, self._photo.label))

    async def outcome(
        self, prediction_id: str, request: GenerationRequest, wait_seconds: float
    ) -> GenerationOutcome:
        progress = await self._runs.progress(prediction_id, wait_seconds)
        return GenerationOutcome(
            progress.state, images=progress.files, error=progress.error, blocked=progress.blocked
        )

    def _common(self, request: GenerationRequest) -> dict[str, object]:
        return {
            "aspect_ratio": request.aspect_ratio.name,
            "num_outputs": request.count,
            "seed": request.seed,
            "output_format": self._format,
            "go_fast": False,
        }

    async def _photo_input(self, request: GenerationRequest, photo: bytes) -> dict[str, object]:
        size = (request.aspect_ratio.width_px, request.aspect_ratio.height_px)
        async with self._image_slots:
            prepared = await asyncio.to_thread(
                prepare_cover, photo, size, max_uri_bytes=self._max_uri_bytes
            )
        prompt = request.prompt or PHOTO_ONLY_PROMPT
        strength = self._strength if request.prompt else PHOTO_ONLY_STRENGTH
        return {
            "prompt": prompt,
            "image": prepared.data_uri,
            "prompt_strength": strength,
            **self._common(request),
        }
