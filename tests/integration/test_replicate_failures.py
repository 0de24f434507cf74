"""The provider's failure modes, each with what the caller gets, against the fake provider."""

import socket
import time

import pytest

from application.ports import GenerationRequest, PredictionState
from domain.errors import ProviderBusy, ProviderFailed, SubmissionLost
from domain.geometry import aspect_by_name
from fakes.replicate_fake import LostAnswer, ServerError, Throttle
from fakes.replicate_support import client_for, provider_world

pytestmark = pytest.mark.integration

REQUEST = GenerationRequest(prompt="a fern", aspect_ratio=aspect_by_name("1:1"), count=1, seed=9)


async def test_throttled_create_waits_as_the_header_says_then_succeeds() -> None:
    async with provider_world(latency=0.05) as world:
        world.fake.on_next_create(Throttle(retry_after=0.2, body_hint=False))
        generator = world.generator()

        started = time.monotonic()
        prediction_id = await generator.submit(REQUEST, "design-1")

        assert time.monotonic() - started >= 0.2
        assert prediction_id == world.fake.predictions[0].id
        assert len(world.fake.requests_to("/v1/models/")) == 2
        assert world.fake.created_count == 1


async def test_throttle_hint_given_only_in_the_body_is_honoured() -> None:
    async with provider_world(latency=0.05) as world:
        world.fake.on_next_create(Throttle(retry_after=0.15, header=False))
        generator = world.generator()

        started = time.monotonic()
        await generator.submit(REQUEST, "design-1")

        assert time.monotonic() - started >= 0.15
        assert world.fake.created_count == 1


async def test_throttling_past_the_bound_is_provider_busy_without_a_prediction() -> None:
    async with provider_world() as world:
        world.fake.on_next_create(Throttle(retry_after=0.2), Throttle(retry_after=0.2))
        generator = world.generator(max_wait_429_seconds=0.3)

        with pytest.raises(ProviderBusy) as raised:
            await generator.submit(REQUEST, "design-1")

        assert raised.value.retry_after_seconds >= 1
        assert world.fake.created_count == 0
        assert len(world.fake.requests_to("/v1/models/")) == 2


async def test_lost_create_answer_is_submission_lost_and_found_again_by_reference() -> None:
    async with provider_world(latency=0.05) as world:
        world.fake.on_next_create(LostAnswer())
        generator = world.generator()

        with pytest.raises(SubmissionLost):
            await generator.submit(REQUEST, "design-7")
        found = await generator.find("design-7")

        assert found == world.fake.predictions[0].id
        assert world.fake.created_count == 1
        assert len(world.fake.requests_to("/v1/models/")) == 1
        outcome = await generator.outcome(found, REQUEST, wait_seconds=5)
        assert outcome.state is PredictionState.SUCCEEDED


async def test_create_answer_that_never_comes_in_time_is_submission_lost() -> None:
    async with provider_world() as world:
        world.fake.on_next_create(LostAnswer(hold_seconds=2.0))
        generator = world.generator(create_timeout_seconds=0.2)

        with pytest.raises(SubmissionLost):
            await generator.submit(REQUEST, "design-1")

        assert world.fake.created_count == 1
        assert len(world.fake.requests_to("/v1/models/")) == 1


async def test_server_error_on_create_is_submission_lost_and_nothing_is_found() -> None:
    async with provider_world() as world:
        world.fake.on_next_create(ServerError(500))
        generator = world.generator()

        with pytest.raises(SubmissionLost):
            await generator.submit(REQUEST, "design-1")

        assert await generator.find("design-1") is None
        assert world.fake.created_count == 0


async def test_find_reads_older_pages_and_ignores_other_references() -> None:
    async with provider_world(page_size=2) as world:
        generator = world.generator()
        first = await generator.submit(REQUEST, "design-a")
        await generator.submit(REQUEST, "design-b")
        await generator.submit(REQUEST, "design-c")

        assert await generator.find("design-a") == first
        assert await generator.find("design-z") is None


async def test_find_without_a_webhook_url_finds_nothing() -> None:
    async with provider_world() as world:
        generator = world.generator(webhook_url=None)
        await generator.submit(REQUEST, "design-1")

        assert await generator.find("design-1") is None


async def test_request_the_provider_refuses_is_provider_failed() -> None:
    async with provider_world() as world:
        generator = world.generator(model="acme/no-such-model")

        with pytest.raises(ProviderFailed) as raised:
            await generator.submit(REQUEST, "design-1")

        assert not isinstance(raised.value, SubmissionLost)
        assert world.fake.created_count == 0


async def test_unreachable_provider_on_create_is_provider_failed() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    async with provider_world() as world:
        world.client = client_for(f"http://127.0.0.1:{closed_port}", "fake-token")
        generator = world.generator()

        with pytest.raises(ProviderFailed) as raised:
            await generator.submit(REQUEST, "design-1")

        assert not isinstance(raised.value, SubmissionLost)
        await world.api().aclose()


async def test_service_unavailable_while_polling_is_retried_by_the_client() -> None:
    async with provider_world(latency=0.05) as world:
        generator = world.generator()
        prediction_id = await generator.submit(REQUEST, "design-1")
        world.fake.fail_next_gets(2, status=503)

        outcome = await generator.outcome(prediction_id, REQUEST, wait_seconds=5)

        assert outcome.state is PredictionState.SUCCEEDED
        assert len(world.fake.requests_to(f"/v1/predictions/{prediction_id}")) >= 3


async def test_provider_error_while_polling_leaves_the_generation_running() -> None:
    async with provider_world(latency=0.05) as world:
        generator = world.generator()
        prediction_id = await generator.submit(REQUEST, "design-1")
        world.fake.fail_next_gets(1, status=500)

        outcome = await generator.outcome(prediction_id, REQUEST, wait_seconds=0)

        assert outcome.state is PredictionState.RUNNING
        assert outcome.error is not None


async def test_prediction_the_provider_does_not_know_is_failed() -> None:
    async with provider_world() as world:
        generator = world.generator()

        outcome = await generator.outcome("nosuchprediction", REQUEST, wait_seconds=0)

        assert outcome.state is PredictionState.FAILED
