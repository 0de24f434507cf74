"""Helpers of the limit and hardening route tests: apps with chosen settings, callers at
chosen addresses, and a generator whose outcome the prompt picks."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from dishka import Provider, Scope, provide
from litestar import Litestar
from litestar.types import Receive, Send
from litestar.types import Scope as AsgiScope

from adapters.imaging.procedural import ProceduralImageGenerator
from application.ports import (
    GenerationOutcome,
    GenerationRequest,
    ImageGenerator,
    PredictionState,
)
from casecraft_testing import InMemoryAdapters, make_settings
from entrypoints.http.app import create_app

BASE_URL = "http://testserver.local"
PEER_HEADER = "x-test-peer"
LIFESPAN_TIMEOUT_S = 30.0
PROMPT = "a red fox in a snowy forest at sunset"


class PromptScriptedGenerator:
    """The procedural generator, except that a prompt holding `blocked` is refused by the
    safety filter and one holding `broken` fails, as the provider would."""

    name = "scripted"

    def __init__(self) -> None:
        self._local = ProceduralImageGenerator()

    async def submit(self, request: GenerationRequest, reference: str) -> str:
        return f"pred-{reference}"

    async def find(self, reference: str) -> str | None:
        return None

    async def outcome(
        self, prediction_id: str, request: GenerationRequest, wait_seconds: float
    ) -> GenerationOutcome:
        prompt = request.prompt or ""
        if "blocked" in prompt:
            return GenerationOutcome(PredictionState.FAILED, error="NSFW", blocked=True)
        if "broken" in prompt:
            return GenerationOutcome(PredictionState.FAILED, error="model crashed")
        return GenerationOutcome(
            PredictionState.SUCCEEDED, images=await self._local.generate(request)
        )


class ScriptedGeneration(Provider):
    scope = Scope.APP

    @provide
    def generator(self) -> ImageGenerator:
        return PromptScriptedGenerator()


def peers_from_header(app: Litestar) -> None:
    """Let each test request name the address it comes from (header `x-test-peer`), as a
    server would hand it over in the ASGI scope; the test client always says `testclient`."""
    inner = app.asgi_handler

    async def with_peer(scope: AsgiScope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for name, value in scope["headers"]:
                if name == PEER_HEADER.encode():
                    scope["client"] = (value.decode(), 4000)
        await inner(scope, receive, send)

    app.asgi_handler = with_peer


@asynccontextmanager
async def lifespan(app: Litestar) -> AsyncIterator[None]:
    """Run the app's startup in this event loop, and its shutdown on the way out."""
    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
    task = asyncio.create_task(app(scope, inbox.get, outbox.put))  # type: ignore[arg-type]
    await inbox.put({"type": "lifespan.startup"})
    started = await asyncio.wait_for(outbox.get(), LIFESPAN_TIMEOUT_S)
    assert started["type"] == "lifespan.startup.complete", started
    try:
        yield
    finally:
        await inbox.put({"type": "lifespan.shutdown"})
        await asyncio.wait_for(outbox.get(), LIFESPAN_TIMEOUT_S)
        await task


@asynccontextmanager
async def serving(
    tmp_path: Path, *overrides: Provider, memory: bool = True, **env: str
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app built with `env` over the in-memory adapters (or, with
    memory=False, the embedded SQLite default), callers' addresses taken from the header.

    The app runs in the test's own event loop, called through httpx's ASGI transport,
    so requests sent together really run together (Litestar's test client sends them
    one at a time).
    """
    settings = make_settings(tmp_path, **env)
    adapters = (InMemoryAdapters(),) if memory else ()
    app = create_app(settings, *adapters, *overrides)
    peers_from_header(app)
    transport = httpx.ASGITransport(app=app, client=("testclient", 4000))
    async with lifespan(app), httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        yield client


def at(address: str, **headers: str) -> dict[str, str]:
    return {PEER_HEADER: address, **headers}


def design_body(**fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "phone": "apple-iphone-15-pro",
        "prompt": PROMPT,
        "kind": "skin",
        "variants": 1,
        "seed": 7,
    }
    body.update(fields)
    return body
