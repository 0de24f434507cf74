"""The standalone worker's sign of life, for a container's health check.

While the worker runs, a task asks the database and the file storage every
HEARTBEAT_SECONDS and, when both answer, renews the heartbeat file's time.
`casecraft worker-health` passes while that file is younger than HEARTBEAT_MAX_AGE:
the process is alive, its event loop turns, and it reaches the stores its jobs need.
"""

import asyncio
import logging
import time
from pathlib import Path

from dishka import AsyncContainer

from application.readiness import CheckReadiness

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 10.0
# Three beats missed in a row: long enough for a slow database answer, short enough to
# notice a stuck worker within a minute.
HEARTBEAT_MAX_AGE = 3 * HEARTBEAT_SECONDS + 5


def _touch(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()


async def beat(
    container: AsyncContainer, path: Path, every_seconds: float = HEARTBEAT_SECONDS
) -> None:
    """Renew `path` each time the stores answer, until cancelled; say so when that changes."""
    healthy: bool | None = None
    while True:
        try:
            async with container() as request:
                await (await request.get(CheckReadiness)).execute()
            await asyncio.to_thread(_touch, path)
        except Exception as error:  # any failure means no beat; the loop must go on
            if healthy is not False:
                logger.warning("worker heartbeat missed error=%s", type(error).__name__)
            healthy = False
        else:
            if healthy is not True:
                logger.info("worker heartbeat path=%s every_s=%.0f", path, every_seconds)
            healthy = True
        await asyncio.sleep(every_seconds)


def heartbeat_age(path: Path, now: float | None = None) -> float | None:
    """Seconds since the last beat; None when there was none."""
    try:
        modified = path.stat().st_mtime
    except FileNotFoundError:
        return None
    return max(0.0, (time.time() if now is None else now) - modified)
