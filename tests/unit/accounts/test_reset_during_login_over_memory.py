"""A password reset ends every session, even that of a login under way while it commits.

The stand-ins below let the reset commit at a chosen step of the login: after the
password check, or just before the login's session is committed.
"""

from collections.abc import Awaitable, Callable

import pytest

from account_world import PASSWORD, AccountWorld, make_world
from adapters.memory.repositories import InMemoryStore
from adapters.memory.unit_of_work import InMemoryUnitOfWork
from application.accounts import LogIn
from application.ports import PasswordHasher, UnitOfWork, UnitOfWorkFactory
from application.sessions import SessionGrant
from domain.errors import Unauthorized

NEW_PASSWORD = "a brand new passphrase"

Step = Callable[[], Awaitable[None]]


class HasherThatLetsAResetIn:
    """The world's hasher, except that a password check that passed first lets `meanwhile`
    run; it can also ask for every hash to be redone."""

    def __init__(self, hasher: PasswordHasher, meanwhile: Step, *, rehash: bool = False) -> None:
        self._hasher = hasher
        self._meanwhile: Step | None = meanwhile
        self._rehash = rehash

    async def hash(self, password: str) -> str:
        return await self._hasher.hash(password)

    async def verify(self, password_hash: str, password: str) -> bool:
        verified = await self._hasher.verify(password_hash, password)
        if verified and self._meanwhile is not None:
            meanwhile, self._meanwhile = self._meanwhile, None
            await meanwhile()
        return verified

    async def verify_dummy(self, password: str) -> None:
        await self._hasher.verify_dummy(password)

    def needs_rehash(self, password_hash: str) -> bool:
        return self._rehash


class UnitOfWorkThatLetsAResetIn(InMemoryUnitOfWork):
    def __init__(self, store: InMemoryStore, before_commit: Callable[[], Awaitable[None]]) -> None:
        super().__init__(store)
        self._before_commit = before_commit

    async def commit(self) -> None:
        await self._before_commit()
        await super().commit()


class UnitsOfWorkThatLetAResetIn:
    """Units of work over the world's store; the first commit made through them lets
    `meanwhile` run and commit first."""

    def __init__(self, store: InMemoryStore, meanwhile: Step) -> None:
        self._store = store
        self._meanwhile: Step | None = meanwhile

    def __call__(self) -> UnitOfWork:
        return UnitOfWorkThatLetsAResetIn(self._store, self._run_meanwhile_once)

    async def _run_meanwhile_once(self) -> None:
        if self._meanwhile is not None:
            meanwhile, self._meanwhile = self._meanwhile, None
            await meanwhile()


@pytest.fixture
async def world() -> AccountWorld:
    world = make_world()
    await world.signed_up("ann@example.com")
    return world


def reset_of(world: AccountWorld, token: str) -> Step:
    return lambda: world.reset().execute(token, NEW_PASSWORD)


def log_in_with(
    world: AccountWorld, hasher: PasswordHasher, uow: UnitOfWorkFactory | None = None
) -> LogIn:
    return LogIn(uow or world.uow, hasher, world.tokens, world.clock, world.policy)


async def assert_ended(world: AccountWorld, grant: SessionGrant) -> None:
    with pytest.raises(Unauthorized) as refused:
        await world.authenticate().execute(grant.access_token)
    assert refused.value.code == "session_revoked"
    with pytest.raises(Unauthorized) as not_renewed:
        await world.refresh().execute(grant.refresh_token)
    assert not_renewed.value.code == "refresh_token_invalid"


async def test_a_login_checked_before_a_reset_opens_a_session_already_over(
    world: AccountWorld,
) -> None:
    token = await world.reset_token("ann@example.com")
    hasher = HasherThatLetsAResetIn(world.hasher, reset_of(world, token))

    grant = await log_in_with(world, hasher).execute("ann@example.com", PASSWORD)

    assert (await world.user("ann@example.com")).session_epoch == 1
    await assert_ended(world, grant)


async def test_a_reset_committing_just_before_a_logins_session_ends_it(
    world: AccountWorld,
) -> None:
    token = await world.reset_token("ann@example.com")
    units = UnitsOfWorkThatLetAResetIn(world.store, reset_of(world, token))

    grant = await log_in_with(world, world.hasher, units).execute("ann@example.com", PASSWORD)

    await assert_ended(world, grant)


async def test_a_refused_token_of_an_earlier_epoch_ends_its_family(world: AccountWorld) -> None:
    token = await world.reset_token("ann@example.com")
    hasher = HasherThatLetsAResetIn(world.hasher, reset_of(world, token))
    grant = await log_in_with(world, hasher).execute("ann@example.com", PASSWORD)
    session_id = world.tokens.verify_access(grant.access_token).session_id

    with pytest.raises(Unauthorized):
        await world.refresh().execute(grant.refresh_token)

    family = [t for t in world.store.refresh_tokens.values() if t.family_id == session_id]
    assert family and all(t.revoked_at is not None for t in family)
    assert all(t.consumed_at is None for t in family)


async def test_a_rehash_under_way_during_a_reset_keeps_the_new_password(
    world: AccountWorld,
) -> None:
    token = await world.reset_token("ann@example.com")
    hasher = HasherThatLetsAResetIn(world.hasher, reset_of(world, token), rehash=True)

    grant = await log_in_with(world, hasher).execute("ann@example.com", PASSWORD)

    await assert_ended(world, grant)
    with pytest.raises(Unauthorized):
        await world.log_in().execute("ann@example.com", PASSWORD)
    assert await world.log_in().execute("ann@example.com", NEW_PASSWORD)
    assert (await world.user("ann@example.com")).session_epoch == 1


async def test_a_session_opened_after_a_reset_lives_and_rotates_in_the_new_epoch(
    world: AccountWorld,
) -> None:
    token = await world.reset_token("ann@example.com")
    await world.reset().execute(token, NEW_PASSWORD)

    first = await world.log_in().execute("ann@example.com", NEW_PASSWORD)
    second = await world.refresh().execute(first.refresh_token)

    assert await world.authenticate().execute(second.access_token) == first.user_id
    assert {t.session_epoch for t in world.store.refresh_tokens.values()} == {1}
