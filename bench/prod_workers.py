"""Production comparison P2: upscale jobs per second, two `casecraft worker` against one.

One PostgreSQL database (or the SQLite fallback), files in a temporary data folder,
the fake provider (tests/fakes) at zero latency in a thread of this process, and a
webhook sink on 127.0.0.1 (the provider's deliveries land there; the workers poll).
Each sample queues JOBS fresh jobs through the app's own use cases (designs of
VARIANTS variants made by CreateDesign, then RequestDownload for every variant), then
starts WORKERS `casecraft worker` processes at once and polls the database until
every job has succeeded. The figure is jobs per second from the first job leased to
the last one done, so the processes' start-up is not in it. After each sample the
workers are stopped and every job is checked: succeeded, leased once (attempts 1),
and exactly one real-esrgan prediction created at the fake for it, by its reference.
"""

import asyncio
import contextlib
import os
import re
import signal
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO
from uuid import UUID

from dishka import AsyncContainer
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from adapters.replicate.references import reference_of
from application.accounts import EnsureLocalOwner
from application.designs import CreateDesign, NewDesign
from application.downloads import RequestDownload
from application.ports import UnitOfWorkFactory
from domain.geometry import Kind
from domain.jobs import JobStatus
from entrypoints.bootstrap import prepare
from entrypoints.http.app import build_container
from entrypoints.settings import load_settings
from fakes.replicate_fake import (
    REAL_ESRGAN,
    HttpRequest,
    HttpResponse,
    LoopbackServer,
    ReplicateFake,
    running_in_thread,
)
from phones import BENCH_PHONE
from prod_report import Check
from prod_world import (
    Deadline,
    bench_database,
    casecraft_command,
    child_env,
    copy_logs,
    machine_busy_s,
    service_env,
)
from report import Row
from timing import Plan, Summary, interleave

JOBS = 24
VARIANTS = 4
PROMPT = "a lighthouse at dusk, bold shapes"
TARGET_RATIO = 1.0
# Two rounds (two workers, one; then one, two), so a neighbour's burst of load
# on a shared machine lands on both sides.
PLAN = Plan(rounds=2, budget_s=0.0, min_rounds=2)
POLL_DATABASE_S = 0.02
PHASE_TIMEOUT_S = 90.0
DESIGN_WAIT_S = 30.0
STOP_TIMEOUT_S = 15.0
_COUNTS = text(
    "SELECT "
    "COALESCE(SUM(CASE WHEN attempts > 0 THEN 1 ELSE 0 END), 0), "
    "COALESCE(SUM(CASE WHEN status = 'succeeded' THEN 1 ELSE 0 END), 0), "
    "COALESCE(SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), 0) "
    "FROM upscale_jobs"
)
_DURATION = re.compile(r"upscale succeeded job=\S+ duration_ms=(\d+)")
_LOG_TIME = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) ")


class PhaseFailed(RuntimeError):
    """A sample could not finish: a worker died, a job failed, or the time ran out."""


@dataclass
class Phase:
    """One sample: WORKERS processes draining JOBS jobs."""

    workers: int
    seconds: float
    jobs_per_worker: list[int]
    second_start_ms: float | None
    jobs_checked: int
    attempts_other_than_one: int
    not_succeeded: int
    upscales_created: int
    jobs_with_one_upscale: int
    workers_cpu_s: float
    bench_cpu_s: float
    machine_cpu_s: float
    job_ms: float

    @property
    def rate(self) -> float:
        return self.jobs_checked / self.seconds

    @property
    def others_cpu_s(self) -> float:
        return self.machine_cpu_s - self.workers_cpu_s - self.bench_cpu_s

    @property
    def exactly_once(self) -> bool:
        return (
            self.attempts_other_than_one == 0
            and self.not_succeeded == 0
            and self.upscales_created == self.jobs_checked
            and self.jobs_with_one_upscale == self.jobs_checked
        )


@dataclass
class Workers:
    database: str = ""
    phases: list[Phase] = field(default_factory=list)


class _Sink:
    """Answers 204 to every webhook delivery, on 127.0.0.1."""

    def __init__(self) -> None:
        self.server = LoopbackServer(self._handle)
        self.count = 0

    async def _handle(self, _request: HttpRequest) -> HttpResponse:
        self.count += 1
        return HttpResponse(204)


@dataclass
class Lab:
    container: AsyncContainer
    engine: AsyncEngine
    env: dict[str, str]
    fake: ReplicateFake
    owner_id: UUID
    logs: Path
    started: int = 0

    async def queue_jobs(self, count: int) -> list[UUID]:
        """`count` queued upscale jobs of new designs, as downloads queue them."""
        designs = await asyncio.gather(*(self._design() for _ in range(count // VARIANTS)))
        variants = [(design_id, index) for design_id in designs for index in range(VARIANTS)]
        await asyncio.gather(*(self._download(d, i) for d, i in variants))
        uow_factory = await self.container.get(UnitOfWorkFactory)
        ids = []
        async with uow_factory() as uow:
            for design_id, index in variants:
                job = await uow.jobs.latest_for_variant(design_id, index)
                if job is None or job.status is not JobStatus.QUEUED:
                    raise PhaseFailed(f"no queued job for design {design_id} variant {index}")
                ids.append(job.id)
        return ids

    async def _design(self) -> UUID:
        async with self.container() as request:
            create = await request.get(CreateDesign)
            command = NewDesign(self.owner_id, BENCH_PHONE, Kind.SKIN, PROMPT, variants=VARIANTS)
            design = await create.execute(command, wait_seconds=DESIGN_WAIT_S)
        if not design.finished or len(design.variants) != VARIANTS:
            raise PhaseFailed(f"design {design.id} did not finish with {VARIANTS} variants")
        return design.id

    async def _download(self, design_id: UUID, index: int) -> None:
        async with self.container() as request:
            await (await request.get(RequestDownload)).execute(self.owner_id, design_id, index)

    async def counts(self) -> tuple[int, int, int]:
        async with self.engine.connect() as connection:
            started, succeeded, failed = (await connection.execute(_COUNTS)).one()
        return int(started), int(succeeded), int(failed)

    async def run_phase(self, workers: int) -> Phase:
        ids = await self.queue_jobs(JOBS)
        started0, succeeded0, failed0 = await self.counts()
        created_before = len(self.fake.predictions)
        logs = [self.logs / f"worker-{self.started + n + 1}.log" for n in range(workers)]
        self.started += workers
        async with _processes(self.env, logs) as processes:
            window = await self._drain(processes, len(ids), started0, succeeded0, failed0)
        return await self._checked(workers, ids, window, logs, created_before)

    async def _drain(
        self,
        processes: list[asyncio.subprocess.Process],
        count: int,
        started0: int,
        succeeded0: int,
        failed0: int,
    ) -> "Window":
        """Poll until `count` more jobs succeeded: from the first lease seen to the last success."""
        deadline = Deadline(PHASE_TIMEOUT_S)
        first: Window | None = None
        while not deadline.expired:
            started, succeeded, failed = await self.counts()
            if first is None and started > started0:
                first = Window.now(processes)
            if first is not None and succeeded - succeeded0 >= count:
                return first.until_now(processes)
            if failed > failed0:
                raise PhaseFailed(f"{failed - failed0} upscale jobs failed")
            if any(process.returncode is not None for process in processes):
                raise PhaseFailed("a worker process ended before the jobs were done")
            await asyncio.sleep(POLL_DATABASE_S)
        raise PhaseFailed(f"the jobs were not done within {PHASE_TIMEOUT_S:g} s")

    async def _checked(
        self, workers: int, ids: list[UUID], window: "Window", logs: list[Path], created: int
    ) -> Phase:
        uow_factory = await self.container.get(UnitOfWorkFactory)
        async with uow_factory() as uow:
            jobs = [await uow.jobs.get(job_id) for job_id in ids]
        upscales = [p for p in self.fake.predictions[created:] if p.model == REAL_ESRGAN]
        by_reference = Counter(reference_of(p.webhook) for p in upscales)
        starts = sorted(t for t in (_first_start(log) for log in logs) if t is not None)
        durations = [ms for log in logs for ms in _job_durations(log)]
        return Phase(
            workers=workers,
            seconds=window.seconds,
            jobs_per_worker=[_succeeded(log) for log in logs],
            second_start_ms=(starts[1] - starts[0]) * 1000 if len(starts) > 1 else None,
            jobs_checked=len(ids),
            attempts_other_than_one=sum(1 for job in jobs if job is None or job.attempts != 1),
            not_succeeded=sum(
                1 for job in jobs if job is None or job.status is not JobStatus.SUCCEEDED
            ),
            upscales_created=len(upscales),
            jobs_with_one_upscale=sum(1 for job_id in ids if by_reference[str(job_id)] == 1),
            workers_cpu_s=window.workers_cpu_s,
            bench_cpu_s=window.bench_cpu_s,
            machine_cpu_s=window.machine_cpu_s,
            job_ms=sum(durations) / max(1, len(durations)),
        )


@dataclass(frozen=True, slots=True)
class Window:
    """A stretch of a sample: wall seconds and the CPU seconds of the workers and of this
    process (the fake provider's thread, the webhook sink, the polling) within it."""

    seconds: float
    workers_cpu_s: float
    bench_cpu_s: float
    machine_cpu_s: float

    @classmethod
    def now(cls, processes: list[asyncio.subprocess.Process]) -> "Window":
        """Readings at this instant, to subtract from later ones."""
        workers = sum(_cpu_of(process.pid) for process in processes)
        return cls(time.perf_counter(), workers, time.process_time(), machine_busy_s())

    def until_now(self, processes: list[asyncio.subprocess.Process]) -> "Window":
        later = Window.now(processes)
        return Window(
            later.seconds - self.seconds,
            later.workers_cpu_s - self.workers_cpu_s,
            later.bench_cpu_s - self.bench_cpu_s,
            later.machine_cpu_s - self.machine_cpu_s,
        )


def _cpu_of(pid: int) -> float:
    """CPU seconds (user + system) of a running process, from /proc; 0 without it."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _job_durations(log: Path) -> list[float]:
    """Each job's duration in ms, from the worker's 'upscale succeeded' log lines."""
    return [float(match.group(1)) for match in _DURATION.finditer(log.read_text(errors="replace"))]


def _succeeded(log: Path) -> int:
    return sum("upscale succeeded" in line for line in log.read_text(errors="replace").splitlines())


def _first_start(log: Path) -> float | None:
    """When the worker of `log` started its first job (seconds since the epoch), from its log."""
    for line in log.read_text(errors="replace").splitlines():
        match = _LOG_TIME.match(line)
        if match and "upscale started" in line:
            stamp = datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S,%f")
            return stamp.timestamp()
    return None


@contextlib.asynccontextmanager
async def _processes(
    env: dict[str, str], logs: list[Path]
) -> AsyncIterator[list[asyncio.subprocess.Process]]:
    """`casecraft worker` once per log file, all started at once; stopped on the way out."""
    files: list[IO[bytes]] = [log.open("wb") for log in logs]
    processes: list[asyncio.subprocess.Process] = []
    try:
        for log_file in files:
            processes.append(
                await asyncio.create_subprocess_exec(
                    *casecraft_command(),
                    "worker",
                    stdin=asyncio.subprocess.DEVNULL,
                    stdout=log_file,
                    stderr=log_file,
                    env=child_env(env),
                )
            )
        yield processes
    finally:
        for process in processes:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                await asyncio.wait_for(process.wait(), STOP_TIMEOUT_S)
            except TimeoutError:
                process.kill()
                await process.wait()
        for log_file in files:
            log_file.close()


@contextlib.asynccontextmanager
async def _lab(base: Path, result: Workers) -> AsyncIterator[Lab]:
    data_dir = base / "data"
    logs = base / "logs"
    logs.mkdir(parents=True)
    sink = _Sink()
    await sink.server.start()
    try:
        async with bench_database(data_dir, "workers") as database:
            result.database = database.label
            with running_in_thread(latency=0.0) as fake:
                env = service_env(
                    database_url=database.url,
                    data_dir=data_dir,
                    provider_url=fake.base_url,
                    token=fake.token,
                    webhook_secret=fake.webhook_secret,
                )
                env.update(
                    {
                        "CASECRAFT_PUBLIC_BASE_URL": f"http://127.0.0.1:{sink.server.port}",
                        "CASECRAFT_AUTO_MIGRATE": "false",
                        "CASECRAFT_WORKER_POLL_SECONDS": "1",
                    }
                )
                settings = load_settings({**env, "CASECRAFT_AUTO_MIGRATE": "true"})
                container = build_container(settings)
                engine = create_async_engine(database.url)
                try:
                    await prepare(container, settings)
                    async with container() as request:
                        owner = await (await request.get(EnsureLocalOwner)).execute()
                    yield Lab(container, engine, env, fake, owner.id, logs)
                finally:
                    await engine.dispose()
                    await container.close()
    finally:
        await sink.server.stop()


async def run_workers(keep_logs: Path | None = None) -> Workers:
    """Interleaved samples of two workers and one; with `keep_logs`, the workers' logs
    are copied into that folder."""
    result = Workers()
    with tempfile.TemporaryDirectory(prefix="casecraft-prod-workers-") as folder:
        async with _lab(Path(folder), result) as lab:

            async def two() -> float:
                phase = await lab.run_phase(2)
                result.phases.append(phase)
                return phase.rate

            async def one() -> float:
                phase = await lab.run_phase(1)
                result.phases.append(phase)
                return phase.rate

            await interleave(two, one, PLAN)
            if keep_logs is not None:
                names = [f"worker-{number}.log" for number in range(1, lab.started + 1)]
                copy_logs(keep_logs, [(lab.logs / name, name) for name in names])
    return result


def print_detail(result: Workers) -> None:
    for phase in result.phases:
        late = (
            f", second worker's first job {phase.second_start_ms:.0f} ms after the first's"
            if phase.second_start_ms is not None
            else ""
        )
        print(
            f"    {phase.workers} worker(s): {phase.jobs_checked} jobs in {phase.seconds:.2f} s "
            f"= {phase.rate:.1f} jobs/s; jobs per worker {phase.jobs_per_worker}{late}; "
            f"attempts != 1: {phase.attempts_other_than_one}, real-esrgan predictions "
            f"{phase.upscales_created} for {phase.jobs_checked} jobs; mean job "
            f"{phase.job_ms:.0f} ms; CPU in the window: workers {phase.workers_cpu_s:.1f} s, "
            f"bench (fake provider) {phase.bench_cpu_s:.1f} s, other processes of the machine "
            f"{max(0.0, phase.others_cpu_s):.1f} s"
        )


def worker_rows(result: Workers) -> tuple[list[Row], list[Check]]:
    two = Summary.of([p.rate for p in result.phases if p.workers == 2])
    one = Summary.of([p.rate for p in result.phases if p.workers == 1])
    ratio = two.median / one.median
    jobs = sum(p.jobs_checked for p in result.phases)
    once = all(p.exactly_once for p in result.phases)
    twice = sum(p.jobs_checked - p.jobs_with_one_upscale for p in result.phases)
    rows = [
        Row(
            figure=f"upscale jobs, 2 workers vs 1 ({JOBS} per sample)",
            unit="job/s",
            subject_name="2 workers",
            subject=two,
            floor_name="1 worker",
            floor=one,
            ratio_name="two/one",
            ratio=ratio,
            target=f"> {TARGET_RATIO:.2f}",
            passed=ratio > TARGET_RATIO and once,
        )
    ]
    checks = [
        Check.of(
            "every job once: succeeded, attempts 1, one upscale",
            f"{jobs - twice}/{jobs} jobs" + ("" if once else " (see detail)"),
            "all",
            once,
        )
    ]
    return rows, checks
