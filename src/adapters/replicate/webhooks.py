"""Checking the provider's signed webhook deliveries, and reading what they report.

Rules for `WebhookVerifier.verify`: the `webhook-id`, `webhook-timestamp` and
`webhook-signature` headers must all be there; the timestamp (Unix seconds) must be
within five minutes of now, either way; the HMAC-SHA256 of
`"{id}.{timestamp}.{raw body}"` under the key (the base64 after `whsec_`) must equal,
compared in constant time, one of the space-separated `v1,<base64>` signatures. Any
failure is Unauthorized(code="webhook_signature_invalid"), with no hint of which.
Handling each webhook id once is the caller's part (the WebhookLedger port).
"""

import base64
import binascii
import hashlib
import hmac
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import msgspec

from adapters.replicate.predictions import decode_prediction, is_prediction_id
from domain.errors import InvalidInput, Unauthorized

logger = logging.getLogger(__name__)

# Seconds since 1970 have 10 digits until the year 2286; longer is no timestamp.
MAX_TIMESTAMP_DIGITS = 12
TOLERANCE_SECONDS = 300
SIGNATURE_CODE = "webhook_signature_invalid"
_SECRET_PREFIX = "whsec_"  # noqa: S105 (the prefix of every secret, not one)


class WebhookVerifier:
    def __init__(self, secret: str) -> None:
        if not secret.startswith(_SECRET_PREFIX):
            raise ValueError("the webhook secret must start with whsec_")
        try:
            self._key = base64.b64decode(secret.removeprefix(_SECRET_PREFIX), validate=True)
        except binascii.Error as exc:
            raise ValueError("the webhook secret is not base64 after whsec_") from exc
        if not self._key:
            raise ValueError("the webhook secret is empty")

    def verify(self, headers: Mapping[str, str], raw_body: bytes, now: datetime) -> str:
        """The webhook id of an authentic, fresh delivery; raises Unauthorized otherwise."""
        lowered = {key.lower(): value for key, value in headers.items()}
        webhook_id = lowered.get("webhook-id", "")
        timestamp = lowered.get("webhook-timestamp", "")
        signatures = lowered.get("webhook-signature", "")
        if (
            not webhook_id
            or not (timestamp.isascii() and timestamp.isdigit())
            or len(timestamp) > MAX_TIMESTAMP_DIGITS
            or not signatures
        ):
            return self._refuse("headers missing or malformed")
        if abs(now.timestamp() - int(timestamp)) > TOLERANCE_SECONDS:
            return self._refuse("timestamp outside tolerance")
        signed = f"{webhook_id}.{timestamp}.".encode() + raw_body
        expected = hmac.new(self._key, signed, hashlib.sha256).digest()
        if any(hmac.compare_digest(expected, given) for given in _v1_signatures(signatures)):
            return webhook_id
        return self._refuse("signature mismatch")

    @staticmethod
    def _refuse(reason: str) -> str:
        logger.warning("webhook refused reason=%s", reason)
        raise Unauthorized("The webhook signature is not valid.", code=SIGNATURE_CODE)


def _v1_signatures(header: str) -> list[bytes]:
    found: list[bytes] = []
    for item in header.split():
        version, _, encoded = item.partition(",")
        if version != "v1" or not encoded:
            continue
        try:
            found.append(base64.b64decode(encoded, validate=True))
        except binascii.Error:
            continue
    return found


@dataclass(frozen=True, slots=True)
class PredictionEvent:
    prediction_id: str
    status: str


def parse_prediction_event(raw_body: bytes) -> PredictionEvent:
    """The prediction's id and status from a delivery's body; InvalidInput when malformed."""
    try:
        prediction = decode_prediction(raw_body)
    except msgspec.DecodeError as exc:
        raise _malformed() from exc
    if not is_prediction_id(prediction.id) or not prediction.status:
        raise _malformed()
    return PredictionEvent(prediction.id, prediction.status)


def _malformed() -> InvalidInput:
    return InvalidInput("The webhook body is not a prediction.", code="webhook_body_invalid")
