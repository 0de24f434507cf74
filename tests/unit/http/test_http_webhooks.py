"""The provider's webhook route: signature on the raw body, freshness, each delivery once."""

import base64
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from casecraft_testing import InMemoryAdapters, make_settings
from contracts_suite.coordination import free_loopback_port
from entrypoints.http.app import create_app
from fakes.replicate_fake_model import sign

SECRET = "whsec_" + base64.b64encode(b"k" * 32).decode()
ROUTE = "/v1/webhooks/replicate?reference=6a1f7c1e-8d53-4f4b-9b1e-2f0f3c1d2e3f"
BODY = json.dumps({"id": "abc123def456ghi789", "status": "succeeded", "output": []}).encode()


@pytest.fixture
async def webhook_client(tmp_path: Path) -> AsyncIterator[AsyncTestClient[Litestar]]:
    # The provider is configured but unreachable: nothing here may call out.
    closed = f"http://127.0.0.1:{free_loopback_port()}"
    settings = make_settings(
        tmp_path,
        REPLICATE_API_TOKEN="r8_unit_test",
        REPLICATE_BASE_URL=closed,
        REPLICATE_OUTPUT_HOSTS=closed,
        REPLICATE_WEBHOOK_SECRET=SECRET,
    )
    async with AsyncTestClient(create_app(settings, InMemoryAdapters())) as client:
        yield client


def _signed(body: bytes, *, webhook_id: str = "msg_1", at: int | None = None) -> dict[str, str]:
    timestamp = int(time.time()) if at is None else at
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(SECRET, webhook_id, timestamp, body),
        "content-type": "application/json",
    }


async def test_a_signed_fresh_delivery_is_accepted_once_and_again_without_effect(
    webhook_client: AsyncTestClient[Litestar],
) -> None:
    first = await webhook_client.post(ROUTE, content=BODY, headers=_signed(BODY))
    again = await webhook_client.post(ROUTE, content=BODY, headers=_signed(BODY))

    assert first.status_code == again.status_code == 204


@pytest.mark.parametrize(
    "headers",
    [
        {},
        _signed(BODY.replace(b"succeeded", b"failed")),
        _signed(BODY, at=int(time.time()) - 600),
        {**_signed(BODY), "webhook-signature": "v1,AAAA"},
        {**_signed(BODY), "webhook-timestamp": "9" * 309},
        {**_signed(BODY), "webhook-timestamp": "9" * 5000},
        {**_signed(BODY), "webhook-timestamp": b"\xb2\xb3"},
    ],
    ids=[
        "unsigned",
        "tampered-body",
        "older-than-5-minutes",
        "wrong-signature",
        "timestamp-past-a-float",
        "timestamp-past-the-int-digit-limit",
        "timestamp-of-superscript-digits",
    ],
)
async def test_a_delivery_that_is_not_the_providers_is_401(
    webhook_client: AsyncTestClient[Litestar], headers: dict[str, str | bytes]
) -> None:
    response = await webhook_client.post(ROUTE, content=BODY, headers=headers)

    assert response.status_code == 401
    assert response.json()["code"] == "webhook_signature_invalid"


async def test_a_signed_body_that_is_not_a_prediction_is_422(
    webhook_client: AsyncTestClient[Litestar],
) -> None:
    body = b'{"hello": "world"}'

    response = await webhook_client.post(ROUTE, content=body, headers=_signed(body))

    assert response.status_code == 422


async def test_without_a_webhook_secret_the_route_does_not_exist(
    client: AsyncTestClient[Litestar],
) -> None:
    response = await client.post(ROUTE, content=BODY, headers=_signed(BODY))

    assert response.status_code == 404
