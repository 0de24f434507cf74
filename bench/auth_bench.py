"""Account enumeration by timing: known against unknown addresses, in process.

Subject and floor of each comparison are the same route called with an address
that has an account and with one that has none, on the real app (embedded default:
SQLite in a temporary data folder, argon2id at OWASP's parameters, mail to the
outbox), driven through ASGI as `asgi_driver` does. A sample is one request's
latency in milliseconds, from the call until the last byte of the answer is sent,
so work the route leaves to the background is not counted, exactly as a client
would not see it. The two sides alternate (A B, then B A); the figure is the ratio
of the medians, known/unknown, and the target is a difference under 25%.

- `POST /v1/auth/login` with a wrong password: known address (one verification of
  its hash) against unknown address (one verification of the dummy hash).
- `POST /v1/auth/password/forgot`: the answer is given before the lookup, the token
  and the mail, which run in the background; the background is drained between
  samples so that one sample's mail never lands in the next one's timing.

Every request comes from its own client address, so the per-address limits of the
auth routes and of the reset mail never refuse one; every known forgot address is
used once, so the per-address limit of the reset mail never does either.

Run from the repository root: `.venv/bin/python bench/auth_bench.py`.
"""

import asyncio
import itertools
import json
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dishka import AsyncContainer
from litestar import Litestar

from adapters.system.background import AsyncioBackgroundTasks
from application.ports import BackgroundTasks
from apps import quiet_logs
from asgi_driver import ASGI, AsgiApp, Message, lifespan
from entrypoints.http.app import create_app
from entrypoints.settings import load_settings
from report import Row, print_row
from timing import Plan, Sampler, interleave

PASSWORD = "bench password 0123456789"
WRONG_PASSWORD = "not the password 0123456789"
LOGIN_PLAN = Plan(rounds=41, budget_s=20.0, min_rounds=11)
FORGOT_PLAN = Plan(rounds=81, budget_s=20.0, min_rounds=21)
TARGET_DIFFERENCE = 0.25
WARM_UP = 3
DRAIN_TIMEOUT_S = 30.0


class RequestFailed(RuntimeError):
    """The app answered another status than the one the benchmark expects."""


def _client_addresses() -> Iterator[str]:
    for high, low in itertools.product(range(256), range(1, 255)):
        yield f"127.0.{high}.{low}"


class Driver:
    """POSTs JSON to the app, each from a new loopback client address, timed to the last byte."""

    def __init__(self, app: AsgiApp, state: dict[str, Any]) -> None:
        self._app = app
        self._state = state
        self._addresses = _client_addresses()

    async def post(self, path: str, body: dict[str, str], expected: int) -> float:
        """Milliseconds until the answer's last byte; RequestFailed on another status."""
        payload = json.dumps(body).encode()
        scope = {
            "type": "http",
            "asgi": ASGI,
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [
                (b"host", b"127.0.0.1"),
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
            ],
            "client": (next(self._addresses), 40000),
            "server": ("127.0.0.1", 80),
            "state": dict(self._state),
        }
        status = 0
        finished = 0.0

        async def receive() -> Message:
            return {"type": "http.request", "body": payload, "more_body": False}

        async def send(message: Message) -> None:
            nonlocal status, finished
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                finished = time.perf_counter()

        started = time.perf_counter()
        await self._app(scope, receive, send)
        if status != expected:
            raise RequestFailed(f"POST {path} answered {status}, not {expected}")
        return (finished - started) * 1000


def bench_app(data_dir: Path) -> Litestar:
    settings = load_settings(
        {
            "CASECRAFT_DATA_DIR": str(data_dir),
            "CASECRAFT_EMBEDDED_WORKER": "false",
            "CASECRAFT_PUBLIC_BASE_URL": "http://127.0.0.1:8000",
        }
    )
    app = create_app(settings)
    quiet_logs()
    return app


async def _drain(container: AsyncContainer) -> None:
    tasks = await container.get(BackgroundTasks)
    if isinstance(tasks, AsyncioBackgroundTasks) and not await tasks.drain(DRAIN_TIMEOUT_S):
        raise RequestFailed("the background work did not finish")


def _row(route: str, known: Any, unknown: Any) -> Row:
    ratio = known.median / unknown.median
    return Row(
        figure=f"{route} known vs unknown address",
        unit="ms",
        subject_name="known",
        subject=known,
        floor_name="unknown",
        floor=unknown,
        ratio_name="known/unknown",
        ratio=ratio,
        target=f"within {TARGET_DIFFERENCE:.0%}",
        passed=abs(ratio - 1) < TARGET_DIFFERENCE,
    )


async def _login_row(driver: Driver) -> Row:
    def login(email: str) -> Sampler:
        async def sample() -> float:
            body = {"email": email, "password": WRONG_PASSWORD}
            return await driver.post("/v1/auth/login", body, 401)

        return sample

    for _ in range(WARM_UP):
        await login("known@example.com")()
        await login("nobody@example.com")()
    known, unknown = await interleave(
        login("known@example.com"), login("nobody@example.com"), LOGIN_PLAN
    )
    return _row("POST /v1/auth/login (wrong password)", known, unknown)


async def _forgot_row(driver: Driver, container: AsyncContainer, known: list[str]) -> Row:
    addresses = iter(known)
    unknown_count = itertools.count()

    def forgot(next_email: Any) -> Sampler:
        async def sample() -> float:
            await _drain(container)
            body = {"email": next_email()}
            return await driver.post("/v1/auth/password/forgot", body, 202)

        return sample

    known_sampler = forgot(lambda: next(addresses))
    unknown_sampler = forgot(lambda: f"nobody{next(unknown_count)}@example.com")
    for _ in range(WARM_UP):
        await known_sampler()
        await unknown_sampler()
    known_summary, unknown_summary = await interleave(known_sampler, unknown_sampler, FORGOT_PLAN)
    await _drain(container)
    return _row("POST /v1/auth/password/forgot", known_summary, unknown_summary)


async def auth_rows() -> list[Row]:
    print("[5] account enumeration by timing: known vs unknown address, in process through ASGI")
    print("    real app on embedded SQLite; argon2id m=19 MiB t=2 p=1; mail to the outbox")
    with tempfile.TemporaryDirectory(prefix="casecraft-auth-bench-") as folder:
        app = bench_app(Path(folder))
        container: AsyncContainer = app.state.dishka_container
        async with lifespan(app) as state:
            driver = Driver(app, state)
            known = [f"known{n}@example.com" for n in range(FORGOT_PLAN.rounds + WARM_UP)]
            for email in ["known@example.com", *known]:
                await driver.post("/v1/auth/signup", {"email": email, "password": PASSWORD}, 202)
            await _drain(container)
            print(f"    {len(known) + 1} accounts signed up")
            rows = [await _login_row(driver), await _forgot_row(driver, container, known)]
            await _drain(container)
    return rows


def main() -> int:
    started = time.perf_counter()
    rows = asyncio.run(auth_rows())
    for row in rows:
        print_row(row)
    print(f"\nin {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
