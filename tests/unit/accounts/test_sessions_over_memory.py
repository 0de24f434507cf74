"""Sessions: login opens a family, refresh rotates it, a replay or a logout ends it."""

import asyncio
from dataclasses import replace
from datetime import timedelta
from uuid import uuid4

import pytest

from account_world import PASSWORD, AccountWorld, make_world
from application.sessions import open_session
from domain.errors import Unauthorized


@pytest.fixture
async def world() -> AccountWorld:
    world = make_world()
    await world.signed_up("ann@example.com")
    return world


async def test_login_gives_an_access_token_and_a_refresh_token(world: AccountWorld) -> None:
    grant = await world.log_in().execute("ann@example.com", PASSWORD)

    assert await world.authenticate().execute(grant.access_token) == grant.user_id
    assert len(grant.refresh_token) == 43
    assert grant.refresh_expires_in == 30 * 24 * 3600


async def test_refresh_rotates_the_token_within_its_family(world: AccountWorld) -> None:
    first = await world.log_in().execute("ann@example.com", PASSWORD)

    second = await world.refresh().execute(first.refresh_token)
    third = await world.refresh().execute(second.refresh_token)

    assert len({first.refresh_token, second.refresh_token, third.refresh_token}) == 3
    assert await world.authenticate().execute(third.access_token) == first.user_id
    families = {t.family_id for t in world.store.refresh_tokens.values()}
    assert len(families) == 1
    sessions = {world.tokens.verify_access(g.access_token).session_id for g in (first, third)}
    assert sessions == families
    assert [t.consumed_at is None for t in world.store.refresh_tokens.values()].count(True) == 1


async def test_a_replayed_token_revokes_the_family_newest_token_included(
    world: AccountWorld,
) -> None:
    first = await world.log_in().execute("ann@example.com", PASSWORD)
    second = await world.refresh().execute(first.refresh_token)

    with pytest.raises(Unauthorized):
        await world.refresh().execute(first.refresh_token)

    with pytest.raises(Unauthorized) as newest:
        await world.refresh().execute(second.refresh_token)
    assert newest.value.code == "refresh_token_invalid"
    assert all(t.revoked_at is not None for t in world.store.refresh_tokens.values())


async def test_a_replay_leaves_the_users_other_sessions_alone(world: AccountWorld) -> None:
    phone = await world.log_in().execute("ann@example.com", PASSWORD)
    laptop = await world.log_in().execute("ann@example.com", PASSWORD)
    await world.refresh().execute(phone.refresh_token)

    with pytest.raises(Unauthorized):
        await world.refresh().execute(phone.refresh_token)

    assert (await world.refresh().execute(laptop.refresh_token)).user_id == laptop.user_id


async def test_logout_revokes_the_family(world: AccountWorld) -> None:
    first = await world.log_in().execute("ann@example.com", PASSWORD)
    second = await world.refresh().execute(first.refresh_token)

    await world.log_out().execute(first.refresh_token)

    with pytest.raises(Unauthorized):
        await world.refresh().execute(second.refresh_token)


async def test_logout_of_an_unknown_or_malformed_token_changes_nothing(
    world: AccountWorld,
) -> None:
    grant = await world.log_in().execute("ann@example.com", PASSWORD)

    await world.log_out().execute("A" * 43)
    await world.log_out().execute("not a token")

    assert await world.refresh().execute(grant.refresh_token)


async def test_a_refresh_token_expires_after_its_lifetime_unused(world: AccountWorld) -> None:
    grant = await world.log_in().execute("ann@example.com", PASSWORD)

    world.clock.advance(timedelta(days=30))

    with pytest.raises(Unauthorized):
        await world.refresh().execute(grant.refresh_token)


async def test_each_refresh_gives_the_next_token_a_full_lifetime(world: AccountWorld) -> None:
    grant = await world.log_in().execute("ann@example.com", PASSWORD)
    for _ in range(3):
        world.clock.advance(timedelta(days=20))
        grant = await world.refresh().execute(grant.refresh_token)

    assert grant.user_id


async def test_an_access_token_is_not_a_refresh_token(world: AccountWorld) -> None:
    grant = await world.log_in().execute("ann@example.com", PASSWORD)

    with pytest.raises(Unauthorized):
        await world.refresh().execute(grant.access_token)


async def test_two_refreshes_racing_with_one_token_leave_one_winner_then_revoke(
    world: AccountWorld,
) -> None:
    grant = await world.log_in().execute("ann@example.com", PASSWORD)

    results = await asyncio.gather(
        world.refresh().execute(grant.refresh_token),
        world.refresh().execute(grant.refresh_token),
        return_exceptions=True,
    )

    winners = [r for r in results if not isinstance(r, BaseException)]
    assert len(winners) == 1
    with pytest.raises(Unauthorized):
        await world.refresh().execute(winners[0].refresh_token)


async def test_only_digests_of_refresh_tokens_are_stored(world: AccountWorld) -> None:
    grant = await world.log_in().execute("ann@example.com", PASSWORD)

    stored = [t.token_hash for t in world.store.refresh_tokens.values()]

    assert grant.refresh_token not in stored
    assert all(len(digest) == 64 for digest in stored)


async def _refused(world: AccountWorld, access_token: str) -> str:
    """The code of the refusal of a bearer access token."""
    with pytest.raises(Unauthorized) as refused:
        await world.authenticate().execute(access_token)
    return refused.value.code


async def test_logout_ends_the_access_tokens_of_its_session_at_once(world: AccountWorld) -> None:
    first = await world.log_in().execute("ann@example.com", PASSWORD)
    second = await world.refresh().execute(first.refresh_token)
    laptop = await world.log_in().execute("ann@example.com", PASSWORD)

    await world.log_out().execute(second.refresh_token)

    assert await _refused(world, first.access_token) == "session_revoked"
    assert await _refused(world, second.access_token) == "session_revoked"
    assert await world.authenticate().execute(laptop.access_token) == laptop.user_id


async def test_a_replayed_refresh_token_ends_the_access_tokens_of_its_family(
    world: AccountWorld,
) -> None:
    first = await world.log_in().execute("ann@example.com", PASSWORD)
    second = await world.refresh().execute(first.refresh_token)

    with pytest.raises(Unauthorized):
        await world.refresh().execute(first.refresh_token)

    assert await _refused(world, second.access_token) == "session_revoked"


async def test_an_access_token_naming_another_users_session_is_refused(
    world: AccountWorld,
) -> None:
    await world.signed_up("bob@example.com")
    ann = await world.log_in().execute("ann@example.com", PASSWORD)
    bob = await world.log_in().execute("bob@example.com", PASSWORD)
    bobs_session = world.tokens.verify_access(bob.access_token).session_id

    forged, _ = world.tokens.issue_access(ann.user_id, bobs_session)

    assert await _refused(world, forged) == "session_revoked"
    assert await world.authenticate().execute(bob.access_token) == bob.user_id


async def test_an_access_token_of_a_session_never_opened_is_refused(
    world: AccountWorld,
) -> None:
    ann = await world.user("ann@example.com")

    token, _ = world.tokens.issue_access(ann.id, uuid4())

    assert await _refused(world, token) == "session_revoked"


async def test_an_access_token_of_an_expired_session_is_refused(world: AccountWorld) -> None:
    ann = await world.user("ann@example.com")
    short = replace(world.policy, refresh_ttl=timedelta(seconds=60))
    async with world.uow() as uow:
        session_id, _ = await open_session(uow, ann, world.clock.now(), short)
        await uow.commit()
    token, _ = world.tokens.issue_access(ann.id, session_id)
    assert await world.authenticate().execute(token) == ann.id

    world.clock.advance(timedelta(seconds=60))

    assert await _refused(world, token) == "session_revoked"


async def test_an_access_token_of_a_deleted_account_is_refused(world: AccountWorld) -> None:
    grant = await world.log_in().execute("ann@example.com", PASSWORD)

    del world.store.users[grant.user_id]

    assert await _refused(world, grant.access_token) == "session_revoked"


async def test_a_malformed_access_token_is_refused_before_any_session_is_read(
    world: AccountWorld,
) -> None:
    assert await _refused(world, "not-a-token") == "unauthorized"
