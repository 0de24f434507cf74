"""Mailed single-use tokens (password reset, email verification) in SQL.

Consuming is one conditional UPDATE, checked by its row count, as for refresh
tokens (see `adapters.persistence.sessions`). It also requires that no newer
token of the same user and purpose exists, so two reset mails asked for at the
same moment still leave only the newest link working.
"""

from datetime import datetime
from typing import Any, cast
from uuid import UUID

from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from sqlalchemy import CursorResult, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from adapters.persistence.errors import integrity_as_conflict
from adapters.persistence.mapping import one_time_token_from_row, one_time_token_values
from adapters.persistence.models import OneTimeTokenRow
from domain.one_time_tokens import OneTimeToken, TokenPurpose


class OneTimeTokenRows(SQLAlchemyAsyncRepository[OneTimeTokenRow]):
    model_type = OneTimeTokenRow


class SqlAlchemyOneTimeTokenRepository:
    """One-time tokens by digest; a token's user must exist."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._rows = OneTimeTokenRows(session=session, auto_refresh=False)

    async def add(self, token: OneTimeToken) -> None:
        """Raises Conflict(code="missing_reference") for an unknown user."""
        with integrity_as_conflict("one_time_token"):
            await self._rows.add(OneTimeTokenRow(**one_time_token_values(token)))

    async def void_for_user(self, user_id: UUID, purpose: TokenPurpose, now: datetime) -> int:
        """Mark used every unused token of the user and purpose."""
        statement = (
            update(OneTimeTokenRow)
            .where(
                OneTimeTokenRow.user_id == user_id,
                OneTimeTokenRow.purpose == purpose.value,
                OneTimeTokenRow.used_at.is_(None),
            )
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
        result = cast(CursorResult[Any], await self._session.execute(statement))
        return result.rowcount

    async def consume(
        self, token_hash: str, purpose: TokenPurpose, now: datetime
    ) -> OneTimeToken | None:
        """Mark the token used, if it is unused, unexpired and the newest of its kind."""
        newer = aliased(OneTimeTokenRow)
        superseded = exists().where(
            newer.user_id == OneTimeTokenRow.user_id,
            newer.purpose == OneTimeTokenRow.purpose,
            newer.created_at > OneTimeTokenRow.created_at,
        )
        statement = (
            update(OneTimeTokenRow)
            .where(
                OneTimeTokenRow.token_hash == token_hash,
                OneTimeTokenRow.purpose == purpose.value,
                OneTimeTokenRow.used_at.is_(None),
                OneTimeTokenRow.expires_at > now,
                ~superseded,
            )
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
        result = cast(CursorResult[Any], await self._session.execute(statement))
        if result.rowcount != 1:
            return None

        found = (
            select(OneTimeTokenRow)
            .where(OneTimeTokenRow.token_hash == token_hash)
            .execution_options(populate_existing=True)
        )
        row = (await self._session.execute(found)).scalar_one()
        return one_time_token_from_row(row)
