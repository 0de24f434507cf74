"""The repositories and the unit of work that keeps them in one transaction."""

from collections.abc import Collection, Sequence
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self
from uuid import UUID

from domain.designs import Design, DesignStatus, Upload
from domain.jobs import UpscaleJob
from domain.one_time_tokens import OneTimeToken, TokenPurpose
from domain.phones import PhoneModel
from domain.sessions import RefreshToken
from domain.users import User


class PhoneRepository(Protocol):
    """The phone catalog."""

    async def list(self, *, brand: str | None = None, query: str | None = None) -> list[PhoneModel]:
        """Phones ordered by brand, then year (newest first), then name.

        `brand` matches the brand's slug or name case-insensitively; `query` is a
        case-insensitive substring of the phone's name or slug.
        """
        ...

    async def get(self, slug: str) -> PhoneModel | None: ...

    async def upsert_many(self, phones: Sequence[PhoneModel]) -> None:
        """Insert new phones and update existing ones by slug; running it twice changes nothing."""
        ...


class DesignRepository(Protocol):
    async def add(self, design: Design) -> None: ...

    async def get(self, design_id: UUID) -> Design | None: ...

    async def save(self, design: Design) -> None:
        """Store the design's status, failure and variants as they are now."""
        ...

    async def list_for_owner(
        self, owner_id: UUID, *, now: datetime, limit: int = 50
    ) -> list[Design]:
        """The owner's designs not yet expired, newest first."""
        ...

    async def list_generating(self, *, created_before: datetime, limit: int) -> list[Design]:
        """Designs still generating that were created before `created_before`, oldest first."""
        ...

    async def count_for_owner_since(
        self, owner_id: UUID, since: datetime, statuses: Collection[DesignStatus]
    ) -> int:
        """How many of the owner's designs were created at or after `since` and are now in
        one of `statuses`, this unit of work's own additions included.

        Where the database has row locks (PostgreSQL) it also locks the owner against
        other counts until this unit of work ends, so a count followed by `add` in one
        unit of work is atomic per owner across processes.
        """
        ...


class UploadRepository(Protocol):
    async def add(self, upload: Upload) -> None: ...

    async def get(self, upload_id: UUID) -> Upload | None: ...


class UserRepository(Protocol):
    async def add(self, user: User) -> None:
        """Raises Conflict(code="email_taken") when the email is already registered."""
        ...

    async def get(self, user_id: UUID) -> User | None: ...

    async def get_by_email(self, email: str) -> User | None: ...

    async def get_by_google_subject(self, subject: str) -> User | None:
        """The user linked to this Google subject (`sub`); one user per subject."""
        ...

    async def link_google(self, user_id: UUID, subject: str) -> bool:
        """Link the user to the Google subject only if no subject is linked yet, decided
        by the database at the write, so of two links racing at most one wins; whether
        this one did. Conflict(code="user_exists") when the subject is another user's."""
        ...

    async def save(self, user: User) -> None:
        """Store the user as it is now, except that the session epoch never goes back: a
        copy read before the epoch was raised keeps the stored one."""
        ...


class JobRepository(Protocol):
    async def add(self, job: UpscaleJob) -> None: ...

    async def get(self, job_id: UUID) -> UpscaleJob | None: ...

    async def latest_for_variant(
        self, design_id: UUID, variant_index: int
    ) -> UpscaleJob | None: ...

    async def save(self, job: UpscaleJob) -> None: ...

    async def lease_next(
        self, worker: str, now: datetime, lease_seconds: float
    ) -> UpscaleJob | None:
        """Take the oldest due job whose lease is free or expired, leased to `worker`.

        Two callers never get the same job for the same lease.
        """
        ...

    async def extend_lease(self, job_id: UUID, worker: str, until: datetime) -> bool:
        """Push the lease of a job `worker` still holds to `until`, and commit at once.

        False when the worker no longer holds it (it expired and another took it, or
        the job ended): the caller must then stop working on the job.
        """
        ...


class RefreshTokenRepository(Protocol):
    """Refresh tokens by the SHA-256 digest of their value, grouped in families.

    Timestamps once set (consumed, revoked) are never cleared.
    """

    async def add(self, token: RefreshToken) -> None:
        """Raises Conflict(code="missing_reference") when the user does not exist."""
        ...

    async def get_by_hash(self, token_hash: str) -> RefreshToken | None: ...

    async def consume(self, token_hash: str, now: datetime) -> RefreshToken | None:
        """Mark the token consumed at `now` and return it, if it is live and no token of
        its family was revoked; None otherwise.

        Of two units of work consuming one token, at most one commits: the other's
        `consume` gives None, or its commit raises Conflict(code="token_spent").
        """
        ...

    async def revoke_family(self, family_id: UUID, now: datetime) -> int:
        """Revoke every token of the family not yet revoked; how many were."""
        ...

    async def revoke_all_for_user(self, user_id: UUID, now: datetime) -> int:
        """Revoke every token of every family of the user; how many were."""
        ...

    async def session_live(self, family_id: UUID, user_id: UUID, now: datetime) -> bool:
        """Whether the family is a session of this user, who still exists, that is still
        going at `now`: no token of the family revoked, and one not yet expired that was
        issued under the user's current session epoch.

        One read, by the family's index; every authenticated request makes it.
        """
        ...


class OneTimeTokenRepository(Protocol):
    """Password reset and email verification tokens, by the SHA-256 digest of their value."""

    async def add(self, token: OneTimeToken) -> None:
        """Raises Conflict(code="missing_reference") when the user does not exist."""
        ...

    async def void_for_user(self, user_id: UUID, purpose: TokenPurpose, now: datetime) -> int:
        """Mark used every redeemable token of the user and purpose; how many were."""
        ...

    async def consume(
        self, token_hash: str, purpose: TokenPurpose, now: datetime
    ) -> OneTimeToken | None:
        """Mark the token used at `now` and return it, if it has this purpose, is
        unused, unexpired and the newest of its user and purpose; None otherwise.

        Of two units of work consuming one token, at most one commits: the other's
        `consume` gives None, or its commit raises Conflict(code="token_spent").
        """
        ...


class UnitOfWork(Protocol):
    """One transaction over every repository; nothing is kept until `commit`."""

    @property
    def phones(self) -> PhoneRepository: ...

    @property
    def designs(self) -> DesignRepository: ...

    @property
    def uploads(self) -> UploadRepository: ...

    @property
    def users(self) -> UserRepository: ...

    @property
    def jobs(self) -> JobRepository: ...

    @property
    def refresh_tokens(self) -> RefreshTokenRepository: ...

    @property
    def one_time_tokens(self) -> OneTimeTokenRepository: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Roll back whatever was not committed."""
        ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> UnitOfWork: ...
