"""The upscale worker loop: inside the API process (embedded) or alone (`casecraft worker`)."""

import asyncio
import contextlib
import logging
import os
import socket
import uuid

from dishka import AsyncContainer

from application.generation import FinishPendingDesigns
from application.ports import WorkerWakeup
from application.upscaling import RunNextUpscaleJob
from domain.jobs import UpscaleJob
from entrypoints.settings import DEFAULT_STOP_GRACE_SECONDS

logger = logging.getLogger(__name__)

# How long a stopping worker lets its current job run before giving it back, unless
# CASECRAFT_WORKER_STOP_GRACE_SECONDS says otherwise (settings.worker.stop_grace_seconds).
STOP_GRACE_SECONDS = DEFAULT_STOP_GRACE_SECONDS


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class UpscaleWorker:
    """Runs due upscale jobs one after another until stopped.

    It sleeps until woken by a new job or until the poll interval passes, so jobs
    queued by another process are found too. Stopping lets the current job finish.
    """

    def __init__(
        self, container: AsyncContainer, poll_seconds: float, name: str | None = None
    ) -> None:
        self._container = container
        self._poll_seconds = poll_seconds
        self.name = name or worker_name()
        self._stopping = asyncio.Event()

    async def run_once(self) -> UpscaleJob | None:
        async with self._container() as request:
            use_case = await request.get(RunNextUpscaleJob)
            return await use_case.execute(self.name)

    async def sweep_designs(self) -> int:
        """Finish the generations nobody waits for any more."""
        async with self._container() as request:
            sweep = await request.get(FinishPendingDesigns)
            return await sweep.execute()

    async def run(self) -> None:
        wakeup = await self._container.get(WorkerWakeup)
        logger.info("worker started worker=%s", self.name)
        while not self._stopping.is_set():
            try:
                job = await self.run_once()
                if job is None:
                    await self.sweep_designs()
            except Exception:  # the loop must outlive a broken step; the job's lease will expire
                logger.exception("worker step failed worker=%s", self.name)
                job = None
            if job is None and not self._stopping.is_set():
                await wakeup.wait(self._poll_seconds)
        logger.info("worker stopped worker=%s", self.name)

    async def stop(self) -> None:
        """Let the current job finish, then leave the loop."""
        self._stopping.set()
        wakeup = await self._container.get(WorkerWakeup)
        await wakeup.notify()

    async def shut_down(self, running: "asyncio.Task[None]", grace_seconds: float) -> None:
        """Stop; a job still running after `grace_seconds` is cancelled and its lease given
        back, its prediction id kept, so the next worker resumes it at no extra cost."""
        await self.stop()
        try:
            await asyncio.wait_for(asyncio.shield(running), grace_seconds)
        except TimeoutError:
            running.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await running
            logger.info("worker released its job on shutdown worker=%s", self.name)
