"""OutputFetcher's rules on hosts, redirects, size and time, over httpx.MockTransport."""

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from adapters.replicate.fetching import OutputFetcher, OutputRefused, OutputUnavailable
from domain.errors import ProviderFailed

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 100


class Recorder:
    """A MockTransport handler that serves routes and remembers every request."""

    def __init__(self, routes: dict[str, httpx.Response] | None = None) -> None:
        self.routes = routes or {}
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.routes.get(str(request.url), httpx.Response(200, content=PNG))


def fetcher(handler, **options) -> OutputFetcher:
    return OutputFetcher(transport=httpx.MockTransport(handler), **options)


async def test_file_on_a_subdomain_of_an_allowed_domain_is_fetched_without_a_token() -> None:
    recorder = Recorder()
    files = fetcher(recorder)

    data = await files.fetch("https://pbxt.replicate.delivery/abc/out-0.png")

    assert data == PNG
    assert "authorization" not in recorder.requests[0].headers
    await files.aclose()


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/out.png",
        "https://evilreplicate.delivery/out.png",
        "https://replicate.delivery.evil.example/out.png",
        "https://replicate.delivery@evil.example/out.png",
        "https://user:pass@replicate.delivery/out.png",
        "http://replicate.delivery/out.png",
        "https://replicate.delivery:8443/out.png",
        "https://127.0.0.1/out.png",
        "http://127.0.0.1:8701/files/x/0.png",
        "https://[::1]/out.png",
        "https://169.254.169.254/latest/meta-data",
        "ftp://replicate.delivery/out.png",
        "data:image/png;base64,AAAA",
        "not a url",
    ],
)
async def test_url_off_the_allow_list_is_refused_before_any_request(url: str) -> None:
    recorder = Recorder()
    files = fetcher(recorder)

    with pytest.raises(OutputRefused):
        await files.fetch(url)

    assert recorder.requests == []
    await files.aclose()


async def test_explicit_loopback_origin_allows_that_scheme_host_and_port_only() -> None:
    files = fetcher(Recorder(), allowed_hosts=("http://127.0.0.1:8701",))

    assert await files.fetch("http://127.0.0.1:8701/files/x/0.png") == PNG
    for other in ("http://127.0.0.1:8702/x", "https://127.0.0.1:8701/x", "http://localhost:8701/x"):
        with pytest.raises(OutputRefused):
            await files.fetch(other)
    await files.aclose()


async def test_redirect_to_a_host_off_the_list_is_refused() -> None:
    start = "https://replicate.delivery/a.png"
    recorder = Recorder({start: httpx.Response(302, headers={"location": "https://evil.example/"})})
    files = fetcher(recorder)

    with pytest.raises(OutputRefused):
        await files.fetch(start)

    assert [str(r.url) for r in recorder.requests] == [start]
    await files.aclose()


async def test_redirect_within_the_allow_list_is_followed() -> None:
    start = "https://replicate.delivery/a.png"
    recorder = Recorder({start: httpx.Response(307, headers={"location": "/b.png"})})
    files = fetcher(recorder)

    assert await files.fetch(start) == PNG
    assert str(recorder.requests[-1].url) == "https://replicate.delivery/b.png"
    await files.aclose()


async def test_endless_redirects_are_refused() -> None:
    loop = httpx.Response(302, headers={"location": "https://replicate.delivery/a.png"})
    files = fetcher(Recorder({"https://replicate.delivery/a.png": loop}), max_redirects=2)

    with pytest.raises(OutputRefused):
        await files.fetch("https://replicate.delivery/a.png")
    await files.aclose()


async def test_declared_size_over_the_cap_is_refused() -> None:
    big = httpx.Response(200, content=b"x" * 2_000)
    files = fetcher(Recorder({"https://replicate.delivery/a.png": big}), max_bytes=1_000)

    with pytest.raises(OutputRefused, match="larger than 1000 bytes"):
        await files.fetch("https://replicate.delivery/a.png")
    await files.aclose()


@pytest.mark.parametrize("declared", [b"\xb2\xb3", b"9" * 5000, b"-5"])
async def test_a_content_length_that_is_no_plain_number_is_only_a_hint(declared: bytes) -> None:
    answer = httpx.Response(200, content=PNG, headers=[(b"content-length", declared)])
    files = fetcher(lambda request: answer)

    try:
        data = await files.fetch("https://replicate.delivery/a.png")
    except ProviderFailed:
        data = None
    await files.aclose()

    assert data in (PNG, None)


async def test_streamed_size_over_the_cap_is_refused_without_a_content_length() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(10):
            yield b"x" * 300

    files = fetcher(lambda request: httpx.Response(200, content=chunks()), max_bytes=1_000)

    with pytest.raises(OutputRefused):
        await files.fetch("https://replicate.delivery/a.png")
    await files.aclose()


@pytest.mark.parametrize(("status", "error"), [(404, OutputRefused), (503, OutputUnavailable)])
async def test_file_server_errors_say_whether_asking_again_may_help(status, error) -> None:
    files = fetcher(lambda request: httpx.Response(status))

    with pytest.raises(error):
        await files.fetch("https://replicate.delivery/a.png")
    await files.aclose()


async def test_slow_file_is_abandoned_at_the_time_limit() -> None:
    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(1)
        return httpx.Response(200, content=PNG)

    files = fetcher(slow, timeout_seconds=0.05)

    with pytest.raises(OutputUnavailable):
        await files.fetch("https://replicate.delivery/a.png")
    await files.aclose()


async def test_network_failure_is_provider_failed_that_may_pass() -> None:
    def broken(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    files = fetcher(broken)

    with pytest.raises(OutputUnavailable) as raised:
        await files.fetch("https://replicate.delivery/a.png")

    assert isinstance(raised.value, ProviderFailed)
    await files.aclose()


def test_an_empty_allow_list_is_a_configuration_error() -> None:
    with pytest.raises(ValueError):
        OutputFetcher(())
