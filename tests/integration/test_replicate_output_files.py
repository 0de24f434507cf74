"""Copying the provider's output files: never with the token, only from allowed hosts, capped."""

import pytest

from application.ports import GenerationRequest, PredictionState
from domain.geometry import aspect_by_name
from fakes.replicate_fake import Behaviour
from fakes.replicate_support import provider_world

pytestmark = pytest.mark.integration

REQUEST = GenerationRequest(prompt="a fern", aspect_ratio=aspect_by_name("1:1"), count=2, seed=9)


async def test_the_api_token_never_reaches_file_delivery() -> None:
    async with provider_world(latency=0.05) as world:
        generator = world.generator()

        prediction_id = await generator.submit(REQUEST, "design-1")
        outcome = await generator.outcome(prediction_id, REQUEST, wait_seconds=5)

        assert outcome.state is PredictionState.SUCCEEDED
        file_requests = world.fake.requests_to("/files/")
        assert len(file_requests) == 2
        assert all("authorization" not in r.headers for r in file_requests)
        assert all(world.fake.token not in str(r.headers) for r in file_requests)
        api_requests = world.fake.requests_to("/v1/")
        assert all(r.headers["authorization"] == "Bearer fake-token" for r in api_requests)


async def test_output_on_a_host_not_allowed_is_refused_without_being_fetched() -> None:
    async with provider_world(latency=0.05) as world:
        world.fake.on_next_prediction(Behaviour(output_base=world.fake.alias_base_url))
        generator = world.generator()

        prediction_id = await generator.submit(REQUEST, "design-1")
        outcome = await generator.outcome(prediction_id, REQUEST, wait_seconds=5)

        assert outcome.state is PredictionState.FAILED
        assert outcome.error is not None and "not allowed" in outcome.error
        assert world.fake.requests_to("/files/") == []


async def test_output_larger_than_the_cap_is_refused() -> None:
    async with provider_world(latency=0.05) as world:
        generator = world.generator(fetcher=world.fetcher_with(max_bytes=1_000))

        prediction_id = await generator.submit(REQUEST, "design-1")
        outcome = await generator.outcome(prediction_id, REQUEST, wait_seconds=5)

        assert outcome.state is PredictionState.FAILED
        assert outcome.error is not None and "larger than 1000 bytes" in outcome.error
