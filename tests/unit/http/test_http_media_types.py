"""Bodies in the media type a route reads: every JSON route refuses any other Content-Type,
a missing one included, with 415 `unsupported_media_type` before anything runs.

The JSON routes are found from the app itself (every handler that takes a `data` body),
so a route added later is covered without touching this file.
"""

import io
from pathlib import Path
from typing import Any

import pytest
from app_routes import body_routes
from limits_http import at, design_body, serving
from litestar import Litestar
from litestar.testing import AsyncTestClient
from PIL import Image

JSON = "application/json"
# What a page of another origin may send without a preflight, and some it may not.
OTHER_TYPES = [
    None,
    "text/plain",
    "text/plain; charset=utf-8",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=casecraft",
    "application/xml",
    "application/jsonp",
    "application/json-patch+json",
]


BODY_ROUTES = body_routes()


def test_the_json_routes_are_found_from_the_app() -> None:
    paths = {path for _, path, _ in BODY_ROUTES}

    assert {"/v1/auth/login", "/v1/auth/signup", "/v1/designs", "/v1/auth/verify"} <= paths
    assert "/v1/uploads" not in paths and "/v1/webhooks/replicate" not in paths
    assert len(BODY_ROUTES) >= 9


REFUSALS = [
    (method, path, content_type)
    for method, path, accepted in BODY_ROUTES
    for content_type in OTHER_TYPES
    if content_type is None or content_type.partition(";")[0] not in accepted
]


@pytest.mark.parametrize(
    ("method", "path", "content_type"),
    REFUSALS,
    ids=[f"{method} {path} {content_type}" for method, path, content_type in REFUSALS],
)
async def test_a_json_route_refuses_a_body_of_another_type(
    client: AsyncTestClient[Litestar], method: str, path: str, content_type: str | None
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}

    response = await client.request(method, path, content=b"{}", headers=headers)

    assert response.status_code == 415, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "unsupported_media_type"
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8", "Application/JSON"])
async def test_json_with_parameters_or_in_any_case_is_json(
    client: AsyncTestClient[Litestar], content_type: str
) -> None:
    response = await client.post(
        "/v1/auth/signup",
        content=b'{"email": "ann@example.com", "password": "correct horse battery"}',
        headers={"Content-Type": content_type},
    )

    assert response.status_code == 202, response.text


async def test_credentials_sent_as_text_log_nobody_in(client: AsyncTestClient[Litestar]) -> None:
    body = b'{"email": "ann@example.com", "password": "correct horse battery"}'
    await client.post("/v1/auth/signup", content=body, headers={"Content-Type": JSON})

    as_text = await client.post(
        "/v1/auth/login", content=body, headers={"Content-Type": "text/plain"}
    )
    as_json = await client.post("/v1/auth/login", content=body, headers={"Content-Type": JSON})

    assert as_text.status_code == 415 and "accessToken" not in as_text.text
    assert as_json.status_code == 200


async def test_a_design_sent_as_text_starts_no_trial(tmp_path: Path) -> None:
    async with serving(tmp_path, CASECRAFT_ANONYMOUS_TRIAL="1") as client:
        text: Any = await client.post(
            "/v1/designs",
            content=str(design_body()).encode(),
            headers=at("198.51.100.7", **{"Content-Type": "text/plain"}),
        )
        json = await client.post("/v1/designs", json=design_body(), headers=at("198.51.100.7"))

    assert text.status_code == 415
    assert "casecraft-trial-token" not in text.headers
    assert json.status_code == 201 and json.headers["casecraft-trial-token"]


async def test_an_upload_keeps_its_multipart_form(
    client: AsyncTestClient[Litestar], alice: dict[str, str]
) -> None:
    photo = io.BytesIO()
    Image.new("RGB", (320, 240), (200, 40, 40)).save(photo, "PNG")

    response = await client.post(
        "/v1/uploads", files={"file": ("p.png", photo.getvalue(), "image/png")}, headers=alice
    )

    assert response.status_code == 201, response.text
