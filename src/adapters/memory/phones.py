"""Phones over plain dicts (see adapters.memory.store)."""

from collections.abc import Sequence

from adapters.memory.store import (
    View,
    copied,
)
from domain.phones import PhoneModel


class InMemoryPhoneRepository(View):
    async def list(self, *, brand: str | None = None, query: str | None = None) -> list[PhoneModel]:
        """Phones ordered by brand, year (newest first), name, then slug; filters ignore case."""
        phones = list({**self._store.phones, **self._pending.phones}.values())
        if brand and brand.strip():
            wanted = brand.strip().lower()
            phones = [p for p in phones if wanted in (p.brand_slug, p.brand.lower())]
        if query and query.strip():
            needle = query.strip().lower()
            phones = [p for p in phones if needle in p.name.lower() or needle in p.slug]
        ordered = sorted(phones, key=lambda p: (p.brand.lower(), -p.year, p.name.lower(), p.slug))
        return [copied(p) for p in ordered]

    async def get(self, slug: str) -> PhoneModel | None:
        phone = self._pending.phones.get(slug) or self._store.phones.get(slug)
        return copied(phone) if phone is not None else None

    async def upsert_many(self, phones: Sequence[PhoneModel]) -> None:
        """Insert new phones and replace existing ones by slug; idempotent."""
        for phone in phones:
            self._pending.phones[phone.slug] = copied(phone)
