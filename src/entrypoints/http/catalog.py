"""Catalog routes: brands, phones, one phone, its mask.

The catalog is the hottest read of the service and changes only when it is
loaded again, so each answer is encoded once per catalog version and served as
bytes. These routes need nothing per request from the container, so they run
outside its request scope.
"""

from collections import OrderedDict
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get
from litestar.params import FromPath, FromQuery, QueryParameter

from application.catalog import ListBrands, ListPhones, PhoneDirectory, RenderMask, ShowPhone
from domain.geometry import Kind
from entrypoints.http.schemas import BrandOut, PhoneOut, PhoneSummaryOut

CATALOG_CACHE = "public, max-age=3600"
MASK_CACHE = "public, max-age=86400"
JSON = "application/json"
# Distinct (brand, query) answers kept; the query is user text, so the table is bounded.
MAX_CACHED_LISTS = 512


class CatalogAnswers:
    """Encoded catalog answers, redone whenever the directory's version changes."""

    def __init__(
        self,
        directory: PhoneDirectory,
        brands: ListBrands,
        phones: ListPhones,
        phone: ShowPhone,
        mask: RenderMask,
    ) -> None:
        self._directory = directory
        self._brands = brands
        self._phones = phones
        self._phone = phone
        self.mask = mask
        self._version = -1
        self._answers: OrderedDict[tuple[str, ...], bytes] = OrderedDict()

    def _cached(self, key: tuple[str, ...]) -> bytes | None:
        if self._version != self._directory.version:
            self._answers.clear()
            self._version = self._directory.version
            return None
        answer = self._answers.get(key)
        if answer is not None:
            self._answers.move_to_end(key)
        return answer

    def _keep(self, key: tuple[str, ...], answer: bytes) -> bytes:
        self._answers[key] = answer
        if len(self._answers) > MAX_CACHED_LISTS:
            self._answers.popitem(last=False)
        return answer

    async def brands(self) -> bytes:
        key = ("brands",)
        if (answer := self._cached(key)) is not None:
            return answer
        brands = [BrandOut.of(b) for b in await self._brands.execute()]
        return self._keep(key, msgspec.json.encode(brands))

    async def phones(self, brand: str | None, query: str | None) -> bytes:
        key = ("phones", (brand or "").strip().lower(), (query or "").strip().lower())
        if (answer := self._cached(key)) is not None:
            return answer
        phones = await self._phones.execute(brand=brand, query=query)
        return self._keep(key, msgspec.json.encode([PhoneSummaryOut.of(p) for p in phones]))

    async def phone(self, slug: str) -> bytes:
        key = ("phone", slug)
        if (answer := self._cached(key)) is not None:
            return answer
        phone = await self._phone.execute(slug)
        return self._keep(key, msgspec.json.encode(PhoneOut.of(phone)))


def _json_answer(body: bytes) -> Response[Any]:
    """Bytes already encoded as JSON, sent as they are."""
    return Response(body, media_type=JSON, headers={"Cache-Control": CATALOG_CACHE})


def _answers(request: Request[Any, Any, Any]) -> CatalogAnswers:
    answers: CatalogAnswers = request.app.state.catalog_answers
    return answers


class CatalogController(Controller):
    path = "/v1/phones"
    tags = ["catalog"]

    @get("/brands", media_type=JSON)
    async def brands(self, request: Request[Any, Any, Any]) -> Response[list[BrandOut]]:
        """Every brand of the catalog with how many phones it has."""
        body = await _answers(request).brands()
        return _json_answer(body)

    @get("/", media_type=JSON)
    async def phones(
        self,
        request: Request[Any, Any, Any],
        brand: Annotated[str | None, QueryParameter(max_length=64)] = None,
        q: Annotated[str | None, QueryParameter(max_length=64)] = None,
    ) -> Response[list[PhoneSummaryOut]]:
        """Phones, optionally of one brand (slug or name) and matching a text query."""
        body = await _answers(request).phones(brand, q)
        return _json_answer(body)

    @get("/{slug:str}", media_type=JSON)
    async def phone(
        self, request: Request[Any, Any, Any], slug: FromPath[str]
    ) -> Response[PhoneOut]:
        """One phone with its body outline, cut-outs, screen, and the sizes of its files."""
        body = await _answers(request).phone(slug)
        return _json_answer(body)

    @get("/{slug:str}/mask.png", media_type="image/png")
    async def mask(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        kind: FromQuery[Kind] = Kind.SKIN,
        width: FromQuery[int] = 512,
    ) -> Response[bytes]:
        """The mask as a PNG: opaque inside the outline, clear outside it and in cut-outs."""
        png = await _answers(request).mask.execute(slug, kind, width)
        return Response(png, media_type="image/png", headers={"Cache-Control": MASK_CACHE})
