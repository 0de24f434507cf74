"""Comparison 2: a mask answered from the cache against a mask rendered afresh.

Subject: `await processor.mask(phone, Kind.SKIN, 512)` on a processor whose cache
already holds that mask; one sample is the mean of CACHED_CALLS calls.
Floor: the same call on a new processor (so a new, empty MaskCache): the mask is
drawn, encoded to PNG and cached, in a worker thread.
"""

import time

from adapters.imaging.masks import MaskCache
from adapters.imaging.processor import PillowImageProcessor
from domain.geometry import Kind
from phones import bench_phone
from report import Row
from timing import Plan, elapsed_since, interleave

MASK_WIDTH = 512
CACHED_CALLS = 200
TARGET_CACHED_US = 1000.0
PLAN = Plan(rounds=21, budget_s=5.0)


async def mask_rows() -> list[Row]:
    phone = bench_phone()
    warm = PillowImageProcessor()
    png = await warm.mask(phone, Kind.SKIN, MASK_WIDTH)
    print(f"[2] mask from the cache vs a fresh render ({phone.slug}, skin, width {MASK_WIDTH})")
    print(f"    PNG {len(png):,} bytes; cached sample = mean of {CACHED_CALLS} calls")

    async def cached() -> float:
        started = time.perf_counter()
        for _ in range(CACHED_CALLS):
            await warm.mask(phone, Kind.SKIN, MASK_WIDTH)
        return elapsed_since(started, 1e6) / CACHED_CALLS

    async def fresh() -> float:
        processor = PillowImageProcessor(masks=MaskCache())
        started = time.perf_counter()
        await processor.mask(phone, Kind.SKIN, MASK_WIDTH)
        return elapsed_since(started, 1e6)

    hit, render = await interleave(cached, fresh, PLAN)
    return [
        Row(
            figure=f"mask {MASK_WIDTH} px: cached vs fresh render",
            unit="us",
            subject_name="cached",
            subject=hit,
            floor_name="fresh",
            floor=render,
            ratio_name="fresh/cached",
            ratio=render.median / hit.median,
            target=f"cached < {TARGET_CACHED_US:.0f} us",
            passed=hit.median < TARGET_CACHED_US,
        )
    ]
