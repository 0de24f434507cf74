import io
import struct
import zlib
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from PIL import Image

from application.ports import GenerationOutcome, GenerationRequest, ImageGenerator, PredictionState
from casecraft_testing import InMemoryAdapters, make_settings, sign_up_and_log_in
from domain.errors import ProviderBusy


def _design(**fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "phone": "apple-iphone-15-pro",
        "prompt": "blue waves",
        "kind": "skin",
        "variants": 1,
    }
    body.update(fields)
    return body


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"prompt": ""}, "prompt_empty"),
        ({"prompt": "   "}, "prompt_empty"),
        ({"prompt": "x" * 1001}, "prompt_too_long"),
        ({"prompt": "red\x07fox"}, "prompt_control_characters"),
        ({"prompt": "red\u202efox"}, "prompt_control_characters"),
        ({"variants": 0}, "invalid_input"),
        ({"variants": 5}, "invalid_input"),
        ({"variants": 5, "prompt": "ok"}, "invalid_input"),
        ({"kind": "poster"}, "invalid_input"),
        ({"seed": -1}, "seed_out_of_range"),
        ({"variants": "two"}, "invalid_input"),
        ({"prompt": None}, "prompt_or_photo_required"),
        ({"uploadId": "not-a-uuid"}, "invalid_input"),
        ({"colour": "red"}, "invalid_input"),
    ],
)
async def test_bad_design_input_is_422_with_a_code(
    client: AsyncTestClient[Litestar], alice: dict[str, str], fields: dict[str, Any], code: str
) -> None:
    response = await client.post("/v1/designs", json=_design(**fields), headers=alice)

    assert response.status_code == 422, response.text
    assert response.json()["code"] in (code, "variants_out_of_range")
    assert response.json()["status"] == 422


async def test_variants_out_of_range_names_the_rule(
    client: AsyncTestClient[Litestar], alice: dict[str, str]
) -> None:
    response = await client.post("/v1/designs", json=_design(variants=5), headers=alice)

    assert response.status_code == 422
    assert response.json()["code"] == "variants_out_of_range"


async def test_an_unknown_phone_slug_is_404(
    client: AsyncTestClient[Litestar], alice: dict[str, str]
) -> None:
    response = await client.post(
        "/v1/designs", json=_design(phone="acme-phone-9000"), headers=alice
    )

    assert response.status_code == 404
    assert response.json()["code"] == "phone_not_found"


@pytest.mark.parametrize("body", [b"{not json", b'{"phone": "x",', b"\xff\xfe", b"[1, 2"])
async def test_malformed_json_is_400(
    client: AsyncTestClient[Litestar], alice: dict[str, str], body: bytes
) -> None:
    response = await client.post(
        "/v1/designs", content=body, headers={**alice, "Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json()["code"] == "malformed_json"


async def test_a_json_body_of_the_wrong_shape_is_422(
    client: AsyncTestClient[Litestar], alice: dict[str, str]
) -> None:
    response = await client.post("/v1/designs", json=[1, 2, 3], headers=alice)

    assert response.status_code == 422


async def test_an_upload_that_is_not_an_image_is_415(
    client: AsyncTestClient[Litestar], alice: dict[str, str]
) -> None:
    as_image = await client.post(
        "/v1/uploads",
        content=b"just some text, not pixels",
        headers={**alice, "Content-Type": "image/png"},
    )
    as_text = await client.post(
        "/v1/uploads", content=b"hello", headers={**alice, "Content-Type": "text/plain"}
    )

    assert as_image.status_code == 415
    assert as_image.json()["code"] == "unsupported_image"
    assert as_text.status_code == 415


async def test_an_empty_upload_is_415(
    client: AsyncTestClient[Litestar], alice: dict[str, str]
) -> None:
    response = await client.post(
        "/v1/uploads", content=b"", headers={**alice, "Content-Type": "image/png"}
    )

    assert response.status_code == 415


def _png_claiming(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


async def test_a_decompression_bomb_is_refused(
    client: AsyncTestClient[Litestar], alice: dict[str, str]
) -> None:
    response = await client.post(
        "/v1/uploads",
        content=_png_claiming(100_000, 100_000),
        headers={**alice, "Content-Type": "image/png"},
    )

    assert response.status_code in (413, 422)
    assert response.json()["code"] == "image_too_large"


async def test_an_upload_over_the_byte_cap_is_413(tmp_path: Any) -> None:
    from entrypoints.http.app import create_app

    app = create_app(
        make_settings(tmp_path, CASECRAFT_MAX_UPLOAD_BYTES="20000"), InMemoryAdapters()
    )
    noise = io.BytesIO()
    Image.effect_noise((400, 400), 80).save(noise, "PNG")
    assert len(noise.getvalue()) > 20000 + 64 * 1024
    async with AsyncTestClient(app, base_url="http://testserver.local") as client:
        headers = await sign_up_and_log_in(client, "dave@example.com")
        over_limit = await client.post(
            "/v1/uploads",
            content=noise.getvalue(),
            headers={**headers, "Content-Type": "image/png"},
        )
        just_over_cap = await client.post(
            "/v1/uploads",
            content=noise.getvalue()[:30000],
            headers={**headers, "Content-Type": "image/png"},
        )

    assert over_limit.status_code == 413
    assert just_over_cap.status_code == 413
    assert just_over_cap.json()["code"] == "image_too_large"


async def test_design_routes_need_a_token(client: AsyncTestClient[Litestar]) -> None:
    response = await client.post("/v1/designs", json=_design())

    assert response.status_code == 401


async def test_an_unknown_route_is_a_404_problem(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/v1/nothing-here")

    assert response.status_code == 404
    assert response.json()["code"] == "route_not_found"


async def test_a_bad_design_id_is_404_or_422_never_500(
    client: AsyncTestClient[Litestar], alice: dict[str, str]
) -> None:
    not_uuid = await client.get("/v1/designs/not-a-uuid", headers=alice)
    unknown = await client.get("/v1/designs/6a1f7c1e-8d53-4f4b-9b1e-2f0f3c1d2e3f", headers=alice)

    assert not_uuid.status_code in (404, 422)
    assert unknown.status_code == 404


async def test_json_nested_too_deeply_is_400_not_500(
    client: AsyncTestClient[Litestar], alice: dict[str, str]
) -> None:
    body = b'{"phone":"apple-iphone-15-pro","prompt":"x","z":' + b"[" * 20000 + b"]" * 20000 + b"}"

    response = await client.post(
        "/v1/designs", content=body, headers={**alice, "Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json()["code"] == "malformed_json"


async def test_an_email_with_a_nul_is_422(client: AsyncTestClient[Litestar]) -> None:
    response = await client.post(
        "/v1/auth/signup", json={"email": "a\x00@example.com", "password": "long enough pw"}
    )

    assert response.status_code == 422
    assert response.json()["code"] == "email_invalid"


async def test_a_small_upload_cap_does_not_limit_generated_artwork(tmp_path: Any) -> None:
    from entrypoints.http.app import create_app

    settings = make_settings(tmp_path, CASECRAFT_MAX_UPLOAD_BYTES="10000")
    async with AsyncTestClient(create_app(settings, InMemoryAdapters())) as client:
        headers = await sign_up_and_log_in(client, "erin@example.com")
        response = await client.post("/v1/designs", json=_design(), headers=headers)

    assert response.status_code == 201, response.text


class _RefusingGenerator:
    """A provider that blocks every image, or that is too busy to take the request."""

    name = "refusing"

    def __init__(self, busy: bool) -> None:
        self.busy = busy

    async def submit(self, request: GenerationRequest, reference: str) -> str:
        if self.busy:
            raise ProviderBusy("throttled", retry_after_seconds=30)
        return f"pred-{reference}"

    async def find(self, reference: str) -> str | None:
        return None

    async def outcome(
        self, prediction_id: str, request: GenerationRequest, wait_seconds: float
    ) -> GenerationOutcome:
        return GenerationOutcome(PredictionState.FAILED, error="NSFW", blocked=True)


@pytest.mark.parametrize(
    ("busy", "status", "code"), [(False, 422, "content_blocked"), (True, 503, "provider_busy")]
)
async def test_a_blocked_or_busy_provider_is_a_clear_answer(
    tmp_path: Any, busy: bool, status: int, code: str
) -> None:
    from dishka import Provider, Scope, provide

    from entrypoints.http.app import create_app

    class Refusing(Provider):
        scope = Scope.APP

        @provide
        def generator(self) -> ImageGenerator:
            return _RefusingGenerator(busy)

    app = create_app(make_settings(tmp_path), InMemoryAdapters(), Refusing())
    async with AsyncTestClient(app) as client:
        headers = await sign_up_and_log_in(client, "gina@example.com")
        response = await client.post("/v1/designs", json=_design(), headers=headers)

    assert response.status_code == status
    assert response.json()["code"] == code
    assert ("retry-after" in response.headers) is busy


async def test_redis_away_where_nothing_stands_in_is_a_503_not_a_500(tmp_path: Any) -> None:
    from dishka import Provider, Scope, provide
    from redis.exceptions import ConnectionError as RedisConnectionError

    from entrypoints.http.app import create_app

    class _Failing(Provider):
        scope = Scope.APP

        @provide
        def generator(self) -> ImageGenerator:
            raise RedisConnectionError("Error 111 connecting to 127.0.0.1:1")

    app = create_app(make_settings(tmp_path), InMemoryAdapters(), _Failing())
    async with AsyncTestClient(app) as client:
        headers = await sign_up_and_log_in(client, "hank@example.com")
        response = await client.post("/v1/designs", json=_design(), headers=headers)

    assert response.status_code == 503
    assert response.json()["code"] == "service_unavailable"
    assert response.headers["retry-after"] == "5"
