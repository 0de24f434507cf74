"""OutputFetcher: copies the provider's output files, and nothing else, into memory.

Rules: only allow-listed URLs (see `hosts`); an HTTP client of its own that never
sends an Authorization header, reads no proxy or netrc settings from the environment
and follows no redirect by itself (each hop is re-checked, at most `max_redirects`);
a byte cap checked on Content-Length and again while streaming; one total time limit
per file. A refusal that asking again cannot fix raises OutputRefused; a failure that
may pass (timeout, network, 5xx) raises OutputUnavailable. Both are ProviderFailed.
Known limit: the allow-list is checked on names, so it trusts the resolver for them.
"""

import asyncio
import logging
import time

import httpx

from adapters.replicate.hosts import PRODUCTION_OUTPUT_HOSTS, AllowedHosts, HostNotAllowed
from adapters.system.headers import declares_more_than
from domain.errors import ProviderFailed

logger = logging.getLogger(__name__)

# An upscaled 4096x4096 PNG weighs 20 to 50 MB; twice that leaves room.
DEFAULT_MAX_BYTES = 100 * 1024 * 1024
DEFAULT_TIMEOUT_SECONDS = 60.0
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
# Downloads at once from the provider's file hosts; more wait for a free connection
# (within their timeout), and those open stay alive for the next.
DOWNLOAD_CONNECTIONS = httpx.Limits(max_connections=16, max_keepalive_connections=16)


class OutputRefused(ProviderFailed):
    """The output cannot be fetched, now or later: not allowed, too large, or gone."""


class OutputUnavailable(ProviderFailed):
    """The output could not be fetched this time; asking again may work."""


class OutputFetcher:
    def __init__(
        self,
        allowed_hosts: tuple[str, ...] | list[str] = PRODUCTION_OUTPUT_HOSTS,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        max_redirects: int = 3,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if max_bytes < 1 or timeout_seconds <= 0 or max_redirects < 0:
            raise ValueError("fetch limits must be positive")
        self._allowed = AllowedHosts(allowed_hosts)
        self._max_bytes = max_bytes
        self._timeout = timeout_seconds
        self._max_redirects = max_redirects
        self._http = httpx.AsyncClient(
            transport=transport,
            limits=DOWNLOAD_CONNECTIONS,
            follow_redirects=False,
            trust_env=False,
            timeout=httpx.Timeout(timeout_seconds),
        )

    async def fetch(self, url: str) -> bytes:
        """The file's bytes; raises OutputRefused or OutputUnavailable."""
        target = self._checked(url)
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self._timeout):
                data = await self._follow(target)
        except TimeoutError as exc:
            raise OutputUnavailable("The provider's file took too long to download.") from exc
        except httpx.HTTPError as exc:
            raise OutputUnavailable("The provider's file could not be downloaded.") from exc
        logger.debug(
            "output fetched host=%s bytes=%d duration_ms=%.0f",
            target.host,
            len(data),
            (time.perf_counter() - started) * 1000,
        )
        return data

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _follow(self, target: httpx.URL) -> bytes:
        for _hop in range(self._max_redirects + 1):
            request = self._http.build_request("GET", target)
            request.headers.pop("authorization", None)
            response = await self._http.send(request, stream=True)
            try:
                if response.status_code in _REDIRECTS:
                    target = self._checked(self._location(response, target))
                    continue
                return await self._body(response)
            finally:
                await response.aclose()
        raise OutputRefused("The provider's file redirects too many times.")

    def _checked(self, url: str | httpx.URL) -> httpx.URL:
        try:
            return self._allowed.check(url)
        except HostNotAllowed as exc:
            logger.warning("output refused reason=%s", exc)
            raise OutputRefused("The provider gave a file on a host that is not allowed.") from exc

    @staticmethod
    def _location(response: httpx.Response, current: httpx.URL) -> httpx.URL:
        location = response.headers.get("location")
        if not location:
            raise OutputRefused("The provider's file redirects nowhere.")
        try:
            return current.join(location)
        except httpx.InvalidURL as exc:
            raise OutputRefused("The provider's file redirects to an invalid URL.") from exc

    async def _body(self, response: httpx.Response) -> bytes:
        status = response.status_code
        if status == 429 or status >= 500:
            raise OutputUnavailable(f"The provider's file server answered {status}.")
        if status != 200:
            raise OutputRefused(f"The provider's file is not available ({status}).")
        if declares_more_than(response.headers.get("content-length"), self._max_bytes):
            raise OutputRefused(f"The provider's file is larger than {self._max_bytes} bytes.")
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > self._max_bytes:
                raise OutputRefused(f"The provider's file is larger than {self._max_bytes} bytes.")
            chunks.append(chunk)
        return b"".join(chunks)
