"""Designs and their variants in SQL."""

from collections.abc import Collection
from datetime import datetime
from uuid import UUID

from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.persistence.errors import integrity_as_conflict
from adapters.persistence.mapping import design_from_row, write_design
from adapters.persistence.models import DesignRow, UserRow
from domain.designs import Design, DesignStatus
from domain.errors import NotFound


class DesignRows(SQLAlchemyAsyncRepository[DesignRow]):
    model_type = DesignRow


class SqlAlchemyDesignRepository:
    """Designs by id; the variants are stored whole with their design.

    A design's owner must exist (Conflict(code="missing_reference") otherwise).
    On PostgreSQL, `count_for_owner_since` locks the owner's row (FOR NO KEY UPDATE,
    which leaves foreign-key checks of other inserts free) until the transaction ends.
    """

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._rows = DesignRows(session=session, auto_refresh=False)

    async def add(self, design: Design) -> None:
        """Raises Conflict(code="design_exists") for an id already taken."""
        row = DesignRow()
        write_design(row, design)

        with integrity_as_conflict("design"):
            await self._rows.add(row)

    async def get(self, design_id: UUID) -> Design | None:
        row = await self._rows.get_one_or_none(DesignRow.id == design_id)
        return design_from_row(row) if row is not None else None

    async def save(self, design: Design) -> None:
        """Store the whole design as it is now; raises NotFound for an unknown design."""
        row = await self._rows.get_one_or_none(DesignRow.id == design.id)
        if row is None:
            raise NotFound(f"Design {design.id} does not exist.", code="design_not_found")

        write_design(row, design)
        with integrity_as_conflict("design"):
            await self._session.flush()

    async def list_for_owner(
        self, owner_id: UUID, *, now: datetime, limit: int = 50
    ) -> list[Design]:
        """The owner's designs whose `expires_at` is after `now`, newest first."""
        statement = (
            select(DesignRow)
            .where(DesignRow.owner_id == owner_id, DesignRow.expires_at > now)
            .order_by(DesignRow.created_at.desc(), DesignRow.id.desc())
            .limit(max(0, limit))
        )
        rows = (await self._session.execute(statement)).scalars().all()
        return [design_from_row(row) for row in rows]

    async def list_generating(self, *, created_before: datetime, limit: int) -> list[Design]:
        """Designs still generating created before `created_before`, oldest first."""
        statement = (
            select(DesignRow)
            .where(
                DesignRow.status == DesignStatus.GENERATING.value,
                DesignRow.created_at < created_before,
            )
            .order_by(DesignRow.created_at, DesignRow.id)
            .limit(max(0, limit))
        )
        rows = (await self._session.execute(statement)).scalars().all()
        return [design_from_row(row) for row in rows]

    async def count_for_owner_since(
        self, owner_id: UUID, since: datetime, statuses: Collection[DesignStatus]
    ) -> int:
        """The owner's designs created at or after `since` in one of `statuses`; on
        PostgreSQL the owner's row stays locked against other counts until the transaction
        ends. SQLite has no row locks, so there the count locks nothing."""
        await self._lock_owner(owner_id)
        statement = (
            select(func.count())
            .select_from(DesignRow)
            .where(
                DesignRow.owner_id == owner_id,
                DesignRow.created_at >= since,
                DesignRow.status.in_([status.value for status in statuses]),
            )
        )
        return int((await self._session.execute(statement)).scalar_one())

    async def _lock_owner(self, owner_id: UUID) -> None:
        bind = self._session.bind
        if bind is None or bind.dialect.name != "postgresql":
            return
        statement = select(UserRow.id).where(UserRow.id == owner_id).with_for_update(key_share=True)
        await self._session.execute(statement)
