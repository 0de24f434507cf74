"""Builds the shared prediction machinery of a generator or an upscaler from its options."""

import random

from replicate.client import Client

from adapters.replicate.api import ReplicateApi
from adapters.replicate.fetching import OutputFetcher
from adapters.replicate.lookup import LookupWindow
from adapters.replicate.polling import NOTICED_SCHEDULE, PollSchedule
from adapters.replicate.runs import PredictionRuns
from adapters.replicate.submission import Submitter
from adapters.replicate.throttling import ThrottlePolicy
from application.ports import PredictionNotices


def prediction_runs(
    client: Client,
    fetcher: OutputFetcher,
    *,
    webhook_url: str | None,
    deadline_seconds: float,
    max_wait_429_seconds: float,
    create_timeout_seconds: float,
    poll_schedule: PollSchedule,
    lookup_window: LookupWindow,
    rng: random.Random | None,
    notices: PredictionNotices | None = None,
    noticed_schedule: PollSchedule = NOTICED_SCHEDULE,
) -> PredictionRuns:
    api = ReplicateApi(client)
    submitter = Submitter(
        api,
        deadline_seconds=deadline_seconds,
        webhook_url=webhook_url,
        create_timeout_seconds=create_timeout_seconds,
        throttle=ThrottlePolicy(max_total_seconds=max_wait_429_seconds),
        rng=rng or random.Random(),  # noqa: S311 (jitter, not a secret)
    )
    return PredictionRuns(
        api,
        submitter,
        fetcher,
        schedule=poll_schedule,
        window=lookup_window,
        # Notices come from webhooks, so without a webhook there are none to wait for.
        notices=notices if webhook_url is not None else None,
        noticed_schedule=noticed_schedule,
    )
