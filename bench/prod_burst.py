"""Production comparison P1: 200 concurrent design requests while the provider takes 2 s.

The real service (prod_serve: `create_app(settings)` under uvicorn in a process of
its own on 127.0.0.1; PostgreSQL or the SQLite fallback; files in a temporary data
folder; no embedded worker; the provider's signed webhooks accepted, as in
production) is driven by one httpx.AsyncClient with a connection for every request
of a batch. The fake provider (tests/fakes) runs flux at PROVIDER_LATENCY_S in a
thread of this process. Each request of a batch comes from its own user: BATCH
accounts are made beforehand in the service's database and their access tokens
issued by the service's own TokenIssuer with its secret (200 sign-ups and logins
over HTTP would spend 80 s in argon2), so the per-owner serialisation of the design
quota sees 200 owners, as it would with 200 people; no limit is changed.

Subject: the wall time of BATCH `POST /v1/designs` sent at once with
`Prefer: wait=10`, each to be answered 201 with its preview. Floor: one lone
request's wall time, in the same run: the provider's latency plus one design's own
work. The two are interleaved (timing.interleave). During each window the server's
probe (prod_probe) records its event loop's lag, its RSS and its CPU time; after the
run the server's log tells when each batch's predictions were seen done and when
its designs were stored, and how many times a design was finished.
"""

import asyncio
import contextlib
import json
import os
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from uuid import uuid4

import httpx

from application.ports import Clock, TokenIssuer, UnitOfWorkFactory
from application.sessions import open_session
from application.settings import AccountPolicy
from domain.users import User
from entrypoints.http.app import build_container
from entrypoints.settings import load_settings
from fakes.replicate_fake import running_in_thread
from phones import BENCH_PHONE
from prod_report import Check
from prod_serve import DEBUG_LOGGERS
from prod_world import (
    Deadline,
    bench_database,
    child_env,
    copy_logs,
    machine_busy_s,
    percentile,
    service_env,
)
from report import Row
from timing import Plan, Summary, interleave

SERVE = Path(__file__).with_name("prod_serve.py")
BATCH = 200
PROVIDER_LATENCY_S = 2.0
PREFER_WAIT = "wait=10"
TARGET_RATIO = 1.5
TARGET_LAG_P99_MS = 50.0
# The RSS "while waiting" is read this far into the first batch: the requests are
# then waiting on the provider and none has its images yet.
WAIT_PHASE_S = 0.75 * PROVIDER_LATENCY_S
# A second round runs only when the first ended within the budget.
PLAN = Plan(rounds=2, budget_s=30.0, min_rounds=1)
CONNECTIONS = BATCH + 56
REQUEST_TIMEOUT_S = 60.0
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 20.0
# Before each window the server must be idle (a batch's leftovers, such as designs
# finished by webhooks after the client gave up, must not land in the next window):
# under QUIET_CPU_S of CPU in QUIET_STEP_S, waited for at most QUIET_TIMEOUT_S.
QUIET_STEP_S = 0.25
QUIET_CPU_S = 0.03
QUIET_TIMEOUT_S = 30.0
DESIGN = {"phone": BENCH_PHONE, "prompt": "blue ocean waves at sunset, bold shapes"}
# With --diagnose, the server also logs each image step's and each download's duration.
DIAGNOSE_LOGGERS = "adapters.imaging.processor,adapters.replicate.fetching"
_LOG_LINE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) level=\w+ logger=\S+ (.*)$")
_POLLED = re.compile(r"prediction polled id=(\w+) .*status=succeeded")
_STARTED = re.compile(r"design started design=(\S+)")
_SUBMITTED = re.compile(r"generation submitted design=(\S+) prediction=(\w+)")
_READY = re.compile(r"design ready design=(\S+)")
STAGES = (
    "request in -> design started",
    "started -> prediction created",
    "created -> seen done",
    "seen done -> design ready",
)
_STEP = re.compile(r"image step=(\w+) duration_ms=([\d.]+)")
_FETCHED = re.compile(r"output fetched .*duration_ms=(\d+)")


class ServerFailed(RuntimeError):
    """The benchmark's server did not start or did not answer."""


@dataclass
class Window:
    """One batch or lone request as the client and the server's probe saw it."""

    started_at: float  # time.time(), to place the server's log lines
    wall_s: float
    statuses: Counter[int]
    latencies_s: list[float]
    lags_ms: list[float]
    rss_start_kib: int
    rss: list[tuple[float, int]]
    server_cpu_s: float
    loop_thread_cpu_s: float
    bench_cpu_s: float
    machine_cpu_s: float
    # From the server's log, once it has stopped: when each prediction was first seen done.
    seen_done_s: list[float] = field(default_factory=list)
    timeline: dict[str, list[float]] = field(default_factory=dict)
    stored_s: float = 0.0
    finishes: int = 0

    @property
    def lag_p99_ms(self) -> float:
        return percentile(self.lags_ms, 0.99) if self.lags_ms else 0.0

    @property
    def rss_peak_kib(self) -> int:
        return max([kib for _, kib in self.rss] + [self.rss_start_kib])

    def rss_at(self, seconds: float) -> int:
        """The last RSS sample taken at or before `seconds` into the window."""
        before = [kib for at, kib in self.rss if at <= seconds]
        return before[-1] if before else self.rss_start_kib


@dataclass
class Burst:
    webhooks: bool
    database: str = ""
    batches: list[Window] = field(default_factory=list)
    lones: list[Window] = field(default_factory=list)
    baseline_kib: int = 0
    log_notes: list[str] = field(default_factory=list)
    profile: str = ""


@contextlib.asynccontextmanager
async def served(env: dict[str, str], log: Path) -> AsyncIterator[str]:
    """prod_serve.py with the settings `env`; yields its base URL; stops it on the way out."""
    with log.open("wb") as log_file:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(SERVE),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=log_file,
            env=child_env({}),
        )
        try:
            assert process.stdin is not None and process.stdout is not None
            line = await asyncio.wait_for(process.stdout.readline(), START_TIMEOUT_S)
            if not line.strip().isdigit():
                raise ServerFailed(f"server did not start: {_tail(log)}")
            process.stdin.write(json.dumps(env).encode() + b"\n")
            await process.stdin.drain()
            process.stdin.close()
            yield f"http://127.0.0.1:{int(line)}"
        finally:
            await _stop(process)


async def _stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is not None:
        return
    process.terminate()
    try:
        await asyncio.wait_for(process.wait(), STOP_TIMEOUT_S)
    except TimeoutError:
        process.kill()
        await process.wait()


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-2000:]


def client(base_url: str) -> httpx.AsyncClient:
    """Room for every request of a batch at once; environment proxies ignored."""
    limits = httpx.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS)
    return httpx.AsyncClient(
        base_url=base_url, trust_env=False, timeout=REQUEST_TIMEOUT_S, limits=limits
    )


async def _ready(http: httpx.AsyncClient, log: Path) -> None:
    deadline = Deadline(START_TIMEOUT_S)
    while True:
        with contextlib.suppress(httpx.TransportError):
            if (await http.get("/health/ready")).status_code == 200:
                return
        if deadline.expired:
            raise ServerFailed(f"the server did not become ready: {_tail(log)}")
        await asyncio.sleep(0.1)


async def _users(env: dict[str, str], count: int) -> list[dict[str, str]]:
    """`count` verified accounts in the service's database (no password: nobody can log in
    as them) and the request headers of each: its bearer access token and the wait."""
    container = build_container(load_settings(env))
    try:
        uow_factory = await container.get(UnitOfWorkFactory)
        tokens = await container.get(TokenIssuer)
        now = (await container.get(Clock)).now()
        policy = await container.get(AccountPolicy)
        users = [
            User(uuid4(), f"burst-{n}@bench.casecraft.example.com", None, True, now)
            for n in range(count)
        ]
        sessions = []
        async with uow_factory() as uow:
            for user in users:
                await uow.users.add(user)
                sessions.append(await open_session(uow, user, now, policy))
            await uow.commit()
        return [
            {
                "Authorization": f"Bearer {tokens.issue_access(user.id, session_id)[0]}",
                "Prefer": PREFER_WAIT,
            }
            for user, (session_id, _) in zip(users, sessions, strict=True)
        ]
    finally:
        await container.close()


async def _design(http: httpx.AsyncClient, headers: dict[str, str]) -> tuple[int, float]:
    """One design request: its status (0 when it got no answer in time) and its seconds."""
    started = time.perf_counter()
    try:
        answer = await http.post("/v1/designs", json=DESIGN, headers=headers)
        status = answer.status_code
    except httpx.HTTPError:
        status = 0
    return status, time.perf_counter() - started


async def _quiet(http: httpx.AsyncClient) -> None:
    """Wait until the server's process is idle, or QUIET_TIMEOUT_S have passed."""
    deadline = Deadline(QUIET_TIMEOUT_S)
    before = (await http.get("/__bench/cpu")).json()["cpu_s"]
    while not deadline.expired:
        await asyncio.sleep(QUIET_STEP_S)
        now = (await http.get("/__bench/cpu")).json()["cpu_s"]
        if now - before < QUIET_CPU_S:
            return
        before = now


async def _window(http: httpx.AsyncClient, users: list[dict[str, str]], count: int) -> Window:
    """`count` design requests at once, one per user of `users`, in a window of the probe's."""
    await _quiet(http)
    await http.get("/__bench/start")
    started_at = time.time()
    started = time.perf_counter()
    cpu = time.process_time()
    machine = machine_busy_s()
    answers = await asyncio.gather(
        *(_design(http, users[index % len(users)]) for index in range(count))
    )
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu
    machine = machine_busy_s() - machine
    probe = (await http.get("/__bench/stop")).json()
    return Window(
        started_at=started_at,
        wall_s=wall,
        statuses=Counter(status for status, _ in answers),
        latencies_s=[seconds for _, seconds in answers],
        lags_ms=probe["lags_ms"],
        rss_start_kib=probe["rss_start_kib"],
        rss=[(at, kib) for at, kib in probe["rss"]],
        server_cpu_s=probe["cpu_s"],
        loop_thread_cpu_s=probe["loop_thread_cpu_s"],
        bench_cpu_s=cpu,
        machine_cpu_s=machine,
    )


def _log_events(log: Path) -> list[tuple[float, str]]:
    events = []
    for line in log.read_text(errors="replace").splitlines():
        match = _LOG_LINE.match(line)
        if match:
            stamp = datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S,%f").timestamp()
            events.append((stamp, match.group(2)))
    return events


def _timeline(inside: list[tuple[float, str]]) -> dict[str, list[float]]:
    """Each design's stages from the server's log lines (seconds from the window's start):
    recorded (after the quota check), its prediction created, that prediction first
    logged as succeeded, the design stored."""
    started: dict[str, float] = {}
    created: dict[str, float] = {}
    prediction_of: dict[str, str] = {}
    seen: dict[str, float] = {}
    ready: dict[str, float] = {}
    for at, text in inside:
        if match := _STARTED.match(text):
            started.setdefault(match.group(1), at)
        elif match := _SUBMITTED.match(text):
            created.setdefault(match.group(1), at)
            prediction_of[match.group(2)] = match.group(1)
        elif (match := _POLLED.match(text)) and match.group(1) in prediction_of:
            seen.setdefault(prediction_of[match.group(1)], at)
        elif match := _READY.match(text):
            ready.setdefault(match.group(1), at)
    designs = [d for d in started if d in created and d in seen and d in ready]
    return {
        STAGES[0]: [started[d] for d in designs],
        STAGES[1]: [created[d] - started[d] for d in designs],
        STAGES[2]: [seen[d] - created[d] for d in designs],
        STAGES[3]: [ready[d] - seen[d] for d in designs],
        "seen done, from the start": [seen[d] for d in designs],
    }


def _gist(line: str) -> str:
    """A log line's logger and first words, to count lines of the same kind together."""
    level = "ERROR" if "level=ERROR" in line else "WARNING"
    name, _, message = line.partition(" logger=")[2].partition(" ")
    return f"{level} {name}: {' '.join(message.split()[:3])}"


def _read_log(burst: Burst, log: Path) -> None:
    """Place the server's log lines in the windows; note its warnings and, with --diagnose,
    the image steps' and downloads' durations."""
    events = _log_events(log)
    for window in burst.batches + burst.lones:
        inside = [
            (stamp - window.started_at, text)
            for stamp, text in events
            if window.started_at - 0.01 <= stamp <= window.started_at + window.wall_s + 0.5
        ]
        window.timeline = _timeline(inside)
        stored = [at for at, text in inside if text.startswith("design ready")]
        window.seen_done_s = sorted(window.timeline.pop("seen done, from the start", []))
        window.stored_s = max(stored, default=0.0)
        window.finishes = len(stored)
    levels = Counter(
        _gist(line)
        for line in log.read_text(errors="replace").splitlines()
        if "level=WARNING" in line or "level=ERROR" in line
    )
    burst.log_notes = [f"{count} x '{what}'" for what, count in levels.most_common(5)]
    steps: dict[str, list[float]] = {}
    for _, text in events:
        if step := _STEP.search(text):
            steps.setdefault(f"image {step.group(1)}", []).append(float(step.group(2)))
        elif fetched := _FETCHED.search(text):
            steps.setdefault("output download", []).append(float(fetched.group(1)))
    for name, values in steps.items():
        burst.log_notes.append(
            f"{name}: {len(values)} x, p50 {percentile(values, 0.5):.0f} ms, "
            f"p90 {percentile(values, 0.9):.0f} ms, sum {sum(values) / 1000:.1f} s"
        )


async def run_burst(
    *,
    webhooks: bool = True,
    diagnose: bool = False,
    plan: Plan = PLAN,
    keep_logs: Path | None = None,
) -> Burst:
    """Serve, log the users in, warm up with one design, then interleave batches and lones.

    With `webhooks` off the service has no webhook secret, so the provider's deliveries
    are refused and only the waiting requests (and the worker) finish designs. With
    `keep_logs`, the server's log is copied into that folder.
    """
    burst = Burst(webhooks=webhooks)
    with tempfile.TemporaryDirectory(prefix="casecraft-prod-burst-") as folder:
        base = Path(folder)
        data_dir = base / "data"
        async with bench_database(data_dir, "burst") as database:
            burst.database = database.label
            with running_in_thread(latency=PROVIDER_LATENCY_S) as fake:
                env = service_env(
                    database_url=database.url,
                    data_dir=data_dir,
                    provider_url=fake.base_url,
                    token=fake.token,
                    webhook_secret=fake.webhook_secret,
                )
                if not webhooks:
                    del env["REPLICATE_WEBHOOK_SECRET"]
                if diagnose:
                    env[DEBUG_LOGGERS] = DIAGNOSE_LOGGERS
                log = base / "server.log"
                async with served(env, log) as base_url, client(base_url) as http:
                    await _ready(http, log)
                    users = await _users(env, BATCH)
                    # Discarded: the first design pays for connections, the mask and imports.
                    warm = await _window(http, users, 1)
                    if warm.statuses != Counter({201: 1}):
                        raise ServerFailed(f"a lone design answered {dict(warm.statuses)}")
                    burst.baseline_kib = warm.rss_peak_kib

                    async def batch() -> float:
                        profiled = diagnose and not burst.batches
                        if profiled:
                            await http.get("/__bench/profile/start")
                        window = await _window(http, users, BATCH)
                        if profiled:
                            burst.profile = (await http.get("/__bench/profile/stop")).json()
                        burst.batches.append(window)
                        return window.wall_s

                    async def lone() -> float:
                        window = await _window(http, users, 1)
                        burst.lones.append(window)
                        return window.wall_s

                    await interleave(batch, lone, plan)
                _read_log(burst, log)
                if keep_logs is not None:
                    name = "server.log" if webhooks else "server-no-webhooks.log"
                    copy_logs(keep_logs, [(log, name)])
    return burst


def _p(values: list[float], fraction: float) -> str:
    return f"{percentile(values, fraction):.2f}" if values else "-"


def print_detail(burst: Burst) -> None:
    hooks = "accepted" if burst.webhooks else "refused (no webhook secret)"
    print(f"    {burst.database}; provider webhooks {hooks}; one user per request")
    for index, window in enumerate(burst.batches, 1):
        lat = window.latencies_s
        print(
            f"    batch {index}: {window.wall_s:.2f} s, answers {dict(window.statuses)}; "
            f"requests p50 {percentile(lat, 0.5):.2f} s, p99 {percentile(lat, 0.99):.2f} s"
        )
        print(
            f"      server log: predictions first seen done at p50 {_p(window.seen_done_s, 0.5)}"
            f" s, max {_p(window.seen_done_s, 1.0)} s ({len(window.seen_done_s)} predictions); "
            f"last design stored at {window.stored_s:.2f} s; {window.finishes} finishes of "
            f"{BATCH} designs"
        )
        for stage in STAGES:
            values = window.timeline.get(stage, [])
            print(
                f"        {stage:<32} p50 {_p(values, 0.5):>5} s  p90 {_p(values, 0.9):>5} s  "
                f"max {_p(values, 1.0):>5} s"
            )
        print(
            f"      loop lag p99 {window.lag_p99_ms:.1f} ms, "
            f"max {max(window.lags_ms, default=0):.0f} ms over {len(window.lags_ms)} ticks; "
            f"CPU: server {window.server_cpu_s:.1f} s "
            f"(loop thread {window.loop_thread_cpu_s:.1f} s), this process (client and fake "
            f"provider) {window.bench_cpu_s:.1f} s; RSS peak {window.rss_peak_kib / 1024:.0f} MiB"
        )
        threads = window.server_cpu_s - window.loop_thread_cpu_s
        print(
            f"      server CPU per design: {1000 * window.loop_thread_cpu_s / BATCH:.0f} ms on "
            f"the event-loop thread, {1000 * threads / BATCH:.0f} ms on other threads (images)"
        )
        others = window.machine_cpu_s - window.server_cpu_s - window.bench_cpu_s
        print(
            f"      other processes of the machine: {max(0.0, others):.1f} s CPU in the "
            f"window ({max(0.0, others) / window.wall_s:.2f} cores of {os.cpu_count()})"
        )
    for index, window in enumerate(burst.lones, 1):
        print(
            f"    lone {index}: {window.wall_s:.2f} s, answers {dict(window.statuses)}, "
            f"loop lag p99 {window.lag_p99_ms:.1f} ms, {window.finishes} finishes"
        )
    print(f"    server RSS after the warm-up design: {burst.baseline_kib / 1024:.0f} MiB")
    for note in burst.log_notes:
        print(f"    server log: {note}")
    if burst.profile:
        print("    profile of the server's event-loop thread during batch 1 (CPU time):")
        for line in burst.profile.splitlines():
            print(f"      {line}")


def burst_rows(burst: Burst) -> tuple[list[Row], list[Check]]:
    batch = Summary.of([w.wall_s for w in burst.batches])
    lone = Summary.of([w.wall_s for w in burst.lones])
    answers = Counter[int]()
    for window in burst.batches:
        answers.update(window.statuses)
    sent = BATCH * len(burst.batches)
    all_created = answers[201] == sent
    ratio = batch.median / lone.median
    lag = Summary.of([w.lag_p99_ms for w in burst.batches])
    lone_lag = Summary.of([w.lag_p99_ms for w in burst.lones])
    bound = TARGET_RATIO * PROVIDER_LATENCY_S
    suffix = "" if burst.webhooks else " (no webhooks)"
    rows = [
        Row(
            figure=f"{BATCH} designs, Prefer: {PREFER_WAIT}{suffix}",
            unit="s",
            subject_name="batch",
            subject=batch,
            floor_name="lone",
            floor=lone,
            ratio_name="batch/lone",
            ratio=ratio,
            target=f"<= {TARGET_RATIO:.2f}",
            passed=ratio <= TARGET_RATIO and all_created,
        ),
        Row(
            figure=f"server loop lag p99 in the batch{suffix}",
            unit="ms",
            subject_name="batch",
            subject=lag,
            floor_name="lone",
            floor=lone_lag,
            ratio_name="batch/lone",
            ratio=lag.median / max(lone_lag.median, 0.01),
            target=f"< {TARGET_LAG_P99_MS:.0f} ms each batch",
            passed=lag.high < TARGET_LAG_P99_MS,
        ),
    ]
    # No schedule can end a batch sooner than the machine takes to do its CPU work.
    cores = os.cpu_count() or 1
    cpu_bound = Summary.of([w.machine_cpu_s / cores for w in burst.batches])
    first = burst.batches[0]
    waiting = (first.rss_at(WAIT_PHASE_S) - burst.baseline_kib) / BATCH
    peak = (first.rss_peak_kib - burst.baseline_kib) / BATCH
    seen = Summary.of([max(w.seen_done_s, default=0.0) for w in burst.batches])
    finishes = sum(w.finishes for w in burst.batches)
    checks = [
        Check.of(
            f"batches of {BATCH} answered 201{suffix}",
            f"{answers[201]}/{sent} {dict(answers)}",
            "all",
            all_created,
        ),
        Check.of(
            f"batch wall vs the provider's {PROVIDER_LATENCY_S:g} s{suffix}",
            f"{batch.median:.2f} s = {batch.median / PROVIDER_LATENCY_S:.2f} x",
            f"<= {bound:g} s ({TARGET_RATIO:g} x)",
            batch.median <= bound,
        ),
        Check.info(
            f"the machine's bound: all CPU of the batch over {cores} cores{suffix}",
            f"{cpu_bound.median:.2f} s (batch wall {batch.median:.2f} s)",
        ),
        Check.info(
            f"last prediction seen done (server log){suffix}",
            f"{seen.median:.2f} s = {seen.median / PROVIDER_LATENCY_S:.2f} x provider",
        ),
        Check.of(
            f"designs finished once (server log){suffix}",
            f"{finishes} finishes / {sent} designs",
            "one each",
            finishes == sent,
        ),
        Check.info(
            f"RSS per waiting request (batch 1, {WAIT_PHASE_S:g} s in){suffix}",
            f"{waiting:.0f} KiB",
        ),
        Check.info(
            f"RSS per request at batch 1's peak{suffix}",
            f"{peak:.0f} KiB",
        ),
    ]
    return rows, checks
