"""BackgroundTasks on the running event loop, each task kept referenced until it ends.

A failure is logged by the error's type (and a DomainError's code) alone, never
its message, which may quote an address. `close` lets running work finish for a
grace period and then cancels what is left, so shutdown is bounded.

Known limits: work still pending when the process dies is lost (a lost reset
mail is asked for again); at most `max_pending` pieces of work at once, beyond
which new work is dropped with a warning.
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from domain.errors import DomainError

logger = logging.getLogger(__name__)

DEFAULT_MAX_PENDING = 1000


class AsyncioBackgroundTasks:
    def __init__(self, max_pending: int = DEFAULT_MAX_PENDING) -> None:
        if max_pending < 1:
            raise ValueError("max_pending must be at least 1")
        self._max_pending = max_pending
        self._tasks: set[asyncio.Task[None]] = set()

    def __len__(self) -> int:
        return len(self._tasks)

    def spawn(self, name: str, work: Callable[[], Awaitable[None]]) -> None:
        if len(self._tasks) >= self._max_pending:
            logger.warning("background work dropped name=%s pending=%d", name, len(self._tasks))
            return
        task = asyncio.create_task(self._run(name, work), name=f"background:{name}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self, timeout: float | None = None) -> bool:
        """Wait until no work is left, work spawned meanwhile included; False on timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self._tasks:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return False
            _, pending = await asyncio.wait(set(self._tasks), timeout=left)
            if pending and deadline is not None and time.monotonic() >= deadline:
                return False
        return True

    async def close(self, grace_seconds: float) -> None:
        """Let the work finish for `grace_seconds`, then cancel whatever is left."""
        if await self.drain(grace_seconds):
            return
        left = set(self._tasks)
        logger.warning("background work cancelled at shutdown pending=%d", len(left))
        for task in left:
            task.cancel()
        await asyncio.gather(*left, return_exceptions=True)

    async def _run(self, name: str, work: Callable[[], Awaitable[None]]) -> None:
        started = time.perf_counter()
        try:
            await work()
        except DomainError as error:
            logger.warning("background work failed name=%s code=%s", name, error.code)
            return
        except Exception as error:
            logger.error("background work failed name=%s error=%s", name, type(error).__name__)
            return
        logger.debug(
            "background work done name=%s duration_ms=%.0f",
            name,
            (time.perf_counter() - started) * 1000,
        )
