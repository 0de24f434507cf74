"""With no Google client configured, every sign-in route answers 404 whatever it is sent."""

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

LONG = "x" * 5000


@pytest.mark.parametrize(
    "body",
    [
        b'{"code": "c"}',
        b"{}",
        b'{"code": 7}',
        b"not json at all",
        b'{"code": "' + LONG.encode() + b'"}',
    ],
    ids=["valid", "no code", "wrong type", "not json", "too long"],
)
async def test_the_code_exchange_answers_off_before_reading_its_body(
    client: AsyncTestClient[Litestar], body: bytes
) -> None:
    answer = await client.post(
        "/v1/auth/google/exchange",
        content=body,
        headers={"Content-Type": "application/json"},
    )

    assert answer.status_code == 404
    assert answer.json()["code"] == "google_sign_in_off"


async def test_the_callback_answers_off_whatever_its_parameters(
    client: AsyncTestClient[Litestar],
) -> None:
    answers = [
        await client.get("/v1/auth/google/callback"),
        await client.get("/v1/auth/google/callback", params={"state": LONG, "code": LONG}),
        await client.get("/v1/auth/google/login", params={"anything": LONG}),
    ]

    assert [a.status_code for a in answers] == [404, 404, 404]
    assert {a.json()["code"] for a in answers} == {"google_sign_in_off"}
