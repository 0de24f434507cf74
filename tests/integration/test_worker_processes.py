"""`casecraft worker` as real processes: killed, stopped, and two of them on one database.

Each test has a throw-away PostgreSQL database, a data folder, the fake provider on
127.0.0.1 and workers started as subprocesses with the service's own variables. The
public URL points at a port nobody listens on, so no webhook arrives and polling does
the work. Designs and jobs are made in this process through the app's use cases.
Every wait polls the database (or Redis) with a deadline; every worker is killed in
the end, whatever happened.
"""

import asyncio
import os
import signal
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from adapters.persistence.migrations import upgrade_database
from application.accounts import EnsureLocalOwner
from contracts_suite.coordination import free_loopback_port, require_redis
from contracts_suite.postgres import skip_module_without_postgres, throwaway_database
from domain.designs import MAX_VARIANTS
from domain.jobs import JobStatus, UpscaleJob
from entrypoints.bootstrap import prepare
from entrypoints.heartbeat import HEARTBEAT_MAX_AGE
from entrypoints.http.app import build_container, create_app
from entrypoints.settings import load_settings
from fakes.replicate_fake import ReplicateFake, running_in_thread
from fakes.worker_processes import (
    WorkerProcess,
    WorkerWorld,
    casecraft_command,
    child_env,
    service_env,
    wait_for_subscribed,
)

pytestmark = pytest.mark.integration

skip_module_without_postgres()

# Generations are quick; each test sets the upscale's own latency before any worker runs.
GENERATION_LATENCY = 0.05
LEASE_SECONDS = 3
# Room for a worker process to start (imports, catalog) and lease a due job.
START_TIMEOUT = 20.0
STOP_GRACE_SECONDS = 1
# Longer than any wait in the test that sets it: only a wake-up can make a worker look.
SLOW_POLL_SECONDS = 60
# Four designs of four variants: sixteen upscale jobs for two workers.
DESIGNS = 4


@pytest.fixture
def database_url(postgres_server: str) -> Iterator[str]:
    """A new database for one test, at the newest revision, dropped afterwards."""
    for url in throwaway_database():
        upgrade_database(url)
        yield url


@pytest.fixture
def fake() -> Iterator[ReplicateFake]:
    with running_in_thread(latency=GENERATION_LATENCY) as provider:
        yield provider


@pytest.fixture
def redis_env() -> dict[str, str]:
    """The Redis server's variables; a test asking for them runs its processes on Redis."""
    server = require_redis()
    return {"REDIS_SERVER": server.host, "REDIS_PORT": str(server.port), "REDIS_DB": str(server.db)}


@pytest.fixture
def extra_env(request: pytest.FixtureRequest) -> dict[str, str]:
    """Further service variables for a test's processes: set by indirect parametrizing,
    plus Redis's when the test asks for `redis_env`."""
    values = dict(getattr(request, "param", {}))
    if "redis_env" in request.fixturenames:
        values.update(request.getfixturevalue("redis_env"))
    return values


@pytest.fixture
async def world(
    database_url: str, fake: ReplicateFake, tmp_path: Path, extra_env: dict[str, str]
) -> AsyncIterator[WorkerWorld]:
    service = service_env(
        database_url=database_url,
        data_dir=tmp_path / "data",
        fake=fake,
        public_base_url=f"http://127.0.0.1:{free_loopback_port()}",
        lease_seconds=LEASE_SECONDS,
        **extra_env,
    )
    settings = load_settings(service)
    container = build_container(settings)
    logs_dir = tmp_path / "logs"
    logs_dir.mkdir()
    try:
        await prepare(container, settings)
        async with container() as request:
            owner = await (await request.get(EnsureLocalOwner)).execute()
        yield WorkerWorld(settings, child_env(service), fake, container, owner.id, logs_dir)
    finally:
        await container.close()


def submitted(job: UpscaleJob) -> bool:
    return job.prediction_id is not None


def ended(job: UpscaleJob) -> bool:
    return job.status.terminal


async def test_job_of_a_worker_killed_mid_upscale_is_finished_once_by_another(
    world: WorkerWorld,
) -> None:
    design = await world.design(variants=1)
    world.set_provider_latency(4.0)
    job = await world.queue_upscale(design, 0)

    with world.workers() as start_worker:
        first = start_worker()
        mid_job = await world.wait_for_job(job.id, submitted, timeout=START_TIMEOUT, what="sent")
        assert mid_job.prediction_id is not None
        assert world.prediction_running(mid_job.prediction_id)
        first.kill()
        second = start_worker()
        done = await world.wait_for_job(job.id, ended, timeout=START_TIMEOUT, what="ended")

    assert done.status is JobStatus.SUCCEEDED, done.failure
    assert done.attempts == 2
    assert done.prediction_id == mid_job.prediction_id
    assert [p.id for p in world.paid_upscales()] == [mid_job.prediction_id]
    assert world.jobs_started_by(second) == [str(job.id)]
    assert world.variant_files(design, 0) == ["artwork.png", "preview.webp", "skin.png"]
    app = create_app(world.settings)
    async with AsyncTestClient(app, base_url=world.settings.http.public_base_url) as client:
        headers = {"Authorization": f"Bearer {await world.access_token()}"}
        answer = await client.post(f"/v1/designs/{design.id}/variants/0/download", headers=headers)
        assert answer.status_code == 200, answer.text
        link = urlsplit(answer.json()["url"])
        file = await client.get(f"{link.path}?{link.query}")
    assert file.status_code == 200
    assert file.content == world.print_file(design, 0).read_bytes()


async def test_sigterm_lets_the_current_job_finish_and_the_worker_exit_cleanly(
    world: WorkerWorld,
) -> None:
    design = await world.design(variants=1)
    world.set_provider_latency(1.5)
    job = await world.queue_upscale(design, 0)

    with world.workers() as start_worker:
        worker = start_worker()
        await world.wait_for_job(job.id, submitted, timeout=START_TIMEOUT, what="sent")
        worker.send(signal.SIGTERM)
        code = await worker.exit_code(timeout=10)

    assert code == 0, worker.log()
    assert "released" not in worker.log()
    finished = await world.job(job.id)
    assert finished.status is JobStatus.SUCCEEDED, finished.failure
    assert finished.attempts == 1
    assert len(world.paid_upscales()) == 1
    assert world.variant_files(design, 0) == ["artwork.png", "preview.webp", "skin.png"]


@pytest.mark.parametrize(
    "extra_env",
    [{"CASECRAFT_WORKER_STOP_GRACE_SECONDS": str(STOP_GRACE_SECONDS)}],
    indirect=True,
    ids=["grace-1s"],
)
async def test_sigterm_past_the_grace_gives_the_job_back_and_the_next_worker_resumes_it(
    world: WorkerWorld,
) -> None:
    design = await world.design(variants=1)
    world.set_provider_latency(4.0)
    job = await world.queue_upscale(design, 0)

    with world.workers() as start_worker:
        stopping = start_worker()
        sent = await world.wait_for_job(job.id, submitted, timeout=START_TIMEOUT, what="sent")
        stopping.send(signal.SIGTERM)
        code = await stopping.exit_code(timeout=STOP_GRACE_SECONDS + 5)
        released = await world.job(job.id)
        next_worker = start_worker()
        done = await world.wait_for_job(job.id, ended, timeout=START_TIMEOUT, what="ended")

    assert code == 0, stopping.log()
    assert released.status is JobStatus.SUBMITTED
    assert (released.lease_owner, released.lease_expires_at) == (None, None)
    assert released.can_lease(datetime.now(UTC))
    assert released.prediction_id == sent.prediction_id
    assert done.status is JobStatus.SUCCEEDED, done.failure
    assert done.prediction_id == sent.prediction_id
    assert done.attempts == 1
    assert [p.id for p in world.paid_upscales()] == [sent.prediction_id]
    assert world.jobs_started_by(next_worker) == [str(job.id)]
    assert world.variant_files(design, 0) == ["artwork.png", "preview.webp", "skin.png"]


async def test_two_workers_on_one_database_run_each_job_exactly_once(world: WorkerWorld) -> None:
    world.set_provider_latency(0.3)

    with world.workers() as start_worker:
        workers = [start_worker(), start_worker()]
        designs, queued = [], []
        for _ in range(DESIGNS):
            designs.append(design := await world.design(variants=MAX_VARIANTS))
            queued += [await world.queue_upscale(design, v.index) for v in design.variants]
        done = await world.wait_for_jobs(
            [job.id for job in queued], ended, timeout=40, what="ended"
        )

    assert len(done) == DESIGNS * MAX_VARIANTS
    assert all(job.status is JobStatus.SUCCEEDED for job in done), [j.failure for j in done]
    assert all(job.attempts == 1 for job in done)
    assert world.paid_upscales_by_job() == {str(job.id): 1 for job in done}
    started = [world.jobs_started_by(worker) for worker in workers]
    assert sorted(started[0] + started[1]) == sorted(str(job.id) for job in done)
    assert all(started), "each worker should have taken some of the jobs"
    for design in designs:
        for variant in design.variants:
            files = world.variant_files(design, variant.index)
            assert files == ["artwork.png", "preview.webp", "skin.png"]


@pytest.mark.parametrize(
    "extra_env",
    [{"CASECRAFT_WORKER_POLL_SECONDS": str(SLOW_POLL_SECONDS)}],
    indirect=True,
    ids=["poll-60s"],
)
async def test_workers_woken_through_redis_share_jobs_queued_by_another_process(
    redis_env: dict[str, str], world: WorkerWorld
) -> None:
    world.set_provider_latency(0.3)
    async with Redis(
        host=redis_env["REDIS_SERVER"], port=int(redis_env["REDIS_PORT"]), decode_responses=True
    ) as redis:
        with world.workers() as start_worker:
            workers = [start_worker(), start_worker()]
            design = await world.design(variants=2)
            await wait_for_subscribed(redis, workers, timeout=START_TIMEOUT)
            queued = [await world.queue_upscale(design, v.index) for v in design.variants]
            done = await world.wait_for_jobs(
                [job.id for job in queued], ended, timeout=20, what="ended"
            )

    assert all(job.status is JobStatus.SUCCEEDED for job in done), [j.failure for j in done]
    assert all(job.attempts == 1 for job in done)
    assert world.paid_upscales_by_job() == {str(job.id): 1 for job in done}
    started = [world.jobs_started_by(worker) for worker in workers]
    assert sorted(started[0] + started[1]) == sorted(str(job.id) for job in done)


def _worker_health(worker: WorkerProcess) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*casecraft_command(), "worker-health"],
        env=worker.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def test_worker_health_passes_while_the_worker_beats_and_fails_once_it_stopped(
    world: WorkerWorld,
) -> None:
    with world.workers() as start_worker:
        worker = start_worker()
        for _ in range(int(START_TIMEOUT / 0.1)):
            if worker.heartbeat_file.exists():
                break
            await asyncio.sleep(0.1)
        alive = await asyncio.to_thread(_worker_health, worker)
        worker.kill()

    assert worker.heartbeat_file.exists(), worker.log()
    assert alive.returncode == 0, alive.stderr
    # A worker that died leaves its last beat behind; once that is old, the check fails.
    long_ago = time.time() - 10 * HEARTBEAT_MAX_AGE
    os.utime(worker.heartbeat_file, (long_ago, long_ago))
    stale = await asyncio.to_thread(_worker_health, worker)
    assert stale.returncode == 1
    assert "heartbeat" in stale.stderr
