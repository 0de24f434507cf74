"""Helpers for tests of the Replicate adapters: the fake, a webhook receiver, and wiring.

`provider_world()` starts the fake provider and a webhook receiver on 127.0.0.1 and
builds the real `replicate.Client` against the fake's base URL, with an OutputFetcher
that allows only the fake's origin. Nothing here reaches another host.
"""

import asyncio
import random
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

import httpx
from PIL import Image
from replicate.client import Client

from adapters.replicate.api import ReplicateApi
from adapters.replicate.fetching import OutputFetcher
from adapters.replicate.generator import ReplicateImageGenerator
from adapters.replicate.polling import PollSchedule
from adapters.replicate.upscaler import ReplicateUpscaler
from fakes.replicate_fake import HttpRequest, HttpResponse, LoopbackServer, ReplicateFake

FAST_POLL = PollSchedule(first_seconds=0.02, growth=1.5, max_seconds=0.1)


class WebhookReceiver:
    """Records every POST it gets; answers the statuses queued in `answers`, then 204."""

    def __init__(self) -> None:
        self.received: list[HttpRequest] = []
        self.answers: deque[int] = deque()
        self._arrived = asyncio.Event()
        self._server = LoopbackServer(self._handle)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.port}/v1/webhooks/replicate"

    async def wait_for(self, count: int, timeout: float = 5.0) -> list[HttpRequest]:
        """The first `count` deliveries, once they have arrived."""
        async with asyncio.timeout(timeout):
            while len(self.received) < count:
                self._arrived.clear()
                await self._arrived.wait()
        return self.received[:count]

    async def _handle(self, request: HttpRequest) -> HttpResponse:
        self.received.append(request)
        self._arrived.set()
        return HttpResponse(self.answers.popleft() if self.answers else 204)

    async def __aenter__(self) -> "WebhookReceiver":
        await self._server.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._server.stop()


@dataclass
class ProviderWorld:
    fake: ReplicateFake
    receiver: WebhookReceiver
    client: Any
    fetcher: OutputFetcher
    _extra: list[OutputFetcher] = field(default_factory=list)

    def fetcher_with(self, **options: Any) -> OutputFetcher:
        options.setdefault("timeout_seconds", 5.0)
        fetcher = OutputFetcher((self.fake.base_url,), **options)
        self._extra.append(fetcher)
        return fetcher

    def generator(self, **options: Any) -> ReplicateImageGenerator:
        options.setdefault("fetcher", self.fetcher)
        options.setdefault("webhook_url", self.receiver.url)
        options.setdefault("deadline_seconds", 30.0)
        options.setdefault("poll_schedule", FAST_POLL)
        options.setdefault("rng", random.Random(7))
        return ReplicateImageGenerator(self.client, **options)

    def upscaler(self, **options: Any) -> ReplicateUpscaler:
        options.setdefault("fetcher", self.fetcher)
        options.setdefault("webhook_url", self.receiver.url)
        options.setdefault("deadline_seconds", 30.0)
        options.setdefault("poll_schedule", FAST_POLL)
        options.setdefault("rng", random.Random(7))
        return ReplicateUpscaler(self.client, **options)

    def api(self) -> ReplicateApi:
        return ReplicateApi(self.client)


def client_for(base_url: str, token: str) -> Any:
    """The real client, aimed at `base_url` only."""
    return Client(api_token=token, base_url=base_url, timeout=httpx.Timeout(5.0))


@asynccontextmanager
async def provider_world(**fake_options: Any) -> AsyncIterator[ProviderWorld]:
    async with ReplicateFake(**fake_options) as fake, WebhookReceiver() as receiver:
        client = client_for(fake.base_url, fake.token)
        fetcher = OutputFetcher((fake.base_url,), timeout_seconds=5.0)
        world = ProviderWorld(fake, receiver, client, fetcher)
        try:
            yield world
        finally:
            await ReplicateApi(client).aclose()
            for each in (fetcher, *world._extra):
                await each.aclose()


def png_image(width: int, height: int, colour: tuple[int, int, int] = (40, 120, 200)) -> bytes:
    """A PNG of a horizontal gradient, so that it compresses like a picture, not a flat fill."""
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    tinted = Image.blend(image, Image.new("RGB", (width, height), colour), 0.5)
    buffer = BytesIO()
    tinted.save(buffer, format="PNG")
    return buffer.getvalue()


def image_size(data: bytes) -> tuple[int, int]:
    with Image.open(BytesIO(data)) as image:
        return image.size


@asynccontextmanager
async def open_client(fake: ReplicateFake) -> AsyncIterator[Any]:
    """The real client aimed at `fake`, its connections closed afterwards."""
    client = client_for(fake.base_url, fake.token)
    try:
        yield client
    finally:
        await ReplicateApi(client).aclose()
