"""Interleaved sampling of a subject and its floor, summarised by medians.

Both sides are sampled in turn within each round (the order swaps every round)
so a burst of load from a neighbour on a shared machine lands on both of them,
not on one whole series.
"""

import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

# One sample: run the work once and return its figure (a duration or a rate).
Sampler = Callable[[], Awaitable[float]]


@dataclass(frozen=True, slots=True)
class Summary:
    """The median, the lowest and the highest of a series of samples."""

    median: float
    low: float
    high: float
    count: int

    @classmethod
    def of(cls, samples: Sequence[float]) -> "Summary":
        if not samples:
            raise ValueError("a summary needs at least one sample")
        return cls(statistics.median(samples), min(samples), max(samples), len(samples))


@dataclass(frozen=True, slots=True)
class Plan:
    """How long to sample: at least `min_rounds`, at most `rounds`, within `budget_s`."""

    rounds: int
    budget_s: float
    min_rounds: int = 3


async def interleave(subject: Sampler, floor: Sampler, plan: Plan) -> tuple[Summary, Summary]:
    """Sample `subject` and `floor` in turn, A B then B A, and summarise each series."""
    subject_samples: list[float] = []
    floor_samples: list[float] = []
    started = time.perf_counter()
    for index in range(plan.rounds):
        if index >= plan.min_rounds and time.perf_counter() - started > plan.budget_s:
            break
        if index % 2 == 0:
            subject_samples.append(await subject())
            floor_samples.append(await floor())
        else:
            floor_samples.append(await floor())
            subject_samples.append(await subject())
    return Summary.of(subject_samples), Summary.of(floor_samples)


def elapsed_since(started: float, scale: float) -> float:
    """Seconds since `started` (a perf_counter reading), times `scale` (1e3 for ms)."""
    return (time.perf_counter() - started) * scale
