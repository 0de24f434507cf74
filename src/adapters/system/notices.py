"""Prediction notices within one process: the webhook wakes the request that waits."""

import asyncio
import contextlib
from collections.abc import AsyncIterator


class _Listener:
    def __init__(self) -> None:
        self._heard = asyncio.Event()

    def hear(self) -> None:
        self._heard.set()

    async def wait(self, timeout: float) -> bool:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._heard.wait(), max(0.0, timeout))
        heard = self._heard.is_set()
        self._heard.clear()
        return heard


class InProcessPredictionNotices:
    """Delivers an announcement to the listeners of this process and event loop.

    Does not reach a request waiting in another process: that one polls on.
    """

    def __init__(self) -> None:
        self._listeners: dict[str, set[_Listener]] = {}

    def __len__(self) -> int:
        return len(self._listeners)

    async def announce(self, prediction_id: str) -> None:
        self.deliver(prediction_id)

    def deliver(self, prediction_id: str) -> None:
        """Wake this process's listeners of `prediction_id`; nothing when there are none."""
        for listener in self._listeners.get(prediction_id, ()):
            listener.hear()

    @contextlib.asynccontextmanager
    async def listening(self, prediction_id: str) -> AsyncIterator[_Listener]:
        listener = _Listener()
        self._listeners.setdefault(prediction_id, set()).add(listener)
        try:
            yield listener
        finally:
            listeners = self._listeners.get(prediction_id)
            if listeners is not None:
                listeners.discard(listener)
                if not listeners:
                    del self._listeners[prediction_id]
