"""A tiny HTTP/1.1 server on asyncio streams and h11, bound to 127.0.0.1 only.

Unlike an ASGI server it can close a connection without answering, which is how the
fake provider loses a create's answer on purpose.
"""

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import h11

LOOPBACK = "127.0.0.1"
_MAX_BODY = 32 * 1024 * 1024


@dataclass(frozen=True)
class HttpRequest:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.target).query)


@dataclass(frozen=True)
class HttpResponse:
    status: int
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()


Handler = Callable[[HttpRequest], Awaitable[HttpResponse | None]]


def json_response(status: int, payload: object, *extra: tuple[str, str]) -> HttpResponse:
    body = json.dumps(payload).encode()
    return HttpResponse(status, body, (("content-type", "application/json"), *extra))


class LoopbackServer:
    """Serves `handler` on 127.0.0.1; a handler answering None closes the connection unanswered."""

    def __init__(self, handler: Handler) -> None:
        self._handler = handler
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self.port = 0

    async def start(self, port: int = 0) -> int:
        self._server = await asyncio.start_server(self._serve, LOOPBACK, port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def stop(self) -> None:
        if self._server is None:
            return
        self._server.close()
        for task in list(self._connections):
            task.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)
        await self._server.wait_closed()
        self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        connection = h11.Connection(h11.SERVER, max_incomplete_event_size=64 * 1024)
        try:
            while True:
                request = await self._read(connection, reader)
                if request is None:
                    return
                response = await self._answer(request)
                if response is None:
                    return
                await self._write(connection, writer, response)
                if connection.our_state is not h11.DONE:
                    return
                try:
                    connection.start_next_cycle()
                except h11.LocalProtocolError:
                    return
        except (h11.ProtocolError, ConnectionError, asyncio.CancelledError):
            return
        finally:
            self._connections.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _answer(self, request: HttpRequest) -> HttpResponse | None:
        try:
            return await self._handler(request)
        except Exception as exc:  # a bug in the fake shows up as a 500 the test can read
            return json_response(500, {"detail": f"fake error: {exc!r}", "status": 500})

    @staticmethod
    async def _read(connection: h11.Connection, reader: asyncio.StreamReader) -> HttpRequest | None:
        head: h11.Request | None = None
        body = bytearray()
        while True:
            event = connection.next_event()
            if event is h11.NEED_DATA:
                connection.receive_data(await reader.read(65536))
            elif isinstance(event, h11.Request):
                head = event
            elif isinstance(event, h11.Data):
                body += event.data
                if len(body) > _MAX_BODY:
                    return None
            elif isinstance(event, h11.EndOfMessage) and head is not None:
                headers = {k.decode().lower(): v.decode("latin-1") for k, v in head.headers}
                return HttpRequest(head.method.decode(), head.target.decode(), headers, bytes(body))
            elif isinstance(event, h11.ConnectionClosed):
                return None

    @staticmethod
    async def _write(
        connection: h11.Connection, writer: asyncio.StreamWriter, response: HttpResponse
    ) -> None:
        headers = [(name.encode(), value.encode()) for name, value in response.headers]
        headers.append((b"content-length", str(len(response.body)).encode()))
        writer.write(connection.send(h11.Response(status_code=response.status, headers=headers)))
        if response.body:
            writer.write(connection.send(h11.Data(data=response.body)))
        writer.write(connection.send(h11.EndOfMessage()))
        await writer.drain()
