"""Users over plain dicts (see adapters.memory.store)."""

from uuid import UUID

from adapters.memory.store import (
    View,
    check_google_subject,
    copied,
    email_owner,
    keep_epoch,
)
from domain.errors import Conflict, NotFound
from domain.users import User


class InMemoryUserRepository(View):
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
        if email_owner(users, user.email, exclude=user.id) is not None:
            raise Conflict("The email is already registered.", code="email_taken")
        check_google_subject(users, user)
        self._pending.users[user.id] = copied(user)

    async def get(self, user_id: UUID) -> User | None:
        user = self._visible().get(user_id)
        return copied(user) if user is not None else None

    async def get_by_email(self, email: str) -> User | None:
        user = next((u for u in self._visible().values() if u.email == email), None)
        return copied(user) if user is not None else None

    async def get_by_google_subject(self, subject: str) -> User | None:
        user = next((u for u in self._visible().values() if u.google_subject == subject), None)
        return copied(user) if user is not None else None

    async def link_google(self, user_id: UUID, subject: str) -> bool:
        """Decided against what this unit of work sees (see the store's known limits)."""
        users = self._visible()
        user = users.get(user_id)
        if user is None or user.google_subject is not None:
            return False
        linked = copied(user)
        linked.google_subject = subject
        check_google_subject(users, linked)
        self._pending.users[user_id] = linked
        return True

    async def save(self, user: User) -> None:
        """Store the user as it is now, its session epoch never lowered; NotFound when
        unknown, Conflict on a taken email."""
        users = self._visible()
        if user.id not in users:
            raise NotFound(f"User {user.id} does not exist.", code="user_not_found")
        if email_owner(users, user.email, exclude=user.id) is not None:
            raise Conflict("The email is already registered.", code="email_taken")
        check_google_subject(users, user)
        self._pending.users[user.id] = keep_epoch(users[user.id], copied(user))
