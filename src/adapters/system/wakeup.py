"""Wake-ups of the upscale worker within one process."""

import asyncio
import contextlib


class InProcessWakeup:
    """Wakes a worker loop running in the same process and event loop.

    Does not reach a worker in another process: that one finds the job by polling.
    """

    def __init__(self) -> None:
        self._event = asyncio.Event()

    async def notify(self) -> None:
        self._event.set()

    async def wait(self, timeout: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), timeout)
        self._event.clear()
