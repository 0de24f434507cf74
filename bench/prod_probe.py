"""Inside the benchmark's server process: the event loop's lag and the process's memory.

`Probed` wraps the real app as ASGI middleware. At lifespan startup it starts a task
on the server's own event loop that sleeps TICK_S again and again and records how
late each wake-up is (the overshoot: time the loop was busy with something else),
and reads the resident set size every RSS_EVERY ticks. Requests under /__bench/
never reach the app:

    GET /__bench/start           a new window: lags and RSS samples from now on
    GET /__bench/stop            the window's samples as JSON (lags in ms, RSS in KiB)
    GET /__bench/cpu             the process's CPU seconds so far (to wait for it to idle)
    GET /__bench/profile/start   cProfile on the event loop's thread from now on
    GET /__bench/profile/stop    the profile's top functions as text

The probe is loopback-only test equipment; the app itself is not changed.
"""

import asyncio
import contextlib
import cProfile
import io
import json
import os
import pstats
import resource
import time
from collections.abc import Awaitable, Callable
from typing import Any

TICK_S = 0.010
RSS_EVERY = 5
# A window is bounded by the benchmark to seconds; this caps a forgotten one.
MAX_SAMPLES = 200_000
PROFILE_LINES = 25
PACKAGES = 18
_PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024 if hasattr(os, "sysconf") else 4

Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
AsgiApp = Callable[[dict[str, Any], Receive, Send], Awaitable[None]]


def rss_kib() -> int:
    """The resident set size now, in KiB (/proc/self/statm; else the peak from getrusage)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * _PAGE_KIB
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def thread_cpu_s() -> tuple[float, float]:
    """CPU seconds of this process's main thread (the event loop's, under uvicorn) and of
    all its other threads (asyncio.to_thread's pool among them); zeros without /proc."""
    main = others = 0.0
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    try:
        tasks = os.listdir("/proc/self/task")
    except OSError:
        return main, others
    for tid in tasks:
        try:
            with open(f"/proc/self/task/{tid}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue  # the thread ended meanwhile
        seconds = (int(fields[11]) + int(fields[12])) / ticks
        if int(tid) == os.getpid():
            main += seconds
        else:
            others += seconds
    return main, others


class LoopProbe:
    def __init__(self) -> None:
        self._lags_ms: list[float] = []
        self._rss: list[tuple[float, int]] = []
        self._window_started = time.perf_counter()
        self._rss_at_start = rss_kib()
        self._cpu_at_start = time.process_time()
        self._threads_at_start = thread_cpu_s()
        self._task: asyncio.Task[None] | None = None
        self._profile: cProfile.Profile | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="bench-loop-probe")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        tick = 0
        while True:
            before = time.perf_counter()
            await asyncio.sleep(TICK_S)
            late_ms = (time.perf_counter() - before - TICK_S) * 1000
            tick += 1
            if len(self._lags_ms) < MAX_SAMPLES:
                self._lags_ms.append(max(0.0, late_ms))
                if tick % RSS_EVERY == 0:
                    self._rss.append((time.perf_counter() - self._window_started, rss_kib()))

    def new_window(self) -> dict[str, Any]:
        self._lags_ms = []
        self._rss = []
        self._window_started = time.perf_counter()
        self._rss_at_start = rss_kib()
        self._cpu_at_start = time.process_time()
        self._threads_at_start = thread_cpu_s()
        return {"rss_kib": self._rss_at_start}

    def window(self) -> dict[str, Any]:
        main, others = thread_cpu_s()
        return {
            "loop_thread_cpu_s": main - self._threads_at_start[0],
            "other_threads_cpu_s": others - self._threads_at_start[1],
            "seconds": time.perf_counter() - self._window_started,
            "lags_ms": self._lags_ms,
            "rss_start_kib": self._rss_at_start,
            "rss": self._rss,
            "rss_now_kib": rss_kib(),
            "cpu_s": time.process_time() - self._cpu_at_start,
        }

    def profile_start(self) -> dict[str, Any]:
        # CPU time of the loop thread, so waiting for the GIL or for I/O is not counted.
        self._profile = cProfile.Profile(time.thread_time)
        self._profile.enable()
        return {"profiling": True}

    def profile_stop(self) -> str:
        """The loop thread's CPU by package, then its busiest functions."""
        if self._profile is None:
            return "no profile was started"
        self._profile.disable()
        out = io.StringIO()
        stats = pstats.Stats(self._profile, stream=out)
        self._profile = None
        by_package: dict[str, float] = {}
        for (filename, _, _), (_, _, own, _, _) in stats.stats.items():  # type: ignore[attr-defined]
            by_package[_package(filename)] = by_package.get(_package(filename), 0.0) + own
        total = sum(by_package.values())
        out.write(f"loop thread CPU {total:.2f} s, by package (own time):\n")
        for name, own in sorted(by_package.items(), key=lambda item: -item[1])[:PACKAGES]:
            out.write(f"  {own:7.2f} s  {100 * own / max(total, 1e-9):4.1f} %  {name}\n")
        stats.sort_stats("tottime").print_stats(PROFILE_LINES)
        return out.getvalue()


def _package(filename: str) -> str:
    """Who owns the code of `filename`: a distribution, a layer of the service, the stdlib."""
    path = filename.replace("\\", "/")
    if "/site-packages/" in path:
        return path.split("/site-packages/", 1)[1].split("/", 1)[0].removesuffix(".py")
    if "/src/" in path:
        parts = path.split("/src/", 1)[1].split("/")
        return "casecraft " + "/".join(parts[:2])
    if path.startswith("<") or path == "~":
        return "builtins and C functions"
    return "stdlib " + path.rsplit("/", 1)[-1].removesuffix(".py")


class Probed:
    """The app with the probe beside it (see the module's doc)."""

    def __init__(self, app: AsgiApp, probe: LoopProbe) -> None:
        self._app = app
        self._probe = probe

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._app(scope, self._lifespan(receive), send)
            return
        if scope["type"] == "http" and scope["path"].startswith("/__bench/"):
            await self._answer(scope["path"], send)
            return
        await self._app(scope, receive, send)

    def _lifespan(self, receive: Receive) -> Receive:
        async def wrapped() -> Message:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self._probe.start()
            elif message["type"] == "lifespan.shutdown":
                await self._probe.stop()
            return message

        return wrapped

    async def _answer(self, path: str, send: Send) -> None:
        routes: dict[str, Callable[[], object]] = {
            "/__bench/start": self._probe.new_window,
            "/__bench/stop": self._probe.window,
            "/__bench/cpu": lambda: {"cpu_s": time.process_time()},
            "/__bench/profile/start": self._probe.profile_start,
            "/__bench/profile/stop": self._probe.profile_stop,
        }
        route = routes.get(path)
        status, body = (404, b"{}") if route is None else (200, json.dumps(route()).encode())
        headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
