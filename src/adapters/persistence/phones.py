"""The phone catalog in SQL."""

from collections.abc import Sequence
from uuid import uuid4

from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from adapters.persistence.errors import integrity_as_conflict
from adapters.persistence.mapping import phone_from_row, phone_values
from adapters.persistence.models import PhoneRow
from domain.phones import PhoneModel

# Rows per INSERT: 16 columns each stays far below SQLite's 32766 bound parameters.
UPSERT_CHUNK = 200


class PhoneRows(SQLAlchemyAsyncRepository[PhoneRow]):
    model_type = PhoneRow


class SqlAlchemyPhoneRepository:
    """Phones by slug.

    `upsert_many` is one INSERT ... ON CONFLICT (slug) DO UPDATE per chunk, on
    PostgreSQL and SQLite alike: concurrent seeders do not clash, and a phone keeps
    its row id for good. Brand and query matching lower-cases ASCII only in SQLite.
    """

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._rows = PhoneRows(session=session, auto_refresh=False)

    def _text_order(self, column: InstrumentedAttribute[str]) -> ColumnElement[str]:
        # PostgreSQL's locale collation skips spaces and punctuation; "C" sorts as
        # Python and SQLite do, so every adapter lists phones in one order.
        lowered = func.lower(column)
        return lowered.collate("C") if self._is_postgresql() else lowered

    async def list(self, *, brand: str | None = None, query: str | None = None) -> list[PhoneModel]:
        """Phones ordered by brand, year (newest first), name, then slug."""
        statement = select(PhoneRow)
        if brand and brand.strip():
            wanted = brand.strip().lower()
            statement = statement.where(
                or_(PhoneRow.brand_slug == wanted, func.lower(PhoneRow.brand) == wanted)
            )
        if query and query.strip():
            needle = query.strip().lower()
            statement = statement.where(
                or_(
                    func.lower(PhoneRow.name).contains(needle, autoescape=True),
                    PhoneRow.slug.contains(needle, autoescape=True),
                )
            )
        statement = statement.order_by(
            self._text_order(PhoneRow.brand),
            PhoneRow.year.desc(),
            self._text_order(PhoneRow.name),
            PhoneRow.slug,
        )

        rows = (await self._session.execute(statement)).scalars().all()
        return [phone_from_row(row) for row in rows]

    async def get(self, slug: str) -> PhoneModel | None:
        row = await self._rows.get_one_or_none(PhoneRow.slug == slug)
        return phone_from_row(row) if row is not None else None

    async def upsert_many(self, phones: Sequence[PhoneModel]) -> None:
        """Insert new phones and update existing ones by slug; the last of a repeated slug wins."""
        by_slug = {phone.slug: phone_values(phone) for phone in phones}
        values = [{"id": uuid4(), **row} for row in by_slug.values()]
        insert = postgresql.insert if self._is_postgresql() else sqlite.insert

        for start in range(0, len(values), UPSERT_CHUNK):
            statement = insert(PhoneRow).values(values[start : start + UPSERT_CHUNK])
            updated = {
                name: statement.excluded[name] for name in values[0] if name not in ("id", "slug")
            }
            statement = statement.on_conflict_do_update(
                index_elements=[PhoneRow.slug], set_=updated
            )
            with integrity_as_conflict("phone"):
                await self._session.execute(statement)
        self._session.expire_all()

    def _is_postgresql(self) -> bool:
        bind = self._session.bind
        return bind is not None and bind.dialect.name == "postgresql"
