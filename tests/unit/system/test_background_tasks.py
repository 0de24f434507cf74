"""Background work: run after the caller returns, kept until done, failures logged bare."""

import asyncio
import logging

import pytest

from adapters.system.background import AsyncioBackgroundTasks
from domain.errors import MailFailed


async def test_spawned_work_runs_after_the_caller_returns() -> None:
    tasks = AsyncioBackgroundTasks()
    done: list[str] = []

    async def work() -> None:
        done.append("mail")

    tasks.spawn("mail", work)
    assert done == []

    assert await tasks.drain(1)
    assert done == ["mail"] and len(tasks) == 0


async def test_a_failure_is_logged_by_its_type_never_its_message(
    caplog: pytest.LogCaptureFixture,
) -> None:
    tasks = AsyncioBackgroundTasks()

    async def crash() -> None:
        raise RuntimeError("ann@example.com token=secret-value")

    async def refuse() -> None:
        raise MailFailed("The mail server did not take the mail (timed out).")

    with caplog.at_level(logging.DEBUG):
        tasks.spawn("crash", crash)
        tasks.spawn("refuse", refuse)
        assert await tasks.drain(1)

    assert "name=crash error=RuntimeError" in caplog.text
    assert "name=refuse code=mail_failed" in caplog.text
    assert "ann@example.com" not in caplog.text and "secret-value" not in caplog.text


async def test_drain_waits_for_work_spawned_by_work() -> None:
    tasks = AsyncioBackgroundTasks()
    done: list[str] = []

    async def second() -> None:
        done.append("second")

    async def first() -> None:
        await asyncio.sleep(0)
        tasks.spawn("second", second)

    tasks.spawn("first", first)

    assert await tasks.drain(1)
    assert done == ["second"]


async def test_close_cancels_what_outlives_the_grace() -> None:
    tasks = AsyncioBackgroundTasks()
    release = asyncio.Event()
    cancelled: list[bool] = []

    async def stuck() -> None:
        try:
            await release.wait()
        except asyncio.CancelledError:
            cancelled.append(True)
            raise

    tasks.spawn("stuck", stuck)
    await tasks.close(0.05)

    assert cancelled == [True] and len(tasks) == 0


async def test_work_beyond_the_bound_is_dropped(caplog: pytest.LogCaptureFixture) -> None:
    tasks = AsyncioBackgroundTasks(max_pending=1)
    release = asyncio.Event()

    async def wait() -> None:
        await release.wait()

    tasks.spawn("first", wait)
    tasks.spawn("second", wait)

    assert len(tasks) == 1
    assert "background work dropped name=second" in caplog.text
    release.set()
    assert await tasks.drain(1)


async def test_drain_reports_a_timeout() -> None:
    tasks = AsyncioBackgroundTasks()
    release = asyncio.Event()

    async def wait() -> None:
        await release.wait()

    tasks.spawn("slow", wait)

    assert not await tasks.drain(0.01)
    release.set()
    assert await tasks.drain(1)
