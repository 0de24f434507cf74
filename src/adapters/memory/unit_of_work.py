"""The in-memory unit of work: pending changes reach the store only on commit."""

from types import TracebackType
from typing import Self

from adapters.memory.repositories import (
    InMemoryDesignRepository,
    InMemoryJobRepository,
    InMemoryOneTimeTokenRepository,
    InMemoryPhoneRepository,
    InMemoryRefreshTokenRepository,
    InMemoryStore,
    InMemoryUploadRepository,
    InMemoryUserRepository,
)
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


class InMemoryUnitOfWork:
    """One transaction over the in-memory repositories.

    Rules: writes are staged and applied to the store all at once on `commit`;
    `rollback`, or leaving the block without committing, discards them. A commit
    that would give two users one email raises Conflict(code="email_taken") and
    applies nothing, and so does one that consumed a token another unit of work
    spent meanwhile (Conflict(code="token_spent")). `jobs.lease_next` commits the
    pending changes with its lease. The unit of work may be committed more than
    once; each commit applies what was staged since the last one.
    """

    def __init__(self, store: InMemoryStore) -> None:
        self._store = store
        self._pending = InMemoryStore()
        self.phones: PhoneRepository = InMemoryPhoneRepository(store, self._pending)
        self.designs: DesignRepository = InMemoryDesignRepository(store, self._pending)
        self.uploads: UploadRepository = InMemoryUploadRepository(store, self._pending)
        self.users: UserRepository = InMemoryUserRepository(store, self._pending)
        self.jobs: JobRepository = InMemoryJobRepository(store, self._pending)
        self.refresh_tokens: RefreshTokenRepository = InMemoryRefreshTokenRepository(
            store, self._pending
        )
        self.one_time_tokens: OneTimeTokenRepository = InMemoryOneTimeTokenRepository(
            store, self._pending
        )

    async def __aenter__(self) -> Self:
        self._pending.clear()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Discard whatever was not committed."""
        await self.rollback()

    async def commit(self) -> None:
        self._store.apply(self._pending)
        self._pending.clear()

    async def rollback(self) -> None:
        self._pending.clear()


class InMemoryUnitOfWorkFactory:
    """Makes a new unit of work over one shared store; use one store per process or test."""

    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def __call__(self) -> UnitOfWork:
        return InMemoryUnitOfWork(self._store)
