"""Users in SQL; the unique index on `users.email` is what keeps an email to one account."""

from uuid import UUID

from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from sqlalchemy import update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.persistence.errors import integrity_as_conflict
from adapters.persistence.mapping import user_from_row, write_user
from adapters.persistence.models import UserRow
from domain.errors import NotFound
from domain.users import User


class UserRows(SQLAlchemyAsyncRepository[UserRow]):
    model_type = UserRow


class SqlAlchemyUserRepository:
    """Users by id or email.

    Emails are compared as stored: callers pass them through
    `domain.users.normalise_email` first.
    """

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._rows = UserRows(session=session, auto_refresh=False)

    async def add(self, user: User) -> None:
        """Raises Conflict(code="email_taken") when the email is already registered."""
        row = UserRow()
        write_user(row, user)

        with integrity_as_conflict("user"):
            await self._rows.add(row)

    async def get(self, user_id: UUID) -> User | None:
        row = await self._rows.get_one_or_none(UserRow.id == user_id)
        return user_from_row(row) if row is not None else None

    async def get_by_email(self, email: str) -> User | None:
        row = await self._rows.get_one_or_none(UserRow.email == email)
        return user_from_row(row) if row is not None else None

    async def get_by_google_subject(self, subject: str) -> User | None:
        row = await self._rows.get_one_or_none(UserRow.google_subject == subject)
        return user_from_row(row) if row is not None else None

    async def link_google(self, user_id: UUID, subject: str) -> bool:
        """One conditional UPDATE: a racing link waits for the first to commit (a row lock
        on PostgreSQL, the write lock on SQLite), then finds the subject set and changes
        nothing."""
        statement = (
            update(UserRow)
            .where(UserRow.id == user_id, UserRow.google_subject.is_(None))
            .values(google_subject=subject)
            .execution_options(synchronize_session=False)
        )
        with integrity_as_conflict("user"):
            result = await self._session.execute(statement)
        return isinstance(result, CursorResult) and result.rowcount == 1

    async def save(self, user: User) -> None:
        """Store the user as it is now, its session epoch never lowered; NotFound when
        unknown, Conflict on a taken email."""
        row = await self._rows.get_one_or_none(UserRow.id == user.id)
        if row is None:
            raise NotFound(f"User {user.id} does not exist.", code="user_not_found")

        write_user(row, user)
        with integrity_as_conflict("user"):
            await self._session.flush()
