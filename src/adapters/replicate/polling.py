"""Waiting for a prediction by polling, on the event loop, with a growing interval.

No thread and no open connection per wait: each poll is one GET through the client
(which itself retries 429, 503 and 504), then an asyncio sleep, or a wait for the
webhook's notice that ends early when the notice comes.
"""

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from adapters.replicate.api import ReplicateApi
from adapters.replicate.predictions import Prediction


@dataclass(frozen=True, slots=True)
class PollSchedule:
    first_seconds: float = 0.25
    growth: float = 1.5
    max_seconds: float = 3.0

    def __post_init__(self) -> None:
        if self.first_seconds <= 0 or self.growth < 1 or self.max_seconds < self.first_seconds:
            raise ValueError("poll intervals must be positive and growing")


DEFAULT_SCHEDULE = PollSchedule()
# With webhooks announcing each end, polls only cover a notice that went astray.
NOTICED_SCHEDULE = PollSchedule(first_seconds=2.0, growth=1.5, max_seconds=5.0)


async def poll(
    api: ReplicateApi,
    prediction_id: str,
    wait_seconds: float,
    *,
    schedule: PollSchedule,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
) -> Prediction:
    """The prediction once it has ended, or as it stands when `wait_seconds` ran out.

    Always asks at least once, at once. Raises what `ReplicateApi.get` raises.
    """
    ends = clock() + max(0.0, wait_seconds)
    interval = schedule.first_seconds
    while True:
        prediction = await api.get(prediction_id)
        remaining = ends - clock()
        if not prediction.running or remaining <= 0:
            return prediction
        # Jitter spreads the polls of requests that started together over time, so a
        # burst of waiting requests does not wake the event loop all at once.
        await sleep(min(interval * random.uniform(0.8, 1.2), remaining))  # noqa: S311
        interval = min(interval * schedule.growth, schedule.max_seconds)
