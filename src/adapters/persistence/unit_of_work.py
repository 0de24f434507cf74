"""The SQL unit of work: one AsyncSession, one transaction, committed on request."""

from collections.abc import Callable
from functools import cached_property
from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession

from adapters.persistence.designs import SqlAlchemyDesignRepository
from adapters.persistence.jobs import SqlAlchemyJobRepository
from adapters.persistence.one_time_tokens import SqlAlchemyOneTimeTokenRepository
from adapters.persistence.phones import SqlAlchemyPhoneRepository
from adapters.persistence.sessions import SqlAlchemyRefreshTokenRepository
from adapters.persistence.transaction import commit
from adapters.persistence.uploads import SqlAlchemyUploadRepository
from adapters.persistence.users import SqlAlchemyUserRepository
from application.ports import (
    DesignRepository,
    JobRepository,
    OneTimeTokenRepository,
    PhoneRepository,
    RefreshTokenRepository,
    UnitOfWork,
    UploadRepository,
    UserRepository,
)

SessionMaker = Callable[[], AsyncSession]


class SqlAlchemyUnitOfWork:
    """One transaction over the SQL repositories.

    Rules: repositories flush as they go, so a clash (a taken email, a missing
    owner) is raised by the call that causes it, as in memory; nothing is kept
    until `commit`; leaving the block rolls back whatever was not committed and
    closes the session. After a Conflict the unit of work must be rolled back
    before further use. `jobs.lease_next` commits on its own. Entities handed out
    are plain domain objects: changing one without `save()` changes nothing.
    """

    def __init__(self, session_maker: SessionMaker) -> None:
        self._session = session_maker()

    # Each repository is made on first use: most units of work touch one or two.
    @cached_property
    def phones(self) -> PhoneRepository:
        return SqlAlchemyPhoneRepository(self._session)

    @cached_property
    def designs(self) -> DesignRepository:
        return SqlAlchemyDesignRepository(self._session)

    @cached_property
    def uploads(self) -> UploadRepository:
        return SqlAlchemyUploadRepository(self._session)

    @cached_property
    def users(self) -> UserRepository:
        return SqlAlchemyUserRepository(self._session)

    @cached_property
    def jobs(self) -> JobRepository:
        return SqlAlchemyJobRepository(self._session)

    @cached_property
    def refresh_tokens(self) -> RefreshTokenRepository:
        return SqlAlchemyRefreshTokenRepository(self._session)

    @cached_property
    def one_time_tokens(self) -> OneTimeTokenRepository:
        return SqlAlchemyOneTimeTokenRepository(self._session)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Roll back whatever was not committed, and give the connection back."""
        try:
            await self._session.rollback()
        finally:
            await self._session.close()

    async def commit(self) -> None:
        await commit(self._session)

    async def rollback(self) -> None:
        await self._session.rollback()


class SqlAlchemyUnitOfWorkFactory:
    """Makes a new unit of work, with a new session, from a session maker."""

    def __init__(self, session_maker: SessionMaker) -> None:
        self._session_maker = session_maker

    def __call__(self) -> UnitOfWork:
        return SqlAlchemyUnitOfWork(self._session_maker)
