"""Problem details of a body of the wrong shape speak of the request body and its fields,
as the client sent them, never of the framework's own names for them."""

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from app_routes import body_routes
from litestar import Litestar
from litestar.testing import AsyncTestClient

from casecraft_testing import InMemoryAdapters, make_settings, sign_up_and_log_in
from entrypoints.http.app import create_app

JSON = {"Content-Type": "application/json"}
INTERNAL_NAMES = re.compile(r"\bdata\b|\$")


@pytest.fixture
async def every_route_client(tmp_path: Path) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """The app with Google sign-in on too; a body refused never reaches the provider, whose
    discovery address is a closed port on loopback."""
    settings = make_settings(
        tmp_path,
        GOOGLE_CLIENT_ID="casecraft-test",
        GOOGLE_CLIENT_SECRET="not-a-secret",
        GOOGLE_DISCOVERY_URL="http://127.0.0.1:9/.well-known/openid-configuration",
    )
    app = create_app(settings, InMemoryAdapters())
    async with AsyncTestClient(app, base_url="http://testserver.local") as client:
        yield client


@pytest.mark.parametrize(
    ("body", "detail", "field"),
    [
        (b"", "The request body is missing.", None),
        (b"null", "Expected `object`, got `null` in the request body.", None),
        (b"[]", "Expected `object`, got `array` in the request body.", None),
        (b"{}", "Object missing required field `email` in the request body.", None),
        (
            b'{"email": 1, "password": "correct horse battery"}',
            "Expected `str`, got `int` in field `email` of the request body.",
            "email",
        ),
        (
            b'{"email": "ann@example.com", "password": "x", "admin": true}',
            "Object contains unknown field `admin` in the request body.",
            None,
        ),
    ],
)
async def test_a_login_body_of_the_wrong_shape_is_described_in_the_clients_terms(
    client: AsyncTestClient[Litestar], body: bytes, detail: str, field: str | None
) -> None:
    response = await client.post("/v1/auth/login", content=body, headers=JSON)

    problem = response.json()
    assert response.status_code == 422
    assert problem["code"] == "invalid_input"
    assert problem["detail"] == detail
    assert problem.get("field") == field


async def test_a_nested_field_is_named_by_its_path_in_the_body(
    client: AsyncTestClient[Litestar], alice: dict[str, str]
) -> None:
    design: dict[str, Any] = {"phone": "apple-iphone-15-pro", "prompt": "waves", "variants": "two"}

    response = await client.post("/v1/designs", json=design, headers=alice)

    assert response.status_code == 422
    assert response.json()["detail"] == (
        "Expected `int`, got `str` in field `variants` of the request body."
    )
    assert response.json()["field"] == "variants"


async def test_a_query_parameter_is_named_as_one(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/v1/phones/apple-iphone-15-pro/mask.png?width=wide")

    assert response.status_code == 422
    assert response.json()["detail"] == "Expected `int`, got `str` in parameter `width`."


@pytest.mark.parametrize(
    ("method", "path"),
    [(method, path) for method, path, _ in body_routes()],
    ids=[f"{method} {path}" for method, path, _ in body_routes()],
)
@pytest.mark.parametrize("body", [b"", b"null", b"[1]", b'{"unknownField": 1}'])
async def test_no_body_route_names_the_frameworks_own_parameter(
    every_route_client: AsyncTestClient[Litestar], method: str, path: str, body: bytes
) -> None:
    headers = dict(JSON)
    if path.startswith("/v1/designs"):
        # Design routes answer 401 to a caller without credentials before reading a body.
        headers.update(await sign_up_and_log_in(every_route_client, "ann@example.com"))
    response = await every_route_client.request(method, path, content=body, headers=headers)

    problem = response.json()
    assert response.status_code == 422, response.text
    assert "request body" in problem["detail"]
    assert not INTERNAL_NAMES.search(problem["detail"]), problem["detail"]
