"""WebhookVerifier and the webhook body parser, on deliveries signed here."""

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest

from adapters.replicate.webhooks import WebhookVerifier, parse_prediction_event
from domain.errors import InvalidInput, Unauthorized

KEY = b"0123456789abcdef0123456789abcdef"
SECRET = "whsec_" + base64.b64encode(KEY).decode()
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
BODY = b'{"id": "abc123", "status": "succeeded", "output": null}'


def signature(body: bytes, webhook_id: str = "msg_1", when: datetime = NOW, key: bytes = KEY):
    content = f"{webhook_id}.{int(when.timestamp())}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()


def headers(body: bytes = BODY, *, when: datetime = NOW, sig: str | None = None) -> dict[str, str]:
    return {
        "Webhook-Id": "msg_1",
        "Webhook-Timestamp": str(int(when.timestamp())),
        "Webhook-Signature": sig if sig is not None else signature(body, when=when),
    }


def test_authentic_delivery_gives_its_webhook_id() -> None:
    assert WebhookVerifier(SECRET).verify(headers(), BODY, NOW) == "msg_1"


def test_one_valid_signature_among_several_is_enough() -> None:
    several = f"v1,{base64.b64encode(b'x' * 32).decode()} v2,abc {signature(BODY)}"

    assert WebhookVerifier(SECRET).verify(headers(sig=several), BODY, NOW) == "msg_1"


def test_delivery_just_inside_five_minutes_either_way_is_accepted() -> None:
    verifier = WebhookVerifier(SECRET)

    assert verifier.verify(headers(), BODY, NOW + timedelta(minutes=5))
    assert verifier.verify(headers(), BODY, NOW - timedelta(minutes=5))


@pytest.mark.parametrize("shift", [timedelta(minutes=5, seconds=1), -timedelta(minutes=6)])
def test_delivery_outside_five_minutes_is_refused(shift: timedelta) -> None:
    with pytest.raises(Unauthorized) as raised:
        WebhookVerifier(SECRET).verify(headers(), BODY, NOW + shift)

    assert raised.value.code == "webhook_signature_invalid"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda h: h | {"Webhook-Signature": signature(BODY, key=b"another key")},
        lambda h: h | {"Webhook-Id": "msg_2"},
        lambda h: h | {"Webhook-Signature": "v2," + h["Webhook-Signature"].removeprefix("v1,")},
        lambda h: h | {"Webhook-Signature": "v1,not-base64!"},
        lambda h: h | {"Webhook-Timestamp": "soon"},
        lambda h: {k: v for k, v in h.items() if k != "Webhook-Id"},
        lambda h: {k: v for k, v in h.items() if k != "Webhook-Signature"},
    ],
    ids=["other-key", "other-id", "unknown-version", "garbage", "bad-timestamp", "no-id", "no-sig"],
)
def test_forged_or_incomplete_delivery_is_refused(tamper) -> None:
    with pytest.raises(Unauthorized):
        WebhookVerifier(SECRET).verify(tamper(headers()), BODY, NOW)


def test_body_changed_after_signing_is_refused() -> None:
    with pytest.raises(Unauthorized):
        WebhookVerifier(SECRET).verify(headers(), BODY.replace(b"succeeded", b"failed"), NOW)


@pytest.mark.parametrize("secret", ["", "abc", "whsec_", "whsec_***"])
def test_unusable_secret_is_a_configuration_error(secret: str) -> None:
    with pytest.raises(ValueError):
        WebhookVerifier(secret)


def test_prediction_event_gives_id_and_status() -> None:
    event = parse_prediction_event(BODY)

    assert (event.prediction_id, event.status) == ("abc123", "succeeded")


def test_unknown_status_is_passed_on_as_it_is() -> None:
    assert parse_prediction_event(b'{"id": "abc", "status": "aborted"}').status == "aborted"


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"[]",
        b'{"status": "succeeded"}',
        b'{"id": 7, "status": "x"}',
        b'{"id": "../etc", "status": "failed"}',
        b'{"id": "abc", "status": ""}',
    ],
)
def test_malformed_body_is_invalid_input(body: bytes) -> None:
    with pytest.raises(InvalidInput):
        parse_prediction_event(body)
