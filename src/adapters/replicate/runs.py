"""PredictionRuns: the submit / find / outcome steps the generator and upscaler share.

Rules for `progress`: a prediction the provider does not know (404) is FAILED; when
the provider or its file server cannot be asked right now (network, 429, 5xx, a
malformed answer), or an output download may pass on a retry, the state is RUNNING
with the reason in `error`, so the caller asks again later instead of paying for a
new prediction; an output refused for good (host not allowed, too large, gone) is
FAILED. Outputs are fetched concurrently, each by the OutputFetcher.
"""

import asyncio
import logging
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

import httpx

from adapters.replicate.api import ApiError, MalformedAnswer, ReplicateApi
from adapters.replicate.fetching import OutputFetcher, OutputRefused
from adapters.replicate.lookup import LookupWindow, find_by_reference
from adapters.replicate.polling import NOTICED_SCHEDULE, PollSchedule, poll
from adapters.replicate.predictions import Prediction
from adapters.replicate.settling import settle
from adapters.replicate.submission import Submitter, Target
from application.ports import PredictionNotices, PredictionState
from domain.errors import ProviderFailed

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Progress:
    state: PredictionState
    files: list[bytes] = field(default_factory=list)
    error: str | None = None
    blocked: bool = False


class PredictionRuns:
    def __init__(
        self,
        api: ReplicateApi,
        submitter: Submitter,
        fetcher: OutputFetcher,
        *,
        schedule: PollSchedule,
        window: LookupWindow,
        notices: PredictionNotices | None = None,
        noticed_schedule: PollSchedule = NOTICED_SCHEDULE,
    ) -> None:
        self._api = api
        self._submitter = submitter
        self._fetcher = fetcher
        self._schedule = schedule
        self._window = window
        self._notices = notices
        self._noticed_schedule = noticed_schedule

    async def submit(
        self, target: Target, model_input: Mapping[str, object], reference: str
    ) -> str:
        prediction = await self._submitter.create(target, model_input, reference)
        return prediction.id

    async def find(
        self, reference: str, *, models: Collection[str], versions: Collection[str] = ()
    ) -> str | None:
        return await find_by_reference(
            self._api, reference, models=models, versions=versions, window=self._window
        )

    async def progress(self, prediction_id: str, wait_seconds: float) -> Progress:
        started = time.perf_counter()
        try:
            prediction = await self._wait(prediction_id, wait_seconds)
        except ValueError:
            return Progress(PredictionState.FAILED, error="Not a prediction id of the provider.")
        except ApiError as error:
            if error.status == 404:
                return Progress(PredictionState.FAILED, error="The provider has no such job.")
            return self._unreachable(prediction_id, f"status {error.status}")
        except (httpx.HTTPError, MalformedAnswer) as error:
            return self._unreachable(prediction_id, type(error).__name__)
        settlement = settle(prediction)
        logger.info(
            "prediction polled id=%s model=%s status=%s duration_ms=%.0f",
            prediction.id,
            prediction.model or prediction.version,
            prediction.status,
            (time.perf_counter() - started) * 1000,
        )
        if settlement.state is not PredictionState.SUCCEEDED:
            return Progress(settlement.state, error=settlement.error, blocked=settlement.blocked)
        return await self._copied(prediction_id, settlement.urls)

    async def _wait(self, prediction_id: str, wait_seconds: float) -> Prediction:
        """Poll on the usual schedule, or, when the webhook's notices reach this process,
        ask once, then wait for the notice and ask again when it came (polling seldom
        meanwhile, in case it went astray). Listening starts before the first question,
        so a notice is missed only when that question already sees the end."""
        if self._notices is None or wait_seconds <= 0:
            return await poll(self._api, prediction_id, wait_seconds, schedule=self._schedule)
        async with self._notices.listening(prediction_id) as listener:
            return await poll(
                self._api,
                prediction_id,
                wait_seconds,
                schedule=self._noticed_schedule,
                sleep=listener.wait,
            )

    async def _copied(self, prediction_id: str, urls: list[str]) -> Progress:
        results = await asyncio.gather(
            *(self._fetcher.fetch(url) for url in urls), return_exceptions=True
        )
        files: list[bytes] = []
        for result in results:
            if isinstance(result, OutputRefused):
                return Progress(PredictionState.FAILED, error=result.detail)
            if isinstance(result, ProviderFailed):
                logger.warning("output not copied id=%s reason=%s", prediction_id, result.detail)
                return Progress(PredictionState.RUNNING, error=result.detail)
            if isinstance(result, BaseException):
                raise result
            files.append(result)
        return Progress(PredictionState.SUCCEEDED, files=files)

    @staticmethod
    def _unreachable(prediction_id: str, reason: str) -> Progress:
        logger.warning("prediction not polled id=%s reason=%s", prediction_id, reason)
        return Progress(
            PredictionState.RUNNING, error="The image provider could not be asked; ask again."
        )
