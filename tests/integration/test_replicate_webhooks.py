"""Webhooks signed by the fake provider, checked by WebhookVerifier."""

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from adapters.replicate.webhooks import WebhookVerifier, parse_prediction_event
from application.ports import GenerationRequest
from domain.errors import Unauthorized
from domain.geometry import aspect_by_name
from fakes.replicate_fake import HttpRequest
from fakes.replicate_support import ProviderWorld, provider_world

pytestmark = pytest.mark.integration

REQUEST = GenerationRequest(prompt="a fern", aspect_ratio=aspect_by_name("1:1"), count=1, seed=9)
OTHER_SECRET = "whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3ODk="


async def completed_delivery(world: ProviderWorld, reference: str = "design-1") -> HttpRequest:
    generator = world.generator()
    await generator.submit(REQUEST, reference)
    [delivery] = await world.receiver.wait_for(1)
    return delivery


def when_sent(delivery: HttpRequest) -> datetime:
    return datetime.fromtimestamp(int(delivery.headers["webhook-timestamp"]), UTC)


async def test_webhook_from_the_provider_verifies_and_names_the_prediction() -> None:
    async with provider_world(latency=0.05) as world:
        secret = await world.api().webhook_secret()
        delivery = await completed_delivery(world, "design-42")

        webhook_id = WebhookVerifier(secret).verify(
            delivery.headers, delivery.body, datetime.now(UTC)
        )
        event = parse_prediction_event(delivery.body)

        assert webhook_id == delivery.headers["webhook-id"]
        assert event.prediction_id == world.fake.predictions[0].id
        assert event.status == "succeeded"
        assert parse_qs(urlsplit(delivery.target).query)["reference"] == ["design-42"]


async def test_webhook_with_a_tampered_body_is_refused() -> None:
    async with provider_world(latency=0.05) as world:
        delivery = await completed_delivery(world)
        tampered = delivery.body.replace(b'"succeeded"', b'"failed"')

        with pytest.raises(Unauthorized) as raised:
            WebhookVerifier(world.fake.webhook_secret).verify(
                delivery.headers, tampered, when_sent(delivery)
            )

        assert raised.value.code == "webhook_signature_invalid"


async def test_webhook_older_than_five_minutes_is_refused() -> None:
    async with provider_world(latency=0.05) as world:
        delivery = await completed_delivery(world)
        later = when_sent(delivery) + timedelta(minutes=5, seconds=1)

        verifier = WebhookVerifier(world.fake.webhook_secret)

        with pytest.raises(Unauthorized):
            verifier.verify(delivery.headers, delivery.body, later)


async def test_webhook_signed_with_another_secret_is_refused() -> None:
    async with provider_world(latency=0.05) as world:
        delivery = await completed_delivery(world)
        verifier = WebhookVerifier(OTHER_SECRET)

        with pytest.raises(Unauthorized):
            verifier.verify(delivery.headers, delivery.body, when_sent(delivery))


async def test_failed_delivery_is_retried_with_the_same_webhook_id() -> None:
    async with provider_world(latency=0.05) as world:
        world.receiver.answers.extend([500])
        generator = world.generator()
        await generator.submit(REQUEST, "design-1")

        first, second = await world.receiver.wait_for(2)

        assert first.headers["webhook-id"] == second.headers["webhook-id"]
        verifier = WebhookVerifier(world.fake.webhook_secret)
        assert verifier.verify(second.headers, second.body, when_sent(second))
