"""`casecraft worker` as real processes over one PostgreSQL database and the fake provider.

A `WorkerWorld` holds what the tests of worker processes share: the settings (as
environment variables for the subprocesses and as `Settings` for the test's own
container), the fake provider running in a thread on 127.0.0.1, and the app's own
use cases to make designs and queue their upscale jobs. Workers are started with
`world.start_worker()` inside `world.workers()`, which kills every one still alive
when the block ends, whatever happened.

Waiting is polling with a deadline (the database, a process's exit, Redis's client
list); nothing sleeps for a fixed time.
"""

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from uuid import UUID

from dishka import AsyncContainer
from redis.asyncio import Redis

from adapters.replicate.references import reference_of
from application.designs import CreateDesign, NewDesign
from application.downloads import RequestDownload
from application.ports import Clock, TokenIssuer, UnitOfWorkFactory
from application.sessions import open_session
from application.settings import AccountPolicy
from domain.designs import Design, print_file_key
from domain.geometry import Kind
from domain.jobs import UpscaleJob
from entrypoints.settings import Settings
from fakes.replicate_fake import REAL_ESRGAN, ReplicateFake
from fakes.replicate_fake_model import FakePrediction

# A small phone keeps the print files (and so each job) quick.
PHONE = "apple-iphone-13-mini"
SECRET_KEY = "worker-process-test-secret-0123456789abcdefghijk"  # 48 characters
POLL_SECONDS = 0.1
# Variables of the parent that must not leak into a worker: the settings are all set here,
# and a proxy would take the loopback traffic elsewhere.
_CHILD_DROPS = ("CASECRAFT_", "REDIS_", "AWS_", "REPLICATE_", "GOOGLE_")
_CHILD_DROP_NAMES = frozenset(
    {"DATABASE_URL", "SECRET_KEY", "JWT_ALGORITHM", "ACCESS_TOKEN_EXPIRE_MINUTES"}
)


def service_env(
    *,
    database_url: str,
    data_dir: Path,
    fake: ReplicateFake,
    public_base_url: str,
    lease_seconds: int = 3,
    poll_seconds: int = 1,
    **extra: str,
) -> dict[str, str]:
    """The service's settings as its variables: PostgreSQL, files in `data_dir`, the fake."""
    values = {
        "DATABASE_URL": database_url,
        "CASECRAFT_DATA_DIR": str(data_dir),
        "SECRET_KEY": SECRET_KEY,
        "REPLICATE_API_TOKEN": fake.token,
        "REPLICATE_BASE_URL": fake.base_url,
        "REPLICATE_OUTPUT_HOSTS": fake.base_url,
        "CASECRAFT_WORKER_LEASE_SECONDS": str(lease_seconds),
        "CASECRAFT_WORKER_POLL_SECONDS": str(poll_seconds),
        "CASECRAFT_EMBEDDED_WORKER": "false",
        "CASECRAFT_AUTO_MIGRATE": "false",
        # Nothing listens there: webhooks fail to arrive and polling must do the work.
        "CASECRAFT_PUBLIC_BASE_URL": public_base_url,
    }
    values.update(extra)
    return values


def child_env(service: dict[str, str]) -> dict[str, str]:
    """This process's environment without any service setting or proxy, plus `service`."""
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(_CHILD_DROPS)
        and name not in _CHILD_DROP_NAMES
        and not name.lower().endswith("_proxy")
    }
    return {**inherited, "NO_PROXY": "127.0.0.1,localhost", **service}


def casecraft_command() -> list[str]:
    """The `casecraft` console script of the interpreter running the tests."""
    script = Path(sys.executable).with_name("casecraft")
    if not script.is_file():
        raise RuntimeError(f"no casecraft console script beside {sys.executable}")
    return [str(script)]


class WorkerProcess:
    """One `casecraft worker` process; its output goes to a log file kept for failures."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.log_path = log_path
        self.heartbeat_file = log_path.with_suffix(".alive")
        self.env = {**env, "CASECRAFT_WORKER_HEARTBEAT_FILE": str(self.heartbeat_file)}
        self._log: IO[bytes] = log_path.open("wb")
        self.process = subprocess.Popen(
            [*casecraft_command(), "worker"],
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def send(self, signum: signal.Signals) -> None:
        if self.alive():
            self.process.send_signal(signum)

    async def exit_code(self, timeout: float) -> int:
        """Wait for the process to end; its exit code (negative: the signal that ended it)."""
        deadline = time.monotonic() + timeout
        while self.process.poll() is None:
            if time.monotonic() >= deadline:
                raise AssertionError(
                    f"worker {self.pid} still running after {timeout} s\n{self.log()}"
                )
            await asyncio.sleep(POLL_SECONDS)
        return self.process.returncode

    def kill(self) -> None:
        """SIGKILL, then reap: it dies at once, whatever it was doing."""
        if self.alive():
            self.process.kill()
        self.process.wait(timeout=10)
        self._log.close()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@dataclass
class WorkerWorld:
    settings: Settings
    env: dict[str, str]
    fake: ReplicateFake
    container: AsyncContainer
    owner_id: UUID
    logs_dir: Path
    started: list[WorkerProcess] = field(default_factory=list)

    # Arranging.

    async def design(self, variants: int = 1, kind: Kind = Kind.SKIN) -> Design:
        """A finished design of the local owner's, generated through the fake provider."""
        async with self.container() as request:
            create = await request.get(CreateDesign)
            design = await create.execute(
                NewDesign(self.owner_id, PHONE, kind, "a lighthouse at dusk", variants=variants),
                wait_seconds=30,
            )
        assert design.finished, f"design {design.id} did not finish generating"
        return design

    async def queue_upscale(self, design: Design, index: int) -> UpscaleJob:
        """Ask for the print file, as a download does; the job that it queued (or found)."""
        async with self.container() as request:
            await (await request.get(RequestDownload)).execute(self.owner_id, design.id, index)
        async with (await self.container.get(UnitOfWorkFactory))() as uow:
            job = await uow.jobs.latest_for_variant(design.id, index)
        assert job is not None
        return job

    def set_provider_latency(self, seconds: float) -> None:
        """How long the predictions created from now on take at the fake."""
        self.fake.latency = seconds

    async def access_token(self) -> str:
        """A bearer token of a new session of the owner, as a login gives."""
        policy = await self.container.get(AccountPolicy)
        now = (await self.container.get(Clock)).now()
        async with (await self.container.get(UnitOfWorkFactory))() as uow:
            owner = await uow.users.get(self.owner_id)
            assert owner is not None
            session_id, _ = await open_session(uow, owner, now, policy)
            await uow.commit()
        token, _ = (await self.container.get(TokenIssuer)).issue_access(self.owner_id, session_id)
        return token

    # Acting.

    @contextlib.contextmanager
    def workers(self) -> Iterator[Callable[[], WorkerProcess]]:
        """A starter of worker processes; every one still alive is killed on leaving."""
        try:
            yield self.start_worker
        finally:
            for worker in self.started:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    worker.kill()

    def start_worker(self) -> WorkerProcess:
        log_path = self.logs_dir / f"worker-{len(self.started) + 1}.log"
        worker = WorkerProcess(self.env, log_path)
        self.started.append(worker)
        return worker

    # Observing.

    async def job(self, job_id: UUID) -> UpscaleJob:
        return (await self.jobs([job_id]))[0]

    async def jobs(self, job_ids: list[UUID]) -> list[UpscaleJob]:
        """The jobs as the database holds them now, read in one transaction."""
        async with (await self.container.get(UnitOfWorkFactory))() as uow:
            jobs = [await uow.jobs.get(job_id) for job_id in job_ids]
        assert all(job is not None for job in jobs)
        return [job for job in jobs if job is not None]

    async def wait_for_jobs(
        self,
        job_ids: list[UUID],
        condition: Callable[[UpscaleJob], bool],
        *,
        timeout: float,
        what: str,
    ) -> list[UpscaleJob]:
        """Poll the database until every job meets `condition`; fail after `timeout` s."""
        deadline = time.monotonic() + timeout
        while True:
            jobs = await self.jobs(job_ids)
            if all(condition(job) for job in jobs):
                return jobs
            if time.monotonic() >= deadline:
                states = ", ".join(f"{j.id}={j.status}/{j.attempts}" for j in jobs)
                raise AssertionError(
                    f"jobs not {what} after {timeout} s: {states}\n{self.worker_logs()}"
                )
            await asyncio.sleep(POLL_SECONDS)

    async def wait_for_job(
        self, job_id: UUID, condition: Callable[[UpscaleJob], bool], *, timeout: float, what: str
    ) -> UpscaleJob:
        return (await self.wait_for_jobs([job_id], condition, timeout=timeout, what=what))[0]

    def prediction_running(self, prediction_id: str) -> bool:
        """Whether the fake's prediction has not ended yet."""
        now = time.monotonic()
        found = [p for p in list(self.fake.predictions) if p.id == prediction_id]
        return bool(found) and found[0].status_at(now) in ("starting", "processing")

    def paid_upscales(self) -> list[FakePrediction]:
        """The real-esrgan predictions the fake would bill (all but the aborted ones)."""
        now = time.monotonic()
        return [
            p
            for p in list(self.fake.predictions)
            if p.model == REAL_ESRGAN and p.status_at(now) != "aborted"
        ]

    def paid_upscales_by_job(self) -> dict[str, int]:
        """How many billed upscales each job (the webhook's reference) started."""
        counts: dict[str, int] = {}
        for prediction in self.paid_upscales():
            reference = reference_of(prediction.webhook) or "?"
            counts[reference] = counts.get(reference, 0) + 1
        return counts

    def variant_files(self, design: Design, index: int) -> list[str]:
        """The names of every file in the variant's storage folder, temporaries included."""
        folder = self.settings.storage_dir / "designs" / str(design.id) / str(index)
        return sorted(path.name for path in folder.iterdir())

    def print_file(self, design: Design, index: int) -> Path:
        return self.settings.storage_dir / print_file_key(design.id, index, design.kind)

    def jobs_started_by(self, worker: WorkerProcess) -> list[str]:
        """The job ids of every attempt `worker` started, from its log, in order."""
        return [
            _field(line, "job") for line in worker.log().splitlines() if "upscale started" in line
        ]

    def worker_logs(self) -> str:
        return "\n".join(f"--- {w.log_path.name}\n{w.log()}" for w in self.started)


def _field(line: str, name: str) -> str:
    """The value of `name=value` in a log line."""
    return next(part.split("=", 1)[1] for part in line.split() if part.startswith(f"{name}="))


def _tcp_ports(pid: int) -> set[int]:
    """The local ports of the IPv4 TCP sockets process `pid` holds (Linux /proc)."""
    fd_dir = Path(f"/proc/{pid}/fd")
    inodes = set()
    for fd in fd_dir.iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[len("socket:[") : -1])
    ports = set()
    for line in Path(f"/proc/{pid}/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[9] in inodes:
            ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


async def wait_for_subscribed(
    redis: Redis, workers: list[WorkerProcess], *, timeout: float
) -> None:
    """Poll Redis until each of `workers` holds a pub/sub subscription; fail after `timeout`.

    Connections are matched to a worker by their local port, so other processes using
    the same Redis server (and channel) cannot fool the count.
    """
    deadline = time.monotonic() + timeout
    while True:
        subscribed = {
            int(client["addr"].rsplit(":", 1)[1])
            for client in await redis.client_list()
            if int(client.get("sub", 0)) > 0
        }
        waiting = [w.pid for w in workers if not _tcp_ports(w.pid) & subscribed]
        if not waiting:
            return
        if time.monotonic() >= deadline:
            raise AssertionError(f"workers {waiting} not subscribed after {timeout} s")
        await asyncio.sleep(POLL_SECONDS)
