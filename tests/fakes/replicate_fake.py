"""A fake of the image provider's HTTP API on 127.0.0.1, for tests and for offline work.

It follows ../../shared/reference/replicate.md: the create endpoints (official model
and pinned version), get, list (newest first, paginated with `next`), cancel, the
webhook signing secret, and file delivery at `/files/...` (no token needed there).
Predictions go `starting` -> `processing` -> a terminal status over a configurable
latency; `Prefer: wait[=N]` holds the create open; `Cancel-After` ends a prediction
`aborted` (never started) or `canceled` (running); webhooks are signed as documented
and retried on failure; files, inputs and logs are removed after a configurable time.

Failures on demand, consumed in order by the next creates / gets / predictions:

    fake.on_next_create(Throttle(retry_after=0.2))      # 429 with Retry-After and body hint
    fake.on_next_create(ServerError(500))               # 5xx, nothing recorded
    fake.on_next_create(LostAnswer())                   # recorded, then no answer at all
    fake.on_next_prediction(Behaviour(blocked=1))       # one output dropped for safety
    fake.on_next_prediction(Behaviour(blocked=4))       # all dropped: failed, NSFW error
    fake.on_next_prediction(Behaviour(error="boom"))    # the prediction fails
    fake.fail_next_gets(2, status=503)                  # the client retries these

Every request is recorded (`fake.requests`, headers included), every create too
(`fake.predictions`; `fake.created_count`), and each real-esrgan input's size
(`fake.received_images`). Deviations: http webhooks are accepted on loopback only,
fractional `Retry-After` seconds keep tests fast, `start`/`completed` are the only
webhook events sent, and image inputs must be data URIs.

The HTTP server is in `replicate_fake_http`, the predictions' behaviour over time in
`replicate_fake_model`; this module routes the API and lets tests drive failures.

Run it by hand:  python tests/fakes/replicate_fake.py --port 8701 --latency 2
"""

import argparse
import asyncio
import base64
import contextlib
import json
import math
import re
import secrets
import sys
import threading
import time
from collections import deque
from collections.abc import Awaitable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

if __package__ in (None, ""):
    # Run as a script: make the `fakes` package importable, as pytest's pythonpath does.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fakes.replicate_fake_http import (
    LOOPBACK,
    HttpRequest,
    HttpResponse,
    LoopbackServer,
    json_response,
)
from fakes.replicate_fake_model import (
    CONTENT_TYPES,
    FLUX_DEV,
    FLUX_SCHNELL,
    NSFW_ERROR,
    OFFICIAL_MODELS,
    REAL_ESRGAN,
    REAL_ESRGAN_VERSION,
    TERMINAL,
    Behaviour,
    FakePrediction,
    InputError,
    check_flux,
    data_uri_image,
    new_prediction_id,
    output_format_of,
    parse_duration,
    render_output,
    sign,
    wanted_outputs,
    webhook_of,
)

__all__ = [
    "FLUX_DEV",
    "FLUX_SCHNELL",
    "NSFW_ERROR",
    "REAL_ESRGAN",
    "REAL_ESRGAN_VERSION",
    "Behaviour",
    "Delivery",
    "HttpRequest",
    "HttpResponse",
    "LoopbackServer",
    "LostAnswer",
    "ReceivedImage",
    "RecordedRequest",
    "ReplicateFake",
    "ServerError",
    "Throttle",
    "running_in_thread",
]

_FILE_PATH = re.compile(r"^/files/([a-z0-9]+)/(\d+)\.(png|webp|jpg)$")


# Failures and behaviours a test asks for.


@dataclass(frozen=True)
class Throttle:
    """The create is refused with 429; `header`/`body_hint` choose where the hint goes."""

    retry_after: float = 0.1
    header: bool = True
    body_hint: bool = True


@dataclass(frozen=True)
class ServerError:
    """The create answers `status`; with `record` the prediction exists all the same."""

    status: int = 500
    record: bool = False


@dataclass(frozen=True)
class LostAnswer:
    """The prediction is recorded, then the connection closes after `hold_seconds`, unanswered."""

    hold_seconds: float = 0.0


CreateFault = Throttle | ServerError | LostAnswer


# What the fake records.


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]


@dataclass(frozen=True)
class ReceivedImage:
    model: str
    width: int
    height: int
    encoded_bytes: int


@dataclass(frozen=True)
class Delivery:
    url: str
    event: str
    webhook_id: str
    attempt: int
    status: int | None
    headers: dict[str, str]
    body: bytes


# The fake API.


class ReplicateFake:
    """The fake provider; `async with ReplicateFake() as fake:` or `running_in_thread()`."""

    def __init__(
        self,
        *,
        token: str = "fake-token",
        latency: float = 0.1,
        start_fraction: float = 0.25,
        page_size: int = 100,
        data_removed_after: float | None = 3600.0,
        webhook_secret: str | None = None,
        webhook_attempts: int = 3,
        webhook_retry_seconds: float = 0.05,
        versions: dict[str, str] | None = None,
    ) -> None:
        self.token = token
        self.latency = latency
        self.start_fraction = start_fraction
        self.page_size = page_size
        self.data_removed_after = data_removed_after
        self.webhook_secret = webhook_secret or "whsec_" + base64.b64encode(
            secrets.token_bytes(32)
        ).decode("ascii")
        self.webhook_attempts = webhook_attempts
        self.webhook_retry_seconds = webhook_retry_seconds
        self.versions = versions if versions is not None else {REAL_ESRGAN_VERSION: REAL_ESRGAN}
        self.requests: list[RecordedRequest] = []
        self.predictions: list[FakePrediction] = []
        self.received_images: list[ReceivedImage] = []
        self.deliveries: list[Delivery] = []
        self._create_faults: deque[CreateFault] = deque()
        self._behaviours: deque[Behaviour] = deque()
        self._get_faults: deque[int] = deque()
        self._files: dict[tuple[str, int], bytes] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._server = LoopbackServer(self._route)
        self._webhook_client: httpx.AsyncClient | None = None

    # Driving the fake.

    def on_next_create(self, *faults: CreateFault) -> None:
        self._create_faults.extend(faults)

    def on_next_prediction(self, *behaviours: Behaviour) -> None:
        self._behaviours.extend(behaviours)

    def fail_next_gets(self, count: int, status: int = 503) -> None:
        self._get_faults.extend([status] * count)

    @property
    def base_url(self) -> str:
        return f"http://{LOOPBACK}:{self._server.port}"

    @property
    def alias_base_url(self) -> str:
        """The same server under another loopback name: a host no allow-list should admit."""
        return f"http://localhost:{self._server.port}"

    @property
    def created_count(self) -> int:
        return len(self.predictions)

    def billed_count(self) -> int:
        """Predictions that cost money: every one that was not aborted before it started."""
        now = time.monotonic()
        return sum(1 for p in self.predictions if p.status_at(now) != "aborted")

    def requests_to(self, prefix: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.startswith(prefix)]

    # Lifecycle.

    async def start(self, port: int = 0) -> "ReplicateFake":
        self._webhook_client = httpx.AsyncClient(trust_env=False, follow_redirects=False)
        await self._server.start(port)
        return self

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.stop()
        if self._webhook_client is not None:
            await self._webhook_client.aclose()

    async def __aenter__(self) -> "ReplicateFake":
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # Routing.

    async def _route(self, request: HttpRequest) -> HttpResponse | None:
        self.requests.append(RecordedRequest(request.method, request.path, dict(request.headers)))
        path, method = request.path, request.method
        if path.startswith("/files/") and method == "GET":
            return await self._file(path)
        if not path.startswith("/v1/"):
            return _not_found()
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return json_response(
                401,
                {
                    "title": "Unauthenticated",
                    "detail": "You did not pass a valid authentication token",
                    "status": 401,
                },
            )
        return await self._api(request, path.removeprefix("/v1").rstrip("/"), method)

    async def _api(self, request: HttpRequest, path: str, method: str) -> HttpResponse | None:
        parts = path.split("/")[1:]
        if (
            method == "POST"
            and len(parts) == 4
            and parts[0] == "models"
            and parts[3] == "predictions"
        ):
            model = f"{parts[1]}/{parts[2]}"
            if model not in OFFICIAL_MODELS:
                return _not_found()
            return await self._create(request, model, "hidden")
        if method == "POST" and parts == ["predictions"]:
            return await self._create_version(request)
        if method == "GET" and parts == ["predictions"]:
            return self._get_fault() or self._list(request)
        if method == "GET" and len(parts) == 2 and parts[0] == "predictions":
            return self._get_fault() or self._get(parts[1])
        if (
            method == "POST"
            and len(parts) == 3
            and parts[0] == "predictions"
            and parts[2] == "cancel"
        ):
            return self._cancel(parts[1])
        if method == "GET" and parts == ["webhooks", "default", "secret"]:
            return json_response(200, {"key": self.webhook_secret})
        return _not_found()

    # Creating.

    async def _create_version(self, request: HttpRequest) -> HttpResponse | None:
        try:
            version = json.loads(request.body).get("version")
        except (ValueError, AttributeError):
            return _invalid("body", "The body is not a JSON object.")
        model = self.versions.get(str(version))
        if model is None:
            return json_response(422, {"detail": "Invalid version or not permitted", "status": 422})
        return await self._create(request, model, str(version))

    async def _create(self, request: HttpRequest, model: str, version: str) -> HttpResponse | None:
        fault = self._create_faults.popleft() if self._create_faults else None
        if isinstance(fault, Throttle):
            return _throttled(fault)
        if isinstance(fault, ServerError) and not fault.record:
            return json_response(
                fault.status, {"detail": "Internal server error", "status": fault.status}
            )
        try:
            prediction = self._record(request, model, version)
        except InputError as error:
            return _invalid(error.field_name, error.description)
        except ValueError as error:
            return json_response(400, {"detail": str(error), "status": 400})
        if isinstance(fault, ServerError):
            return json_response(
                fault.status, {"detail": "Internal server error", "status": fault.status}
            )
        if isinstance(fault, LostAnswer):
            await asyncio.sleep(fault.hold_seconds)
            return None
        wait = _prefer_wait(request.headers.get("prefer"))
        if wait:
            await self._until_ended(prediction, wait)
        return json_response(201, self._json(prediction))

    def _record(self, request: HttpRequest, model: str, version: str) -> FakePrediction:
        try:
            body = json.loads(request.body)
        except ValueError as exc:
            raise InputError("body", "The body is not JSON.") from exc
        if not isinstance(body, dict) or not isinstance(body.get("input"), dict):
            raise InputError("input", "input is required and must be an object.")
        webhook, events = webhook_of(body)
        deadline = request.headers.get("cancel-after")
        cancel_after = parse_duration(deadline) if deadline is not None else None
        model_input: dict[str, object] = body["input"]
        source = self._source(model, model_input)
        behaviour = self._behaviours.popleft() if self._behaviours else Behaviour()
        now = time.monotonic()
        start = behaviour.start_seconds
        run = behaviour.run_seconds
        start = self.latency * self.start_fraction if start is None else start
        run = self.latency * (1 - self.start_fraction) if run is None else run
        prediction = FakePrediction(
            id=new_prediction_id(),
            model=model,
            version=version,
            input=model_input,
            output_format=output_format_of(model, model_input),
            wanted=wanted_outputs(model, model_input),
            created_wall=datetime.now(UTC),
            created=now,
            start_at=now + start,
            end_at=now + start + run,
            deadline_at=None if cancel_after is None else now + cancel_after,
            behaviour=behaviour,
            output_base=behaviour.output_base or self.base_url,
            webhook=webhook,
            events=events,
            source_size=None if source is None else source[1],
            source=None if source is None else source[0],
        )
        self.predictions.append(prediction)
        if webhook is not None:
            self._spawn(self._webhooks(prediction))
        return prediction

    def _source(
        self, model: str, model_input: dict[str, object]
    ) -> tuple[bytes, tuple[int, int]] | None:
        if model == FLUX_SCHNELL or (model == FLUX_DEV and "image" not in model_input):
            check_flux(model_input)
            return None
        if model == FLUX_DEV:
            check_flux(model_input)
            strength = model_input.get("prompt_strength", 0.8)
            if not isinstance(strength, int | float) or not 0 <= strength <= 1:
                raise InputError("prompt_strength", "prompt_strength must be between 0 and 1.")
        else:
            scale = model_input.get("scale", 4)
            if not isinstance(scale, int | float) or not 0 < scale <= 10:
                raise InputError("scale", "scale must be between 0 and 10.")
            if not isinstance(model_input.get("face_enhance", False), bool):
                raise InputError("face_enhance", "face_enhance must be a boolean.")
        try:
            source = data_uri_image(model_input.get("image"))
        except (ValueError, OSError) as exc:
            raise InputError("image", "image is not a readable image.") from exc
        if source is not None:
            self.received_images.append(ReceivedImage(model, *source[1], len(source[0])))
        return source

    # Reading.

    def _json(self, prediction: FakePrediction) -> dict[str, object]:
        return prediction.as_json(time.monotonic(), self.base_url, self.data_removed_after)

    def _find(self, prediction_id: str) -> FakePrediction | None:
        return next((p for p in self.predictions if p.id == prediction_id), None)

    def _get(self, prediction_id: str) -> HttpResponse:
        prediction = self._find(prediction_id)
        if prediction is None:
            return _not_found()
        return json_response(200, self._json(prediction))

    def _get_fault(self) -> HttpResponse | None:
        if not self._get_faults:
            return None
        status = self._get_faults.popleft()
        return json_response(status, {"detail": "Service unavailable", "status": status})

    def _list(self, request: HttpRequest) -> HttpResponse:
        cursor = request.query.get("cursor", ["0"])[0]
        if not cursor.isdigit():
            return json_response(400, {"detail": "Invalid cursor", "status": 400})
        offset = int(cursor)
        newest_first = sorted(self.predictions, key=lambda p: p.created, reverse=True)
        page = newest_first[offset : offset + self.page_size]
        after = offset + self.page_size
        return json_response(
            200,
            {
                "previous": None
                if offset == 0
                else self._page_url(max(0, offset - self.page_size)),
                "next": self._page_url(after) if after < len(newest_first) else None,
                "results": [self._json(p) for p in page],
            },
        )

    def _page_url(self, offset: int) -> str:
        return f"{self.base_url}/v1/predictions?cursor={offset}"

    def _cancel(self, prediction_id: str) -> HttpResponse:
        prediction = self._find(prediction_id)
        if prediction is None:
            return _not_found()
        if prediction.status_at(time.monotonic()) not in TERMINAL:
            prediction.canceled_at = time.monotonic()
            prediction.changed.set()
        return json_response(200, self._json(prediction))

    async def _file(self, path: str) -> HttpResponse:
        match = _FILE_PATH.match(path)
        prediction = self._find(match.group(1)) if match else None
        if match is None or prediction is None:
            return _not_found()
        index = int(match.group(2))
        body = self._json(prediction)
        if (
            body["status"] != "succeeded"
            or body["data_removed"]
            or index >= prediction.output_count()
        ):
            return _not_found()
        key = (prediction.id, index)
        if key not in self._files:
            self._files[key] = await asyncio.to_thread(render_output, prediction, index)
        content_type = CONTENT_TYPES[prediction.output_format]
        return HttpResponse(200, self._files[key], (("content-type", content_type),))

    # Time passing.

    async def _until_ended(self, prediction: FakePrediction, at_most: float) -> None:
        give_up = time.monotonic() + at_most
        while True:
            now = time.monotonic()
            ends_at = prediction.terminal()[0]
            if now >= ends_at or now >= give_up:
                return
            prediction.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(prediction.changed.wait(), min(ends_at, give_up) - now)

    async def _webhooks(self, prediction: FakePrediction) -> None:
        if "start" in prediction.events:
            await self._deliver(prediction, "start")
        await self._until_ended(prediction, math.inf)
        if "completed" in prediction.events:
            await self._deliver(prediction, "completed")

    async def _deliver(self, prediction: FakePrediction, event: str) -> None:
        assert prediction.webhook is not None and self._webhook_client is not None
        body = json.dumps(self._json(prediction)).encode()
        webhook_id = f"msg_{secrets.token_hex(12)}"
        for attempt in range(1, self.webhook_attempts + 1):
            timestamp = int(time.time())
            headers = {
                "content-type": "application/json",
                "webhook-id": webhook_id,
                "webhook-timestamp": str(timestamp),
                "webhook-signature": sign(self.webhook_secret, webhook_id, timestamp, body),
            }
            status: int | None = None
            with contextlib.suppress(httpx.HTTPError):
                answer = await self._webhook_client.post(
                    prediction.webhook, content=body, headers=headers, timeout=5.0
                )
                status = answer.status_code
            self.deliveries.append(
                Delivery(prediction.webhook, event, webhook_id, attempt, status, headers, body)
            )
            if status is not None and 200 <= status < 300:
                return
            await asyncio.sleep(self.webhook_retry_seconds * attempt)

    def _spawn(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


def _prefer_wait(value: str | None) -> float:
    if value is None:
        return 0.0
    text = value.strip().lower()
    if text == "wait":
        return 60.0
    if text.startswith("wait="):
        seconds = text.removeprefix("wait=")
        if seconds.isdigit() and 1 <= int(seconds) <= 60:
            return float(seconds)
    raise ValueError(f"Invalid Prefer header: {value!r}")


def _throttled(fault: Throttle) -> HttpResponse:
    seconds = f"{fault.retry_after:g}"
    detail = "Request was throttled."
    if fault.body_hint:
        detail += f" Expected available in {seconds} seconds."
    headers = (("retry-after", seconds),) if fault.header else ()
    return json_response(
        429, {"title": "Request was throttled", "detail": detail, "status": 429}, *headers
    )


def _invalid(field_name: str, description: str) -> HttpResponse:
    return json_response(
        422,
        {
            "title": "Input validation failed",
            "detail": f"{field_name}: {description}",
            "status": 422,
            "invalid_fields": [
                {"type": "invalid", "field": field_name, "description": description}
            ],
        },
    )


def _not_found() -> HttpResponse:
    return json_response(
        404, {"detail": "The requested resource could not be found.", "status": 404}
    )


@contextlib.contextmanager
def running_in_thread(port: int = 0, **options: object) -> Iterator[ReplicateFake]:
    """The fake on an event loop of its own, in a background thread (for sync code and benches)."""
    fake = ReplicateFake(**options)  # type: ignore[arg-type]
    ready = threading.Event()
    state: dict[str, object] = {}

    async def serve() -> None:
        stopping = asyncio.Event()
        state["loop"], state["stopping"] = asyncio.get_running_loop(), stopping
        try:
            await fake.start(port)
        except BaseException as exc:
            state["error"] = exc
            ready.set()
            raise
        ready.set()
        await stopping.wait()
        await fake.stop()

    thread = threading.Thread(target=asyncio.run, args=(serve(),), daemon=True)
    thread.start()
    ready.wait()
    if "error" in state:
        thread.join()
        raise RuntimeError("the fake provider did not start") from state["error"]  # type: ignore[misc]
    try:
        yield fake
    finally:
        loop, stopping = state["loop"], state["stopping"]
        loop.call_soon_threadsafe(stopping.set)  # type: ignore[attr-defined]
        thread.join()


async def _serve_forever(port: int, latency: float, token: str, page_size: int) -> None:
    fake = ReplicateFake(token=token, latency=latency, page_size=page_size)
    await fake.start(port)
    print(f"fake provider on {fake.base_url} (latency {latency}s)", flush=True)
    print(f"  REPLICATE_API_TOKEN={token}", flush=True)
    print(f"  base_url={fake.base_url}   webhook secret={fake.webhook_secret}", flush=True)
    print(f"  allow output host: {fake.base_url}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await fake.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description="A fake of the image provider on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=8701)
    parser.add_argument("--latency", type=float, default=2.0, help="seconds per prediction")
    parser.add_argument("--token", default="dev-token", help="the bearer token it accepts")
    parser.add_argument("--page-size", type=int, default=100)
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve_forever(args.port, args.latency, args.token, args.page_size))


if __name__ == "__main__":
    main()
