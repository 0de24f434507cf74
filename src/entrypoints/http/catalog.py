"""Catalog routes: brands, phones, one phone, its mask."""

from typing import Annotated

from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Response, get
from litestar.params import Parameter

from application.catalog import ListBrands, ListPhones, RenderMask, ShowPhone
from domain.geometry import Kind
from entrypoints.http.schemas import BrandOut, PhoneOut, PhoneSummaryOut

CATALOG_CACHE = "public, max-age=3600"
MASK_CACHE = "public, max-age=86400"


class CatalogController(Controller):
    path = "/v1/phones"
    tags = ["catalog"]

    @get("/brands")
    @inject
    async def brands(self, use_case: FromDishka[ListBrands]) -> Response[list[BrandOut]]:
        """Every brand of the catalog with how many phones it has."""
        brands = [BrandOut.of(b) for b in await use_case.execute()]
        return Response(brands, headers={"Cache-Control": CATALOG_CACHE})

    @get("/")
    @inject
    async def phones(
        self,
        use_case: FromDishka[ListPhones],
        brand: Annotated[str | None, Parameter(max_length=64)] = None,
        q: Annotated[str | None, Parameter(max_length=64)] = None,
    ) -> Response[list[PhoneSummaryOut]]:
        """Phones, optionally of one brand (slug or name) and matching a text query."""
        phones = await use_case.execute(brand=brand, query=q)
        return Response(
            [PhoneSummaryOut.of(p) for p in phones], headers={"Cache-Control": CATALOG_CACHE}
        )

    @get("/{slug:str}")
    @inject
    async def phone(self, slug: str, use_case: FromDishka[ShowPhone]) -> Response[PhoneOut]:
        """One phone with its body outline, cut-outs, screen, and the sizes of its files."""
        phone = await use_case.execute(slug)
        return Response(PhoneOut.of(phone), headers={"Cache-Control": CATALOG_CACHE})

    @get("/{slug:str}/mask.png", media_type="image/png")
    @inject
    async def mask(
        self,
        slug: str,
        use_case: FromDishka[RenderMask],
        kind: Kind = Kind.SKIN,
        width: int = 512,
    ) -> Response[bytes]:
        """The mask as a PNG: opaque inside the outline, clear outside it and in cut-outs."""
        png = await use_case.execute(slug, kind, width)
        return Response(
            png, media_type="image/png", headers={"Cache-Control": "public, max-age=86400"}
        )
