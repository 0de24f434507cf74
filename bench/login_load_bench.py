"""Catalog latency while 20 logins hash at once: the real app under uvicorn on loopback.

The service (embedded default: SQLite and files in a temporary data folder, argon2id at
OWASP's parameters) runs in a process of its own on 127.0.0.1 and a free port. A
second process keeps LOGINS logins in flight with the right password, so the server
always has that many waiting for or running their password verification. From this
process one connection sends GET /v1/phones one request at a time and times each
answer. The floor is the same measurement with no login running; the two phases
alternate round after round (A B, then B A). Figures: p50 and p99 latency of each
phase over every sample, the ratio of the p99s, and the target p99 < 50 ms during the
logins.

Every loop is bounded in count and in time; the login process also ends on its own
after MAX_DRIVER_SECONDS.

Run from the repository root: `.venv/bin/python bench/login_load_bench.py`.
Internal modes (started by the benchmark itself): `--serve DIR`, `--drive URL`.
"""

import argparse
import asyncio
import contextlib
import math
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx

from report import Row, print_row
from timing import Summary

LOOPBACK = "127.0.0.1"
CATALOG_PATH = "/v1/phones"
LOGINS = 20
EMAIL = "bench-login@example.com"
PASSWORD = "bench password 0123456789"
# Every login comes from 127.0.0.1, so the per-address auth limit (20 a minute by
# default) would refuse all but the first few: the benchmark server raises it.
BENCH_AUTH_LIMIT = 1_000_000
ROUNDS = 5
SAMPLES_PER_PHASE = 300
PHASE_BUDGET_S = 15.0
# Time for the first logins to reach the server and start hashing before timing starts.
WARMUP_S = 0.5
TARGET_P99_MS = 50.0
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0
REQUEST_TIMEOUT_S = 30.0
MAX_DRIVER_SECONDS = 300.0
MAX_LOGINS_PER_PHASE = 20_000


def percentile(samples: list[float], fraction: float) -> float:
    """The nearest-rank percentile: the smallest sample at or above `fraction` of them."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


# --- the server process -------------------------------------------------------------


def serve(data_dir: Path) -> None:
    """The service as `casecraft serve` runs it, on a free loopback port it prints first."""
    import uvicorn

    from apps import quiet_logs
    from entrypoints.http.app import create_app
    from entrypoints.settings import load_settings
    from listening import loopback_socket

    settings = load_settings(
        {
            "CASECRAFT_DATA_DIR": str(data_dir),
            "CASECRAFT_EMBEDDED_WORKER": "false",
            "CASECRAFT_AUTH_RATE_LIMIT": str(BENCH_AUTH_LIMIT),
        }
    )
    app = create_app(settings)
    quiet_logs()
    config = uvicorn.Config(
        app,
        lifespan="on",
        log_config=None,
        log_level="warning",
        access_log=False,
        proxy_headers=False,
        server_header=False,
    )
    sock = loopback_socket(128)
    print(sock.getsockname()[1], flush=True)
    uvicorn.Server(config).run(sockets=[sock])


# --- the login process --------------------------------------------------------------


async def _login_phase(http: httpx.AsyncClient, deadline: float) -> str:
    """LOGINS logins in flight until `stop` is read; `logins errors seconds` of the phase."""
    credentials = {"email": EMAIL, "password": PASSWORD}
    stop = asyncio.Event()
    done = errors = 0
    started = time.perf_counter()

    async def keep_logging_in() -> None:
        nonlocal done, errors
        while not stop.is_set() and done + errors < MAX_LOGINS_PER_PHASE:
            if time.perf_counter() > deadline:
                return
            answer = await http.post("/v1/auth/login", json=credentials)
            if answer.status_code == 200:
                done += 1
            else:
                errors += 1

    workers = [asyncio.create_task(keep_logging_in()) for _ in range(LOGINS)]
    print("running", flush=True)
    await asyncio.to_thread(sys.stdin.readline)
    stop.set()
    await asyncio.gather(*workers)
    return f"{done} {errors} {time.perf_counter() - started:.3f}"


async def drive(base_url: str) -> None:
    """Keep LOGINS logins in flight between `go` and `stop` read from standard input.

    After `stop` it prints `logins errors seconds` for that phase; `quit` or the end of
    input ends it, and so does MAX_DRIVER_SECONDS.
    """
    limits = httpx.Limits(max_connections=LOGINS, max_keepalive_connections=LOGINS)
    deadline = time.perf_counter() + MAX_DRIVER_SECONDS
    async with httpx.AsyncClient(
        base_url=base_url, trust_env=False, timeout=REQUEST_TIMEOUT_S, limits=limits
    ) as http:
        while time.perf_counter() < deadline:
            command = (await asyncio.to_thread(sys.stdin.readline)).strip()
            if command != "go":
                return
            print(await _login_phase(http, deadline), flush=True)


# --- the benchmark ------------------------------------------------------------------


class BenchFailed(RuntimeError):
    """A process of the benchmark did not start or did not answer."""


async def _spawn(*args: str, stderr: Path) -> asyncio.subprocess.Process:
    with stderr.open("ab") as log:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            str(Path(__file__)),
            *args,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=log,
        )


async def _line(process: asyncio.subprocess.Process, log: Path) -> str:
    assert process.stdout is not None
    try:
        line = await asyncio.wait_for(process.stdout.readline(), START_TIMEOUT_S)
    except TimeoutError:
        line = b""
    if not line:
        output = await asyncio.to_thread(log.read_text, errors="replace")
        raise BenchFailed(f"a benchmark process stopped answering: {output[-2000:]}")
    return line.decode().strip()


async def _stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is not None:
        return
    if process.stdin is not None and not process.stdin.is_closing():
        process.stdin.close()
    process.terminate()
    try:
        await asyncio.wait_for(process.wait(), STOP_TIMEOUT_S)
    except TimeoutError:
        process.kill()
        await process.wait()


@contextlib.asynccontextmanager
async def _process(*args: str, log: Path) -> AsyncIterator[asyncio.subprocess.Process]:
    process = await _spawn(*args, stderr=log)
    try:
        yield process
    finally:
        await _stop(process)


async def _ready(http: httpx.AsyncClient) -> None:
    deadline = time.perf_counter() + START_TIMEOUT_S
    while True:
        with contextlib.suppress(httpx.TransportError):
            if (await http.get(CATALOG_PATH)).status_code == 200:
                return
        if time.perf_counter() > deadline:
            raise BenchFailed(f"{http.base_url} did not answer GET {CATALOG_PATH}")
        await asyncio.sleep(0.1)


async def _catalog_latencies(http: httpx.AsyncClient) -> list[float]:
    """Up to SAMPLES_PER_PHASE sequential GETs within PHASE_BUDGET_S, each in milliseconds."""
    samples: list[float] = []
    phase_ends = time.perf_counter() + PHASE_BUDGET_S
    while len(samples) < SAMPLES_PER_PHASE and time.perf_counter() < phase_ends:
        started = time.perf_counter()
        answer = await http.get(CATALOG_PATH)
        samples.append((time.perf_counter() - started) * 1000)
        if answer.status_code != 200:
            raise BenchFailed(f"GET {CATALOG_PATH} answered {answer.status_code}")
    return samples


async def _with_logins(
    http: httpx.AsyncClient, driver: asyncio.subprocess.Process, log: Path
) -> tuple[list[float], tuple[int, int, float]]:
    assert driver.stdin is not None
    driver.stdin.write(b"go\n")
    await driver.stdin.drain()
    if await _line(driver, log) != "running":
        raise BenchFailed("the login process did not start its logins")
    await asyncio.sleep(WARMUP_S)
    samples = await _catalog_latencies(http)
    driver.stdin.write(b"stop\n")
    await driver.stdin.drain()
    done, errors, seconds = (await _line(driver, log)).split()
    return samples, (int(done), int(errors), float(seconds))


def _summary(samples: list[float]) -> str:
    return (
        f"p50 {percentile(samples, 0.50):6.2f} ms   p99 {percentile(samples, 0.99):6.2f} ms"
        f"   max {max(samples):6.2f} ms   n={len(samples)}"
    )


async def login_rows() -> list[Row]:
    """Measure, print the detail, and give the comparison as a row of the bench table."""
    print(f"[4] GET {CATALOG_PATH} latency while {LOGINS} logins hash at once (uvicorn, loopback)")
    print(
        f"    argon2id m=19 MiB t=2 p=1; {ROUNDS} rounds of {SAMPLES_PER_PHASE} GETs per phase"
        " on one connection"
    )
    floor: list[float] = []
    loaded: list[float] = []
    floor_p99s: list[float] = []
    loaded_p99s: list[float] = []
    logins = errors = 0
    login_seconds = 0.0
    with tempfile.TemporaryDirectory(prefix="casecraft-login-bench-") as folder:
        base = Path(folder)
        server_log, driver_log = base / "server.log", base / "driver.log"
        async with _process("--serve", str(base / "data"), log=server_log) as server:
            url = f"http://{LOOPBACK}:{await _line(server, server_log)}"
            limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
            async with httpx.AsyncClient(
                base_url=url, trust_env=False, timeout=REQUEST_TIMEOUT_S, limits=limits
            ) as http:
                await _ready(http)
                signed_up = await http.post(
                    "/v1/auth/signup", json={"email": EMAIL, "password": PASSWORD}
                )
                if signed_up.status_code != 202:
                    raise BenchFailed(f"sign-up answered {signed_up.status_code}")
                await _catalog_latencies(http)  # warm: connection open, answers cached
                async with _process("--drive", url, log=driver_log) as driver:
                    for index in range(ROUNDS):
                        phases = ("floor", "load") if index % 2 == 0 else ("load", "floor")
                        for phase in phases:
                            if phase == "floor":
                                samples = await _catalog_latencies(http)
                                floor.extend(samples)
                                floor_p99s.append(percentile(samples, 0.99))
                                continue
                            samples, (done, failed, seconds) = await _with_logins(
                                http, driver, driver_log
                            )
                            loaded.extend(samples)
                            loaded_p99s.append(percentile(samples, 0.99))
                            logins, errors = logins + done, errors + failed
                            login_seconds += seconds
    if logins == 0:
        raise BenchFailed(f"no login succeeded ({errors} failed): nothing was hashing")

    p99_floor, p99_loaded = percentile(floor, 0.99), percentile(loaded, 0.99)
    print(f"    floor      {_summary(floor)}")
    print(f"    logins     {_summary(loaded)}")
    print(
        f"    logins done {logins} ({errors} refused) at {logins / login_seconds:.1f}/s;"
        f" p50 ratio {percentile(loaded, 0.5) / percentile(floor, 0.5):.2f},"
        f" p99 ratio {p99_loaded / p99_floor:.2f}"
    )
    return [
        Row(
            figure=f"GET {CATALOG_PATH} p99, {LOGINS} logins hashing",
            unit="ms",
            subject_name="logins",
            subject=Summary.of(loaded_p99s),
            floor_name="no logins",
            floor=Summary.of(floor_p99s),
            ratio_name="p99 ratio",
            ratio=p99_loaded / p99_floor,
            target=f"p99 < {TARGET_P99_MS:.0f} ms",
            passed=p99_loaded < TARGET_P99_MS and errors == 0,
        )
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--serve", type=Path, metavar="DATA_DIR", help=argparse.SUPPRESS)
    mode.add_argument("--drive", metavar="BASE_URL", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve is not None:
        serve(args.serve)
        return 0
    if args.drive is not None:
        asyncio.run(drive(args.drive))
        return 0
    started = time.perf_counter()
    rows = asyncio.run(login_rows())
    for row in rows:
        print_row(row)
    print(f"\nin {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
