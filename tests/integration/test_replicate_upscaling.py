"""The upscaler against the fake provider's real-esrgan, through the real `replicate` client."""

import pytest

from adapters.replicate.upscaler import MAX_INPUT_PIXELS, REAL_ESRGAN_VERSION
from application.ports import PredictionState
from domain.errors import SubmissionLost
from fakes.replicate_fake import REAL_ESRGAN, LostAnswer
from fakes.replicate_support import image_size, png_image, provider_world

pytestmark = pytest.mark.integration


async def test_upscale_enlarges_the_image_by_the_scale() -> None:
    async with provider_world(latency=0.05) as world:
        upscaler = world.upscaler()
        artwork = png_image(64, 48)

        prediction_id = await upscaler.submit(artwork, 4, "job-1")
        outcome = await upscaler.outcome(prediction_id, artwork, 4, wait_seconds=5)

        assert outcome.state is PredictionState.SUCCEEDED
        assert outcome.image is not None and image_size(outcome.image) == (256, 192)
        sent = world.fake.predictions[0]
        assert (sent.model, sent.version) == (REAL_ESRGAN, REAL_ESRGAN_VERSION)
        assert sent.input["scale"] == 4
        assert sent.input["face_enhance"] is False
        assert upscaler.name == "replicate:real-esrgan"


async def test_upscale_input_is_shrunk_under_the_providers_pixel_limit() -> None:
    async with provider_world(latency=0.05) as world:
        upscaler = world.upscaler()
        artwork = png_image(2000, 1500)

        prediction_id = await upscaler.submit(artwork, 2, "job-1")
        outcome = await upscaler.outcome(prediction_id, artwork, 2, wait_seconds=10)

        received = world.fake.received_images[0]
        assert received.width * received.height <= MAX_INPUT_PIXELS
        assert abs(received.width / received.height - 2000 / 1500) < 0.01
        assert received.encoded_bytes < 1_000_000
        assert outcome.state is PredictionState.SUCCEEDED
        assert outcome.image is not None
        assert image_size(outcome.image) == (received.width * 2, received.height * 2)


async def test_upscale_whose_create_answer_was_lost_is_found_by_its_job() -> None:
    async with provider_world(latency=0.05) as world:
        world.fake.on_next_create(LostAnswer())
        upscaler = world.upscaler()

        with pytest.raises(SubmissionLost):
            await upscaler.submit(png_image(32, 32), 2, "job-9")

        assert await upscaler.find("job-9") == world.fake.predictions[0].id
        assert world.fake.created_count == 1


async def test_upscale_scale_other_than_two_or_four_is_a_programming_error() -> None:
    async with provider_world() as world:
        upscaler = world.upscaler()

        with pytest.raises(ValueError):
            await upscaler.submit(png_image(32, 32), 3, "job-1")

        assert world.fake.created_count == 0
