import io

from litestar import Litestar
from litestar.testing import AsyncTestClient
from PIL import Image


async def test_brands_list_every_brand_with_its_phone_count(
    client: AsyncTestClient[Litestar],
) -> None:
    response = await client.get("/v1/phones/brands")

    assert response.status_code == 200
    brands = {b["slug"]: b for b in response.json()}
    assert {"apple", "samsung", "google", "oneplus", "nothing"} <= set(brands)
    assert brands["apple"]["phoneCount"] == 20


async def test_phones_filter_by_brand_and_query(client: AsyncTestClient[Litestar]) -> None:
    by_brand = await client.get("/v1/phones", params={"brand": "Samsung"})
    by_query = await client.get("/v1/phones", params={"q": "15 pro"})

    assert by_brand.status_code == 200
    assert by_brand.json() and all(p["brand"] == "Samsung" for p in by_brand.json())
    assert {p["slug"] for p in by_query.json()} == {
        "apple-iphone-15-pro",
        "apple-iphone-15-pro-max",
    }


async def test_a_phone_shows_its_geometry_and_marks_estimates(
    client: AsyncTestClient[Litestar],
) -> None:
    response = await client.get("/v1/phones/apple-iphone-15-pro")

    assert response.status_code == 200
    phone = response.json()
    assert phone["body"]["heightMm"] == 146.6
    assert phone["body"]["widthMm"] == 70.6
    assert phone["screen"] == {"widthPx": 1179, "heightPx": 2556, "diagonalIn": 6.1}
    assert phone["cutouts"], "a skin needs its camera cut-out"
    assert all("estimated" in c for c in phone["cutouts"])
    assert phone["skin"]["providerAspectRatio"] == "9:21"
    assert phone["skin"]["finalSizePx"] == [834, 1731]
    assert phone["wallpaper"]["finalSizePx"] == [1179, 2556]


async def test_an_unknown_phone_is_404_with_a_stable_code(
    client: AsyncTestClient[Litestar],
) -> None:
    response = await client.get("/v1/phones/acme-nonexistent")

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "phone_not_found"


async def test_the_mask_is_a_png_of_the_requested_width(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/v1/phones/apple-iphone-15-pro/mask.png", params={"width": 300})

    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    mask = Image.open(io.BytesIO(response.content))
    assert mask.width == 300
    assert abs(mask.height - round(300 * 146.6 / 70.6)) <= 1
    alpha = mask.getchannel("A")
    assert alpha.getpixel((0, 0)) == 0
    assert alpha.getpixel((150, mask.height // 2)) == 255


async def test_a_mask_width_out_of_range_is_422(client: AsyncTestClient[Litestar]) -> None:
    too_wide = await client.get("/v1/phones/apple-iphone-15-pro/mask.png", params={"width": 99999})
    not_a_number = await client.get(
        "/v1/phones/apple-iphone-15-pro/mask.png", params={"width": "wide"}
    )
    bad_kind = await client.get(
        "/v1/phones/apple-iphone-15-pro/mask.png", params={"kind": "poster"}
    )

    assert too_wide.status_code == 422
    assert too_wide.json()["code"] == "width_out_of_range"
    assert not_a_number.status_code in (400, 422)
    assert bad_kind.status_code in (400, 422)


async def test_openapi_is_published(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/schema/openapi.json")

    assert response.status_code == 200
    assert "/v1/designs" in response.json()["paths"]


async def test_health_answers(client: AsyncTestClient[Litestar]) -> None:
    assert (await client.get("/health/live")).status_code == 200
    assert (await client.get("/health/ready")).status_code == 200
