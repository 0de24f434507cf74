"""Creating a prediction exactly once: the outcomes of a create and what each means.

Rules:
- 201: the prediction exists; its id is returned at once, nothing waits on it.
- 429: nothing was created; wait as the provider says (see `throttling`) and send
  again, until the bound is spent, then ProviderBusy.
- the answer never came (read timeout, connection dropped after sending), a 5xx, or a
  2xx whose body cannot be read: a prediction may exist and be billed, so
  SubmissionLost, and the create is never sent again here.
- the request never left (connection refused, connect or pool timeout): ProviderFailed.
- any other 4xx: ProviderFailed with the provider's detail.
Every create carries `Cancel-After` (the deadline) and, with a webhook URL, the
reference in that URL and the `completed` event filter.
"""

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from adapters.replicate.api import ApiError, MalformedAnswer, ReplicateApi
from adapters.replicate.predictions import Prediction
from adapters.replicate.references import checked_webhook_url, webhook_with_reference
from adapters.replicate.throttling import ThrottlePolicy, provider_hint
from domain.errors import ProviderBusy, ProviderFailed, SubmissionLost

logger = logging.getLogger(__name__)

# Errors raised before any byte of the request can have reached the provider.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


@dataclass(frozen=True, slots=True)
class Target:
    """What runs: an official model by name, or a pinned version of any model."""

    label: str
    path: str
    version: str | None = None

    @classmethod
    def model(cls, name: str) -> "Target":
        owner, _, model = name.partition("/")
        if not owner or not model or "/" in model or ":" in model:
            raise ValueError(f"model must be 'owner/name', not {name!r}")
        return cls(name, f"/v1/models/{owner}/{model}/predictions")

    @classmethod
    def pinned(cls, label: str, version: str) -> "Target":
        if not version.isalnum():
            raise ValueError("a version id is alphanumeric")
        return cls(label, "/v1/predictions", version)


def cancel_after(seconds: float) -> str:
    """The Cancel-After value: whole seconds (`120s`), or milliseconds below ten seconds."""
    if seconds <= 0:
        raise ValueError("the deadline must be positive")
    if seconds >= 10 or float(seconds).is_integer():
        return f"{round(seconds)}s"
    return f"{round(seconds * 1000)}ms"


class Submitter:
    def __init__(
        self,
        api: ReplicateApi,
        *,
        deadline_seconds: float,
        webhook_url: str | None,
        create_timeout_seconds: float,
        throttle: ThrottlePolicy,
        rng: random.Random,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._api = api
        self._deadline = cancel_after(deadline_seconds)
        self._webhook_url = None if webhook_url is None else checked_webhook_url(webhook_url)
        self._timeout = create_timeout_seconds
        self._throttle = throttle
        self._rng = rng
        self._sleep = sleep

    async def create(
        self, target: Target, model_input: Mapping[str, object], reference: str
    ) -> Prediction:
        """The new prediction; raises ProviderBusy, SubmissionLost or ProviderFailed."""
        body = self._body(target, model_input, reference)
        headers = {"Cancel-After": self._deadline}
        waited = 0.0
        attempt = 1
        while True:
            started = time.perf_counter()
            try:
                prediction = await self._send(target, body, headers, reference)
            except ApiError as error:
                if error.status != 429:
                    raise self._refused(target, error, reference, attempt) from error
                delay = self._throttled(error, attempt, waited, target)
                await self._sleep(delay)
                waited += delay
                attempt += 1
                continue
            logger.info(
                "prediction created id=%s model=%s reference=%s attempt=%d duration_ms=%.0f",
                prediction.id,
                target.label,
                reference,
                attempt,
                (time.perf_counter() - started) * 1000,
            )
            return prediction

    def _body(
        self, target: Target, model_input: Mapping[str, object], reference: str
    ) -> dict[str, object]:
        body: dict[str, object] = {"input": dict(model_input)}
        if target.version is not None:
            body["version"] = target.version
        if self._webhook_url is not None:
            body["webhook"] = webhook_with_reference(self._webhook_url, reference)
            body["webhook_events_filter"] = ["completed"]
        return body

    async def _send(
        self, target: Target, body: Mapping[str, object], headers: Mapping[str, str], ref: str
    ) -> Prediction:
        try:
            return await self._api.create(
                target.path, body, headers=headers, timeout_seconds=self._timeout
            )
        except _NOT_SENT as exc:
            raise ProviderFailed("The image provider could not be reached.") from exc
        except (httpx.TransportError, MalformedAnswer) as exc:
            logger.warning(
                "create answer lost model=%s reference=%s error=%s",
                target.label,
                ref,
                type(exc).__name__,
            )
            raise SubmissionLost(
                "The provider did not answer the request; a prediction may exist."
            ) from exc

    def _throttled(self, error: ApiError, attempt: int, waited: float, target: Target) -> float:
        hint = provider_hint(error.headers, error.body, datetime.now(UTC))
        delay = self._throttle.delay(hint, attempt, self._rng)
        if not self._throttle.allows(waited, delay):
            logger.warning(
                "provider busy model=%s attempt=%d waited_s=%.1f", target.label, attempt, waited
            )
            retry_after = max(1, round(self._throttle.base(hint, attempt)))
            raise ProviderBusy(
                "The image provider is busy; try again shortly.", retry_after_seconds=retry_after
            )
        logger.info(
            "create throttled model=%s attempt=%d wait_s=%.2f", target.label, attempt, delay
        )
        return delay

    @staticmethod
    def _refused(
        target: Target, error: ApiError, reference: str, attempt: int
    ) -> ProviderFailed | SubmissionLost:
        logger.warning(
            "create refused model=%s reference=%s status=%d attempt=%d",
            target.label,
            reference,
            error.status,
            attempt,
        )
        if error.status >= 500:
            return SubmissionLost(
                f"The provider failed while creating ({error.status}); a prediction may exist."
            )
        return ProviderFailed(f"The provider refused the request: {error.detail}")
