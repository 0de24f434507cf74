"""Repositories over plain dicts, for the embedded mode and the tests.

Entities are deep-copied on the way in and on the way out, so an object a caller
holds is never the stored one: changing it without `save()` changes nothing, as
with the SQL adapter. Writes go to the unit of work's pending changes, and reach
the shared `InMemoryStore` only when the unit of work commits.

References are checked as the SQL foreign keys check them: a design's owner and
upload, an upload's owner, a job's design and a token's user must exist, or the
call raises Conflict(code="missing_reference").

Consuming a token is checked again at commit: when another unit of work spent or
revoked it in between, the commit raises Conflict(code="token_spent") and applies
nothing, so of two consumers of one token at most one commits, as in SQL. A
token's consumed, used and revoked times, once stored, are never cleared by a
later commit of an older copy.

Known limits: isolation is read-committed with the last commit winning; timestamps
come back with the offset they were given (the SQL adapter returns them in UTC);
nothing survives the process.
"""

import copy
import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TypeVar
from uuid import UUID

from domain.designs import Design, DesignStatus, Upload
from domain.errors import Conflict, NotFound
from domain.jobs import JobStatus, UpscaleJob
from domain.one_time_tokens import OneTimeToken, TokenPurpose
from domain.phones import PhoneModel
from domain.sessions import RefreshToken
from domain.users import User

logger = logging.getLogger(__name__)

ALREADY_QUEUED = "upscale_already_queued"

_T = TypeVar("_T")


def _copy(entity: _T) -> _T:
    return copy.deepcopy(entity)


@dataclass
class InMemoryStore:
    """Every committed row of one process (or one test), by key.

    The same shape holds a unit of work's pending changes before they are applied.
    """

    phones: dict[str, PhoneModel] = field(default_factory=dict)
    designs: dict[UUID, Design] = field(default_factory=dict)
    uploads: dict[UUID, Upload] = field(default_factory=dict)
    users: dict[UUID, User] = field(default_factory=dict)
    jobs: dict[UUID, UpscaleJob] = field(default_factory=dict)
    refresh_tokens: dict[UUID, RefreshToken] = field(default_factory=dict)
    one_time_tokens: dict[UUID, OneTimeToken] = field(default_factory=dict)
    # Tokens the pending changes consumed; the store itself keeps this empty.
    claimed: set[UUID] = field(default_factory=set)

    def apply(self, changes: "InMemoryStore") -> None:
        """Apply `changes` all at once, or none of them when an email is taken or a
        consumed token was spent meanwhile.

        It never awaits, so it is atomic for the coroutines sharing the store.
        """
        for user in changes.users.values():
            if _email_owner(self.users, user.email, exclude=user.id) is not None:
                raise Conflict("The email is already registered.", code="email_taken")
        if any(self._spent(token_id) for token_id in changes.claimed):
            raise Conflict("The token was already used.", code="token_spent")
        self.phones.update(changes.phones)
        self.designs.update(changes.designs)
        self.uploads.update(changes.uploads)
        self.users.update(changes.users)
        self.jobs.update(changes.jobs)
        for refresh in changes.refresh_tokens.values():
            self.refresh_tokens[refresh.id] = _keep_stamps(
                self.refresh_tokens.get(refresh.id), refresh
            )
        for mailed in changes.one_time_tokens.values():
            stored = self.one_time_tokens.get(mailed.id)
            used_at = (stored.used_at if stored else None) or mailed.used_at
            self.one_time_tokens[mailed.id] = replace(mailed, used_at=used_at)

    def _spent(self, token_id: UUID) -> bool:
        refresh = self.refresh_tokens.get(token_id)
        if refresh is not None:
            return refresh.consumed_at is not None or refresh.revoked_at is not None
        mailed = self.one_time_tokens.get(token_id)
        return mailed is not None and mailed.used_at is not None

    def clear(self) -> None:
        self.phones.clear()
        self.designs.clear()
        self.uploads.clear()
        self.users.clear()
        self.jobs.clear()
        self.refresh_tokens.clear()
        self.one_time_tokens.clear()
        self.claimed.clear()


def _missing_reference(entity: str) -> Conflict:
    return Conflict(
        f"The {entity} refers to something that does not exist.", code="missing_reference"
    )


def _keep_stamps(stored: RefreshToken | None, new: RefreshToken) -> RefreshToken:
    if stored is None:
        return new
    return replace(
        new,
        consumed_at=stored.consumed_at or new.consumed_at,
        revoked_at=stored.revoked_at or new.revoked_at,
    )


def _check_google_subject(users: dict[UUID, User], user: User) -> None:
    """One account per Google subject, as the SQL adapter's unique index keeps it."""
    if user.google_subject is None:
        return
    if any(u.google_subject == user.google_subject and u.id != user.id for u in users.values()):
        raise Conflict("The Google account is linked to another user.", code="user_exists")


def _email_owner(users: dict[UUID, User], email: str, *, exclude: UUID) -> User | None:
    return next((u for u in users.values() if u.email == email and u.id != exclude), None)


class _View:
    """What one unit of work sees: the store, overlaid with its own pending changes."""

    def __init__(self, store: InMemoryStore, pending: InMemoryStore) -> None:
        self._store = store
        self._pending = pending


class InMemoryPhoneRepository(_View):
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
        return [_copy(p) for p in ordered]

    async def get(self, slug: str) -> PhoneModel | None:
        phone = self._pending.phones.get(slug) or self._store.phones.get(slug)
        return _copy(phone) if phone is not None else None

    async def upsert_many(self, phones: Sequence[PhoneModel]) -> None:
        """Insert new phones and replace existing ones by slug; idempotent."""
        for phone in phones:
            self._pending.phones[phone.slug] = _copy(phone)


class InMemoryDesignRepository(_View):
    def _find(self, design_id: UUID) -> Design | None:
        return self._pending.designs.get(design_id) or self._store.designs.get(design_id)

    async def add(self, design: Design) -> None:
        """Raises Conflict(code="design_exists") for an id already taken."""
        if self._find(design.id) is not None:
            raise Conflict(f"Design {design.id} already exists.", code="design_exists")
        if design.owner_id not in self._store.users and design.owner_id not in self._pending.users:
            raise _missing_reference("design")
        if design.upload_id is not None and not (
            design.upload_id in self._store.uploads or design.upload_id in self._pending.uploads
        ):
            raise _missing_reference("design")
        self._pending.designs[design.id] = _copy(design)

    async def get(self, design_id: UUID) -> Design | None:
        design = self._find(design_id)
        return _copy(design) if design is not None else None

    async def save(self, design: Design) -> None:
        """Store the whole design as it is now; raises NotFound for an unknown design."""
        if self._find(design.id) is None:
            raise NotFound(f"Design {design.id} does not exist.", code="design_not_found")
        self._pending.designs[design.id] = _copy(design)

    async def list_for_owner(
        self, owner_id: UUID, *, now: datetime, limit: int = 50
    ) -> list[Design]:
        """The owner's designs whose `expires_at` is after `now`, newest first."""
        designs = {**self._store.designs, **self._pending.designs}.values()
        kept = [d for d in designs if d.owner_id == owner_id and d.expires_at > now]
        kept.sort(key=lambda d: (d.created_at, d.id), reverse=True)
        return [_copy(d) for d in kept[: max(0, limit)]]

    async def list_generating(self, *, created_before: datetime, limit: int) -> list[Design]:
        """Designs still generating created before `created_before`, oldest first."""
        designs = {**self._store.designs, **self._pending.designs}.values()
        pending = [
            d
            for d in designs
            if d.status is DesignStatus.GENERATING and d.created_at < created_before
        ]
        pending.sort(key=lambda d: (d.created_at, d.id))
        return [_copy(d) for d in pending[: max(0, limit)]]

    async def count_for_owner_since(
        self, owner_id: UUID, since: datetime, statuses: Collection[DesignStatus]
    ) -> int:
        """The owner's designs created at or after `since` in one of `statuses`.

        Takes no lock: callers serialise in the process (see application.limits).
        """
        designs = {**self._store.designs, **self._pending.designs}.values()
        return sum(
            1
            for d in designs
            if d.owner_id == owner_id and d.created_at >= since and d.status in statuses
        )


class InMemoryUploadRepository(_View):
    async def add(self, upload: Upload) -> None:
        """Raises Conflict(code="upload_exists") for an id already taken."""
        if upload.id in self._pending.uploads or upload.id in self._store.uploads:
            raise Conflict(f"Upload {upload.id} already exists.", code="upload_exists")
        if upload.owner_id not in self._store.users and upload.owner_id not in self._pending.users:
            raise _missing_reference("upload")
        self._pending.uploads[upload.id] = _copy(upload)

    async def get(self, upload_id: UUID) -> Upload | None:
        upload = self._pending.uploads.get(upload_id) or self._store.uploads.get(upload_id)
        return _copy(upload) if upload is not None else None


class InMemoryUserRepository(_View):
    def _visible(self) -> dict[UUID, User]:
        return {**self._store.users, **self._pending.users}

    async def add(self, user: User) -> None:
        """Raises Conflict(code="email_taken") when the email is already registered.

        Emails are compared as stored: callers pass them through
        `domain.users.normalise_email` first.
        """
        users = self._visible()
        if user.id in users:
            raise Conflict(f"User {user.id} already exists.", code="user_exists")
        if _email_owner(users, user.email, exclude=user.id) is not None:
            raise Conflict("The email is already registered.", code="email_taken")
        _check_google_subject(users, user)
        self._pending.users[user.id] = _copy(user)

    async def get(self, user_id: UUID) -> User | None:
        user = self._visible().get(user_id)
        return _copy(user) if user is not None else None

    async def get_by_email(self, email: str) -> User | None:
        user = next((u for u in self._visible().values() if u.email == email), None)
        return _copy(user) if user is not None else None

    async def get_by_google_subject(self, subject: str) -> User | None:
        user = next((u for u in self._visible().values() if u.google_subject == subject), None)
        return _copy(user) if user is not None else None

    async def save(self, user: User) -> None:
        """Store the user as it is now; NotFound when unknown, Conflict on a taken email."""
        users = self._visible()
        if user.id not in users:
            raise NotFound(f"User {user.id} does not exist.", code="user_not_found")
        if _email_owner(users, user.email, exclude=user.id) is not None:
            raise Conflict("The email is already registered.", code="email_taken")
        _check_google_subject(users, user)
        self._pending.users[user.id] = _copy(user)


class InMemoryJobRepository(_View):
    """Upscale jobs.

    `lease_next` commits: it applies the unit of work's pending changes and the
    lease to the store at once, so the lease holds even if the caller later fails,
    as the SQL adapter's does. Call it in a unit of work of its own.
    """

    def _visible(self) -> dict[UUID, UpscaleJob]:
        return {**self._store.jobs, **self._pending.jobs}

    async def add(self, job: UpscaleJob) -> None:
        """Raises Conflict(code="job_exists") for an id already taken."""
        if job.id in self._visible():
            raise Conflict(f"Job {job.id} already exists.", code="job_exists")
        if job.design_id not in self._store.designs and job.design_id not in self._pending.designs:
            raise _missing_reference("job")
        if job.status is not JobStatus.FAILED and any(
            j.design_id == job.design_id
            and j.variant_index == job.variant_index
            and j.status is not JobStatus.FAILED
            for j in self._visible().values()
        ):
            raise Conflict(
                "The variant's upscale is already queued.", code="upscale_already_queued"
            )
        self._pending.jobs[job.id] = _copy(job)

    async def get(self, job_id: UUID) -> UpscaleJob | None:
        job = self._visible().get(job_id)
        return _copy(job) if job is not None else None

    async def latest_for_variant(self, design_id: UUID, variant_index: int) -> UpscaleJob | None:
        """The variant's most recently created job."""
        jobs = [
            j
            for j in self._visible().values()
            if j.design_id == design_id and j.variant_index == variant_index
        ]
        latest = max(jobs, key=lambda j: (j.created_at, j.id), default=None)
        return _copy(latest) if latest is not None else None

    async def save(self, job: UpscaleJob) -> None:
        """Store the job as it is now; raises NotFound for an unknown job."""
        if job.id not in self._visible():
            raise NotFound(f"Job {job.id} does not exist.", code="job_not_found")
        self._pending.jobs[job.id] = _copy(job)

    async def lease_next(
        self, worker: str, now: datetime, lease_seconds: float
    ) -> UpscaleJob | None:
        """Lease the oldest due job (by next attempt, then creation) and commit at once.

        Nothing awaits between choosing the job and storing its lease, so two
        coroutines never lease the same job.
        """
        self._store.apply(self._pending)
        self._pending.clear()

        due = [j for j in self._store.jobs.values() if j.can_lease(now)]
        if not due:
            return None
        job = min(due, key=lambda j: (j.next_attempt_at, j.created_at, j.id))
        job.lease(worker, now, timedelta(seconds=lease_seconds))

        logger.debug("job leased job_id=%s worker=%s attempt=%s", job.id, worker, job.attempts)
        return _copy(job)

    async def extend_lease(self, job_id: UUID, worker: str, until: datetime) -> bool:
        """Push the lease on, committing at once, while `worker` still holds it."""
        self._store.apply(self._pending)
        self._pending.clear()

        job = self._store.jobs.get(job_id)
        if job is None or job.status.terminal or job.lease_owner != worker:
            return False
        job.lease_expires_at = until
        return True


class InMemoryRefreshTokenRepository(_View):
    def _visible(self) -> dict[UUID, RefreshToken]:
        return {**self._store.refresh_tokens, **self._pending.refresh_tokens}

    def _by_hash(self, token_hash: str) -> RefreshToken | None:
        return next((t for t in self._visible().values() if t.token_hash == token_hash), None)

    async def add(self, token: RefreshToken) -> None:
        """Raises Conflict(code="missing_reference") for an unknown user."""
        if token.id in self._visible() or self._by_hash(token.token_hash) is not None:
            raise Conflict("The refresh token already exists.", code="refresh_token_exists")
        if token.user_id not in self._store.users and token.user_id not in self._pending.users:
            raise _missing_reference("refresh token")
        self._pending.refresh_tokens[token.id] = _copy(token)

    async def get_by_hash(self, token_hash: str) -> RefreshToken | None:
        token = self._by_hash(token_hash)
        return _copy(token) if token is not None else None

    async def consume(self, token_hash: str, now: datetime) -> RefreshToken | None:
        """Mark the token consumed, if it is live and its family was never revoked."""
        token = self._by_hash(token_hash)
        if token is None or not token.live(now):
            return None
        family = [t for t in self._visible().values() if t.family_id == token.family_id]
        if any(t.revoked_at is not None for t in family):
            return None

        spent = replace(token, consumed_at=now)
        self._pending.refresh_tokens[spent.id] = spent
        self._pending.claimed.add(spent.id)
        return _copy(spent)

    async def revoke_family(self, family_id: UUID, now: datetime) -> int:
        return self._revoke([t for t in self._visible().values() if t.family_id == family_id], now)

    async def revoke_all_for_user(self, user_id: UUID, now: datetime) -> int:
        return self._revoke([t for t in self._visible().values() if t.user_id == user_id], now)

    async def session_live(self, family_id: UUID, user_id: UUID, now: datetime) -> bool:
        """No token of the family revoked, one of the user's unexpired, and the user known."""
        if user_id not in self._store.users and user_id not in self._pending.users:
            return False
        family = [t for t in self._visible().values() if t.family_id == family_id]
        if any(t.revoked_at is not None for t in family):
            return False
        return any(t.user_id == user_id and now < t.expires_at for t in family)

    def _revoke(self, tokens: list[RefreshToken], now: datetime) -> int:
        live = [t for t in tokens if t.revoked_at is None]
        for token in live:
            self._pending.refresh_tokens[token.id] = replace(token, revoked_at=now)
        return len(live)


class InMemoryOneTimeTokenRepository(_View):
    def _visible(self) -> dict[UUID, OneTimeToken]:
        return {**self._store.one_time_tokens, **self._pending.one_time_tokens}

    async def add(self, token: OneTimeToken) -> None:
        """Raises Conflict(code="missing_reference") for an unknown user."""
        tokens = self._visible().values()
        if token.id in self._visible() or any(t.token_hash == token.token_hash for t in tokens):
            raise Conflict("The token already exists.", code="one_time_token_exists")
        if token.user_id not in self._store.users and token.user_id not in self._pending.users:
            raise _missing_reference("token")
        self._pending.one_time_tokens[token.id] = _copy(token)

    async def void_for_user(self, user_id: UUID, purpose: TokenPurpose, now: datetime) -> int:
        """Mark used every unused token of the user and purpose."""
        unused = [
            t
            for t in self._visible().values()
            if t.user_id == user_id and t.purpose is purpose and t.used_at is None
        ]
        for token in unused:
            self._pending.one_time_tokens[token.id] = replace(token, used_at=now)
        return len(unused)

    async def consume(
        self, token_hash: str, purpose: TokenPurpose, now: datetime
    ) -> OneTimeToken | None:
        """Mark the token used, if it is unused, unexpired and the newest of its kind."""
        tokens = list(self._visible().values())
        token = next((t for t in tokens if t.token_hash == token_hash), None)
        if token is None or token.purpose is not purpose or not token.redeemable(now):
            return None
        if any(
            t.user_id == token.user_id and t.purpose is purpose and t.created_at > token.created_at
            for t in tokens
        ):
            return None

        used = replace(token, used_at=now)
        self._pending.one_time_tokens[used.id] = used
        self._pending.claimed.add(used.id)
        return _copy(used)
