"""Hardening over HTTP: security headers on every answer, allowed hosts, CORS from the
settings, a body limit on every route, and no secret in the logs."""

import logging
from pathlib import Path
from typing import Any

import pytest
from limits_http import ScriptedGeneration, at, design_body, serving
from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.testing import AsyncTestClient

from casecraft_testing import PASSWORD, sign_up_and_log_in
from entrypoints.http.designs import MULTIPART_OVERHEAD

API_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
}
APP_ORIGIN = "https://app.example.com"


def _has_api_headers(response: Any) -> bool:
    return all(response.headers.get(name) == value for name, value in API_HEADERS.items())


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/v1/phones", 200),
        ("GET", "/v1/phones/no-such-phone", 404),
        ("GET", "/v1/no-such-route", 404),
        ("GET", "/v1/designs", 401),
        ("POST", "/v1/auth/login", 400),
        ("GET", "/health/live", 200),
    ],
)
async def test_every_answer_carries_the_security_headers(
    client: AsyncTestClient[Litestar], method: str, path: str, status: int
) -> None:
    response = await client.request(
        method, path, content=b"{", headers={"Content-Type": "application/json"}
    )

    assert response.status_code == status
    assert _has_api_headers(response), dict(response.headers)
    assert "strict-transport-security" not in response.headers


async def test_a_header_a_route_sets_itself_is_kept_and_not_doubled(
    client: AsyncTestClient[Litestar],
) -> None:
    response = await client.get("/v1/phones")

    assert response.headers["cache-control"] == "public, max-age=3600"
    assert response.headers.get_list("x-content-type-options") == ["nosniff"]


async def test_the_docs_page_may_run_its_scripts(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/schema")

    assert response.status_code == 200
    assert "content-security-policy" not in response.headers
    assert response.headers["x-frame-options"] == "DENY"


async def test_auth_answers_are_never_cached(client: AsyncTestClient[Litestar]) -> None:
    headers = await sign_up_and_log_in(client, "ada@example.com")

    login = await client.post(
        "/v1/auth/login", json={"email": "ada@example.com", "password": PASSWORD}
    )
    me = await client.get("/v1/me", headers=headers)

    assert login.headers["cache-control"] == "no-store"
    assert me.headers["cache-control"] == "no-store"


async def test_production_answers_ask_for_https_from_now_on(tmp_path: Path) -> None:
    async with serving(tmp_path, CASECRAFT_ENV="production") as client:
        response = await client.get("/v1/phones")

    assert response.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"


@pytest.mark.parametrize("host", ["attacker.example", "testserver.local.attacker.example", ""])
async def test_a_host_the_service_does_not_answer_for_gets_400(
    client: AsyncTestClient[Litestar], host: str
) -> None:
    response = await client.get("/v1/phones", headers={"Host": host})

    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "host_not_allowed"
    assert _has_api_headers(response)


@pytest.mark.parametrize("host", ["testserver.local", "TestServer.Local:8443", "127.0.0.1:8000"])
async def test_allowed_hosts_match_whatever_the_port_or_case(
    client: AsyncTestClient[Litestar], host: str
) -> None:
    response = await client.get("/v1/phones", headers={"Host": host})

    assert response.status_code == 200


async def test_health_probes_are_answered_whatever_their_host(
    client: AsyncTestClient[Litestar],
) -> None:
    response = await client.get("/health/live", headers={"Host": "10.1.2.3:8000"})

    assert response.status_code == 200


async def test_configured_hosts_replace_the_defaults_and_wildcards_cover_subdomains(
    tmp_path: Path,
) -> None:
    async with serving(tmp_path, CASECRAFT_ALLOWED_HOSTS="*.example.com") as client:
        sub = await client.get("/v1/phones", headers={"Host": "api.example.com"})
        bare = await client.get("/v1/phones", headers={"Host": "example.com"})
        loopback = await client.get("/v1/phones", headers={"Host": "127.0.0.1"})

    assert (sub.status_code, bare.status_code, loopback.status_code) == (200, 400, 400)


async def test_a_preflight_from_a_configured_origin_is_allowed(tmp_path: Path) -> None:
    async with serving(tmp_path, CASECRAFT_CORS_ORIGINS=APP_ORIGIN) as client:
        preflight = await client.options(
            "/v1/designs",
            headers={
                "Origin": APP_ORIGIN,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type",
            },
        )
        simple = await client.get("/v1/phones", headers={"Origin": APP_ORIGIN})

    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == APP_ORIGIN
    assert "access-control-allow-credentials" not in preflight.headers
    assert simple.headers["access-control-allow-origin"] == APP_ORIGIN
    assert "casecraft-trial-token" in simple.headers["access-control-expose-headers"].lower()


async def test_a_preflight_from_another_origin_is_refused(tmp_path: Path) -> None:
    async with serving(tmp_path, CASECRAFT_CORS_ORIGINS=APP_ORIGIN) as client:
        preflight = await client.options(
            "/v1/designs",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        )
        simple = await client.get("/v1/phones", headers={"Origin": "https://evil.example"})

    assert preflight.status_code == 400
    assert "access-control-allow-origin" not in preflight.headers
    assert "access-control-allow-origin" not in simple.headers


async def test_without_configured_origins_no_cross_origin_read_is_allowed(
    client: AsyncTestClient[Litestar],
) -> None:
    preflight = await client.options(
        "/v1/designs", headers={"Origin": APP_ORIGIN, "Access-Control-Request-Method": "POST"}
    )
    simple = await client.get("/v1/phones", headers={"Origin": APP_ORIGIN})

    assert "access-control-allow-origin" not in preflight.headers
    assert "access-control-allow-origin" not in simple.headers


def test_every_route_has_a_request_body_limit(app: Litestar) -> None:
    # The largest body any route takes is an upload: the default photo cap plus its framing.
    largest = 20 * 1024 * 1024 + MULTIPART_OVERHEAD
    limits = {
        (path, handler.handler_name): handler.resolve_request_max_body_size()
        for route in app.routes
        for handler in getattr(route, "route_handlers", [])
        if isinstance(handler, HTTPRouteHandler)
        for path in handler.paths
    }

    assert len(limits) > 10
    assert limits[("/v1/auth/login", "log_in")] == 1024 * 1024
    unbounded = {key: limit for key, limit in limits.items() if not limit or limit > largest}
    assert unbounded == {}


async def test_a_body_over_the_auth_routes_limit_is_refused_unread(
    client: AsyncTestClient[Litestar],
) -> None:
    response = await client.post(
        "/v1/auth/login",
        content=b'{"email": "' + b"a" * (2 * 1024 * 1024) + b'"}',
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"


async def test_the_logs_hold_no_password_token_or_signed_link(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secrets: list[str] = [PASSWORD, "wrong password 123"]
    async with serving(tmp_path, ScriptedGeneration(), CASECRAFT_ANONYMOUS_TRIAL="1") as client:
        await client.post(
            "/v1/auth/signup", json={"email": "ada@example.com", "password": PASSWORD}
        )
        await client.post(
            "/v1/auth/login", json={"email": "ada@example.com", "password": "wrong password 123"}
        )
        login = await client.post(
            "/v1/auth/login", json={"email": "ada@example.com", "password": PASSWORD}
        )
        tokens = login.json()
        bearer = {"Authorization": f"Bearer {tokens['accessToken']}"}
        await client.get("/v1/me", headers=bearer)
        design = (await client.post("/v1/designs", json=design_body(), headers=bearer)).json()
        shown = (await client.get(f"/v1/designs/{design['id']}", headers=bearer)).json()
        download = await client.post(
            f"/v1/designs/{design['id']}/variants/0/download", headers=bearer
        )
        trial = await client.post("/v1/designs", json=design_body(), headers=at("198.51.100.3"))
        await client.get("/v1/designs", headers={"Authorization": "Bearer not.a.token"})

    secrets.extend(str(value) for key, value in tokens.items() if "token" in key.lower())
    secrets.append(trial.headers["casecraft-trial-token"])
    secrets.append(shown["variants"][0]["previewUrl"].partition("signature=")[2])
    if download.status_code == 200:
        secrets.append(download.json()["url"].partition("signature=")[2])
    logged = "\n".join(
        record.getMessage() + " " + str(record.args) + " " + (record.exc_text or "")
        for record in caplog.records
    )
    assert caplog.records, "the flow logged nothing: the check would prove nothing"
    leaked = [secret[:12] + "..." for secret in secrets if secret and secret in logged]
    assert leaked == []
