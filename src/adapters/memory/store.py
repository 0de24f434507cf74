"""The in-memory store that the repositories over plain dicts share, and their base.

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
later commit of an older copy, nor is a user's session epoch lowered.

Known limits: isolation is read-committed with the last commit winning; timestamps
come back with the offset they were given (the SQL adapter returns them in UTC);
nothing survives the process.
"""

import copy
from dataclasses import dataclass, field, replace
from typing import TypeVar
from uuid import UUID

from domain.designs import Design, Upload
from domain.errors import Conflict
from domain.jobs import UpscaleJob
from domain.one_time_tokens import OneTimeToken
from domain.phones import PhoneModel
from domain.sessions import RefreshToken
from domain.users import User

_T = TypeVar("_T")


def copied(entity: _T) -> _T:
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
            if email_owner(self.users, user.email, exclude=user.id) is not None:
                raise Conflict("The email is already registered.", code="email_taken")
        if any(self._spent(token_id) for token_id in changes.claimed):
            raise Conflict("The token was already used.", code="token_spent")
        self.phones.update(changes.phones)
        self.designs.update(changes.designs)
        self.uploads.update(changes.uploads)
        for user in changes.users.values():
            self.users[user.id] = keep_epoch(self.users.get(user.id), user)
        self.jobs.update(changes.jobs)
        for refresh in changes.refresh_tokens.values():
            self.refresh_tokens[refresh.id] = keep_stamps(
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


def missing_reference(entity: str) -> Conflict:
    return Conflict(
        f"The {entity} refers to something that does not exist.", code="missing_reference"
    )


def keep_stamps(stored: RefreshToken | None, new: RefreshToken) -> RefreshToken:
    if stored is None:
        return new
    return replace(
        new,
        consumed_at=stored.consumed_at or new.consumed_at,
        revoked_at=stored.revoked_at or new.revoked_at,
    )


def keep_epoch(stored: User | None, new: User) -> User:
    """The new copy, with the higher session epoch of the two: an epoch never goes back."""
    if stored is None or stored.session_epoch <= new.session_epoch:
        return new
    return replace(new, session_epoch=stored.session_epoch)


def check_google_subject(users: dict[UUID, User], user: User) -> None:
    """One account per Google subject, as the SQL adapter's unique index keeps it."""
    if user.google_subject is None:
        return
    if any(u.google_subject == user.google_subject and u.id != user.id for u in users.values()):
        raise Conflict("The Google account is linked to another user.", code="user_exists")


def email_owner(users: dict[UUID, User], email: str, *, exclude: UUID) -> User | None:
    return next((u for u in users.values() if u.email == email and u.id != exclude), None)


class View:
    """What one unit of work sees: the store, overlaid with its own pending changes."""

    def __init__(self, store: InMemoryStore, pending: InMemoryStore) -> None:
        self._store = store
        self._pending = pending
