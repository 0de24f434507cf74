"""The generator against the fake provider, through the real `replicate` client."""

import asyncio
import time

import pytest

from adapters.replicate.polling import PollSchedule
from adapters.system.notices import InProcessPredictionNotices
from application.ports import GenerationRequest, PredictionState
from domain.geometry import aspect_by_name
from fakes.replicate_fake import FLUX_DEV, FLUX_SCHNELL, Behaviour
from fakes.replicate_support import image_size, png_image, provider_world

pytestmark = pytest.mark.integration

PORTRAIT = aspect_by_name("9:16")


def request(count: int = 2, *, prompt: str | None = "a koi pond", photo: bytes | None = None):
    return GenerationRequest(
        prompt=prompt, aspect_ratio=PORTRAIT, count=count, seed=1234, source_image=photo
    )


async def test_generation_succeeds_with_every_image_copied() -> None:
    async with provider_world(latency=0.1) as world:
        generator = world.generator()

        prediction_id = await generator.submit(request(2), "design-1")
        outcome = await generator.outcome(prediction_id, request(2), wait_seconds=5)

        assert outcome.state is PredictionState.SUCCEEDED
        assert [image_size(image) for image in outcome.images] == [(768, 1344), (768, 1344)]
        assert generator.name == "replicate:black-forest-labs/flux-schnell"


async def test_generation_sends_the_reproducible_inputs_and_a_deadline() -> None:
    async with provider_world(latency=0.1) as world:
        generator = world.generator(deadline_seconds=120)

        await generator.submit(request(3), "design-1")

        sent = world.fake.predictions[0]
        assert sent.model == FLUX_SCHNELL
        assert sent.input == {
            "prompt": "a koi pond",
            "aspect_ratio": "9:16",
            "num_outputs": 3,
            "seed": 1234,
            "output_format": "png",
            "go_fast": False,
        }
        create = world.fake.requests_to("/v1/models/")[0]
        assert create.headers["cancel-after"] == "120s"
        assert "prefer" not in create.headers


async def test_submit_returns_before_the_prediction_ends() -> None:
    async with provider_world(latency=0.3) as world:
        generator = world.generator()

        started = time.monotonic()
        prediction_id = await generator.submit(request(1), "design-1")
        outcome = await generator.outcome(prediction_id, request(1), wait_seconds=0)

        assert time.monotonic() - started < 0.3
        assert outcome.state is PredictionState.RUNNING
        assert outcome.images == []


async def test_fewer_images_than_asked_is_a_success() -> None:
    async with provider_world(latency=0.05) as world:
        world.fake.on_next_prediction(Behaviour(blocked=1))
        generator = world.generator()

        prediction_id = await generator.submit(request(3), "design-1")
        outcome = await generator.outcome(prediction_id, request(3), wait_seconds=5)

        assert outcome.state is PredictionState.SUCCEEDED
        assert len(outcome.images) == 2
        assert not outcome.blocked


async def test_every_image_blocked_is_a_blocked_failure() -> None:
    async with provider_world(latency=0.05) as world:
        world.fake.on_next_prediction(Behaviour(blocked=2))
        generator = world.generator()

        prediction_id = await generator.submit(request(2), "design-1")
        outcome = await generator.outcome(prediction_id, request(2), wait_seconds=5)

        assert outcome.state is PredictionState.FAILED
        assert outcome.blocked
        assert outcome.images == []


async def test_failed_prediction_is_a_failure_with_the_providers_reason() -> None:
    async with provider_world(latency=0.05) as world:
        world.fake.on_next_prediction(Behaviour(error="The model crashed."))
        generator = world.generator()

        prediction_id = await generator.submit(request(1), "design-1")
        outcome = await generator.outcome(prediction_id, request(1), wait_seconds=5)

        assert outcome.state is PredictionState.FAILED
        assert not outcome.blocked
        assert outcome.error == "The model crashed."


async def test_deadline_before_the_prediction_starts_aborts_it_as_a_failure() -> None:
    async with provider_world() as world:
        world.fake.on_next_prediction(Behaviour(start_seconds=2.0, run_seconds=0.1))
        generator = world.generator(deadline_seconds=0.15)

        prediction_id = await generator.submit(request(1), "design-1")
        outcome = await generator.outcome(prediction_id, request(1), wait_seconds=5)

        assert outcome.state is PredictionState.FAILED
        assert outcome.error is not None and "aborted" in outcome.error
        assert world.fake.billed_count() == 0


async def test_deadline_while_running_cancels_it_as_a_failure() -> None:
    async with provider_world() as world:
        world.fake.on_next_prediction(Behaviour(start_seconds=0.0, run_seconds=2.0))
        generator = world.generator(deadline_seconds=0.15)

        prediction_id = await generator.submit(request(1), "design-1")
        outcome = await generator.outcome(prediction_id, request(1), wait_seconds=5)

        assert outcome.state is PredictionState.FAILED
        assert outcome.error is not None and "canceled" in outcome.error


async def test_outputs_removed_by_the_provider_can_no_longer_be_copied() -> None:
    async with provider_world(latency=0.05, data_removed_after=0.0) as world:
        generator = world.generator()

        prediction_id = await generator.submit(request(1), "design-1")
        outcome = await generator.outcome(prediction_id, request(1), wait_seconds=5)

        assert outcome.state is PredictionState.FAILED
        assert outcome.error is not None and "removed" in outcome.error


async def test_photo_runs_image_to_image_on_the_photo_cropped_to_the_aspect() -> None:
    async with provider_world(latency=0.05) as world:
        generator = world.generator()
        photo_request = request(1, prompt="in watercolour", photo=png_image(600, 400))

        prediction_id = await generator.submit(photo_request, "design-1")
        outcome = await generator.outcome(prediction_id, photo_request, wait_seconds=5)

        assert outcome.state is PredictionState.SUCCEEDED
        received = world.fake.received_images[0]
        assert (received.model, received.width, received.height) == (FLUX_DEV, 768, 1344)
        assert world.fake.predictions[0].input["prompt_strength"] == 0.8


SELDOM = PollSchedule(first_seconds=30.0, growth=1.5, max_seconds=30.0)


async def test_a_waiting_outcome_asks_again_when_the_webhook_is_announced() -> None:
    async with provider_world(latency=0.3) as world:
        notices = InProcessPredictionNotices()
        generator = world.generator(notices=notices, noticed_schedule=SELDOM)
        prediction_id = await generator.submit(request(1), "design-1")

        async def relay_the_webhook() -> None:
            await world.receiver.wait_for(1)
            await notices.announce(prediction_id)

        relay = asyncio.create_task(relay_the_webhook())
        outcome = await generator.outcome(prediction_id, request(1), wait_seconds=10)
        await relay

        # Polling alone would have asked once at the start and once after 10 s.
        assert outcome.state is PredictionState.SUCCEEDED
        asked = world.fake.requests_to(f"/v1/predictions/{prediction_id}")
        assert len(asked) == 2


async def test_a_notice_that_went_astray_costs_only_the_next_poll() -> None:
    async with provider_world(latency=0.1) as world:
        generator = world.generator(
            notices=InProcessPredictionNotices(),
            noticed_schedule=PollSchedule(first_seconds=0.3, growth=1.5, max_seconds=0.5),
        )
        prediction_id = await generator.submit(request(1), "design-1")

        outcome = await generator.outcome(prediction_id, request(1), wait_seconds=10)

        assert outcome.state is PredictionState.SUCCEEDED
        # At once, then after the first interval (once only, if the first already saw it).
        assert len(world.fake.requests_to(f"/v1/predictions/{prediction_id}")) <= 2


async def test_without_a_webhook_notices_are_not_waited_for() -> None:
    async with provider_world(latency=0.1) as world:
        generator = world.generator(
            webhook_url=None, notices=InProcessPredictionNotices(), noticed_schedule=SELDOM
        )
        prediction_id = await generator.submit(request(1), "design-1")

        outcome = await generator.outcome(prediction_id, request(1), wait_seconds=10)

        assert outcome.state is PredictionState.SUCCEEDED
