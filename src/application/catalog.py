"""Catalog use cases: brands, phones, one phone, its mask; and loading the catalog."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from application.ports import ImageProcessor, UnitOfWorkFactory
from domain.errors import InvalidInput, NotFound
from domain.geometry import Kind
from domain.phones import PhoneModel, slugify

logger = logging.getLogger(__name__)

MIN_MASK_WIDTH = 16
MAX_MASK_WIDTH = 4096


@dataclass(frozen=True, slots=True)
class Brand:
    slug: str
    name: str
    phone_count: int


def display_order(phone: PhoneModel) -> tuple[str, int, str]:
    """Brand, then newest first, then name."""
    return (phone.brand.lower(), -phone.year, phone.name.lower())


class PhoneDirectory:
    """The catalog held in memory, read from the repository once and on each reload.

    Catalog reads are the hottest path of the service and the catalog changes only
    when it is loaded again, so every read is served from this copy.
    """

    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory
        self._phones: tuple[PhoneModel, ...] | None = None
        self._by_slug: dict[str, PhoneModel] = {}
        self.version = 0

    async def reload(self) -> None:
        """Read the catalog again; `version` changes so that anything derived from it is redone."""
        async with self._uow_factory() as uow:
            phones = await uow.phones.list()
        self._phones = tuple(sorted(phones, key=display_order))
        self._by_slug = {phone.slug: phone for phone in phones}
        self.version += 1

    async def all(self) -> tuple[PhoneModel, ...]:
        if self._phones is None:
            await self.reload()
        assert self._phones is not None
        return self._phones

    async def get(self, slug: str) -> PhoneModel:
        if self._phones is None:
            await self.reload()
        phone = self._by_slug.get(slug)
        if phone is None:
            raise NotFound(f"No phone with the slug {slug!r}.", code="phone_not_found")
        return phone


class LoadCatalog:
    """Write the packaged catalog into the repository.

    Rules: phones are matched by slug, so loading twice leaves the same rows; the
    in-memory directory is reloaded afterwards.
    """

    def __init__(self, uow_factory: UnitOfWorkFactory, directory: PhoneDirectory) -> None:
        self._uow_factory = uow_factory
        self._directory = directory

    async def execute(self, phones: Sequence[PhoneModel]) -> int:
        async with self._uow_factory() as uow:
            await uow.phones.upsert_many(phones)
            await uow.commit()
        await self._directory.reload()
        logger.info("catalog loaded phones=%d", len(phones))
        return len(phones)


class ListBrands:
    """Every brand of the catalog with how many phones it has, by name."""

    def __init__(self, directory: PhoneDirectory) -> None:
        self._directory = directory

    async def execute(self) -> list[Brand]:
        counts: dict[str, Brand] = {}
        for phone in await self._directory.all():
            known = counts.get(phone.brand_slug)
            count = known.phone_count + 1 if known else 1
            counts[phone.brand_slug] = Brand(phone.brand_slug, phone.brand, count)
        return sorted(counts.values(), key=lambda brand: brand.name.lower())


class ListPhones:
    """Phones of the catalog, by brand (slug or name) and a text query, newest first."""

    def __init__(self, directory: PhoneDirectory) -> None:
        self._directory = directory

    async def execute(
        self, *, brand: str | None = None, query: str | None = None
    ) -> list[PhoneModel]:
        phones = list(await self._directory.all())
        if brand:
            wanted = slugify(brand)
            phones = [p for p in phones if p.brand_slug == wanted]
        if query:
            needle = query.strip().lower()
            phones = [p for p in phones if needle in p.name.lower() or needle in p.slug]
        return phones


class ShowPhone:
    """One phone with its geometry; an unknown slug is NotFound."""

    def __init__(self, directory: PhoneDirectory) -> None:
        self._directory = directory

    async def execute(self, slug: str) -> PhoneModel:
        return await self._directory.get(slug)


class RenderMask:
    """The phone's mask as a PNG at a width from 16 to 4096 px; cached by the processor."""

    def __init__(self, directory: PhoneDirectory, images: ImageProcessor) -> None:
        self._directory = directory
        self._images = images

    async def execute(self, slug: str, kind: Kind, width: int) -> bytes:
        if not MIN_MASK_WIDTH <= width <= MAX_MASK_WIDTH:
            raise InvalidInput(
                f"The width must be from {MIN_MASK_WIDTH} to {MAX_MASK_WIDTH} px.",
                code="width_out_of_range",
                field="width",
            )
        phone = await self._directory.get(slug)
        return await self._images.mask(phone, kind, width)
