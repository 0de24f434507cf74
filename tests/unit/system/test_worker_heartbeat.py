"""The standalone worker's heartbeat: renewed only while the stores answer, and the
`casecraft worker-health` check that reads it."""

import asyncio
import os
import time
from pathlib import Path

import pytest

from casecraft_testing import make_settings
from entrypoints import cli
from entrypoints.bootstrap import prepare
from entrypoints.heartbeat import HEARTBEAT_MAX_AGE, beat, heartbeat_age
from entrypoints.http.app import build_container


async def _beat_for(settings_dir: Path, *, migrated: bool, seconds: float = 0.3) -> Path:
    settings = make_settings(settings_dir, CASECRAFT_AUTO_MIGRATE="true")
    path = settings_dir / "worker.alive"
    container = build_container(settings)
    try:
        if migrated:
            await prepare(container, settings)
        beating = asyncio.create_task(beat(container, path, every_seconds=0.02))
        await asyncio.sleep(seconds)
        beating.cancel()
        with pytest.raises(asyncio.CancelledError):
            await beating
    finally:
        await container.close()
    return path


async def test_the_heartbeat_is_renewed_while_the_stores_answer(tmp_path: Path) -> None:
    path = await _beat_for(tmp_path, migrated=True)

    age = heartbeat_age(path)
    assert age is not None and age < 5


async def test_no_heartbeat_while_the_database_cannot_answer(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Not migrated: the database has no tables, so every check fails.
    path = await _beat_for(tmp_path, migrated=False)

    assert heartbeat_age(path) is None
    missed = [r for r in caplog.records if "heartbeat missed" in r.getMessage()]
    assert len(missed) == 1, "a lasting failure is said once, not at every beat"


def _check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, heartbeat: Path) -> int:
    monkeypatch.setenv("CASECRAFT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CASECRAFT_WORKER_HEARTBEAT_FILE", str(heartbeat))
    return cli.main(["worker-health"])


def test_worker_health_passes_on_a_fresh_beat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    heartbeat = tmp_path / "worker.alive"
    heartbeat.touch()

    assert _check(tmp_path, monkeypatch, heartbeat) == 0


def test_worker_health_fails_on_a_stale_or_missing_beat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    heartbeat = tmp_path / "worker.alive"
    assert _check(tmp_path, monkeypatch, heartbeat) == 1
    assert "no worker heartbeat" in capsys.readouterr().err

    heartbeat.touch()
    old = time.time() - HEARTBEAT_MAX_AGE - 5
    os.utime(heartbeat, (old, old))
    assert _check(tmp_path, monkeypatch, heartbeat) == 1
    assert "old" in capsys.readouterr().err
