"""Refresh tokens in SQL.

Consuming is one conditional UPDATE, checked by its row count: it matches only a
live token of a family with no revoked token. On PostgreSQL a second consumer of
the same row waits for the first to commit, then matches nothing; on SQLite the
UPDATE opens the write transaction, so writers take turns and the second sees
the first's commit.
"""

from datetime import datetime
from typing import Any, cast
from uuid import UUID

from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from sqlalchemy import CursorResult, Update, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from adapters.persistence.errors import integrity_as_conflict
from adapters.persistence.mapping import refresh_token_from_row, refresh_token_values
from adapters.persistence.models import RefreshTokenRow, UserRow
from domain.sessions import RefreshToken


class RefreshTokenRows(SQLAlchemyAsyncRepository[RefreshTokenRow]):
    model_type = RefreshTokenRow


class SqlAlchemyRefreshTokenRepository:
    """Refresh tokens by digest and family; a token's user must exist."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._rows = RefreshTokenRows(session=session, auto_refresh=False)

    async def add(self, token: RefreshToken) -> None:
        """Raises Conflict(code="missing_reference") for an unknown user."""
        with integrity_as_conflict("refresh_token"):
            await self._rows.add(RefreshTokenRow(**refresh_token_values(token)))

    async def get_by_hash(self, token_hash: str) -> RefreshToken | None:
        statement = (
            select(RefreshTokenRow)
            .where(RefreshTokenRow.token_hash == token_hash)
            .execution_options(populate_existing=True)
        )
        row = (await self._session.execute(statement)).scalar_one_or_none()
        return refresh_token_from_row(row) if row is not None else None

    async def consume(self, token_hash: str, now: datetime) -> RefreshToken | None:
        """Mark the token consumed, if it is live and its family was never revoked."""
        revoked = aliased(RefreshTokenRow)
        family_revoked = exists().where(
            revoked.family_id == RefreshTokenRow.family_id, revoked.revoked_at.is_not(None)
        )
        statement = (
            update(RefreshTokenRow)
            .where(
                RefreshTokenRow.token_hash == token_hash,
                RefreshTokenRow.consumed_at.is_(None),
                RefreshTokenRow.revoked_at.is_(None),
                RefreshTokenRow.expires_at > now,
                ~family_revoked,
            )
            .values(consumed_at=now)
        )
        if await self._changed(statement) != 1:
            return None
        return await self.get_by_hash(token_hash)

    async def revoke_family(self, family_id: UUID, now: datetime) -> int:
        statement = update(RefreshTokenRow).where(
            RefreshTokenRow.family_id == family_id, RefreshTokenRow.revoked_at.is_(None)
        )
        return await self._changed(statement.values(revoked_at=now))

    async def revoke_all_for_user(self, user_id: UUID, now: datetime) -> int:
        statement = update(RefreshTokenRow).where(
            RefreshTokenRow.user_id == user_id, RefreshTokenRow.revoked_at.is_(None)
        )
        return await self._changed(statement.values(revoked_at=now))

    async def session_live(self, family_id: UUID, user_id: UUID, now: datetime) -> bool:
        """One EXISTS over the family's index, joined to the user's row for its epoch."""
        revoked = aliased(RefreshTokenRow)
        family_revoked = exists().where(
            revoked.family_id == family_id, revoked.revoked_at.is_not(None)
        )
        live = exists().where(
            RefreshTokenRow.family_id == family_id,
            RefreshTokenRow.user_id == user_id,
            RefreshTokenRow.expires_at > now,
            UserRow.id == RefreshTokenRow.user_id,
            UserRow.session_epoch == RefreshTokenRow.session_epoch,
            ~family_revoked,
        )
        return bool((await self._session.execute(select(live))).scalar())

    async def _changed(self, statement: Update) -> int:
        options = statement.execution_options(synchronize_session=False)
        result = cast(CursorResult[Any], await self._session.execute(options))
        return result.rowcount
