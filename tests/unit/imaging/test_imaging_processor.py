import asyncio
import os
import threading

import pytest

from adapters.imaging import PillowImageProcessor
from adapters.imaging import processor as processor_module
from adapters.imaging.decoding import ImageLimits
from application.ports import ImageInfo


class BlockingStep:
    """Stands in for normalise: records its thread, then waits to be released."""

    def __init__(self) -> None:
        self.entered = threading.Semaphore(0)
        self.release = threading.Event()
        self.threads: list[threading.Thread] = []

    def __call__(self, data: bytes, limits: ImageLimits) -> ImageInfo:
        self.threads.append(threading.current_thread())
        self.entered.release()
        self.release.wait(timeout=10)
        return ImageInfo(data, 1, 1)

    async def wait_for_entries(self, count: int) -> None:
        for _ in range(count):
            assert await asyncio.to_thread(self.entered.acquire, timeout=10)


@pytest.mark.parametrize("concurrency", [1, 2])
async def test_processor_runs_no_more_steps_at_once_than_its_concurrency(
    monkeypatch: pytest.MonkeyPatch, concurrency: int
) -> None:
    step = BlockingStep()
    monkeypatch.setattr(processor_module, "normalise", step)
    processor = PillowImageProcessor(concurrency=concurrency)

    tasks = [asyncio.create_task(processor.normalise(b"x")) for _ in range(3)]
    await step.wait_for_entries(concurrency)
    for _ in range(50):
        await asyncio.sleep(0)
    running = len(step.threads)
    step.release.set()
    await asyncio.gather(*tasks)

    assert running == concurrency
    assert len(step.threads) == 3


async def test_pixel_work_runs_off_the_event_loop_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    step = BlockingStep()
    step.release.set()
    monkeypatch.setattr(processor_module, "normalise", step)
    processor = PillowImageProcessor()

    await processor.normalise(b"x")

    assert step.threads[0] is not threading.current_thread()


def test_concurrency_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="concurrency"):
        PillowImageProcessor(concurrency=0)


async def test_pixel_threads_run_below_the_event_loops_priority(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[int] = []

    def record_priority(data: bytes, limits: ImageLimits) -> ImageInfo:
        seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        return ImageInfo(data, 1, 1)

    monkeypatch.setattr(processor_module, "normalise", record_priority)
    processor = PillowImageProcessor()

    await processor.normalise(b"x")
    processor.close()

    loop_priority = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    assert seen[0] >= max(processor_module.PIXEL_THREAD_NICENESS, loop_priority)
    assert loop_priority < processor_module.PIXEL_THREAD_NICENESS or seen[0] == loop_priority
