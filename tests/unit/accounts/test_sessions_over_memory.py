"""Sessions: login opens a family, refresh rotates it, a replay or a logout ends it."""

import asyncio
from datetime import timedelta

import pytest

from account_world import PASSWORD, AccountWorld, make_world
from domain.errors import Unauthorized


@pytest.fixture
async def world() -> AccountWorld:
    world = make_world()
    await world.signed_up("ann@example.com")
    return world


async def test_login_gives_an_access_token_and_a_refresh_token(world: AccountWorld) -> None:
    grant = await world.log_in().execute("ann@example.com", PASSWORD)

    assert world.tokens.verify_access(grant.access_token) == grant.user_id
    assert len(grant.refresh_token) == 43
    assert grant.refresh_expires_in == 30 * 24 * 3600


async def test_refresh_rotates_the_token_within_its_family(world: AccountWorld) -> None:
    first = await world.log_in().execute("ann@example.com", PASSWORD)

    second = await world.refresh().execute(first.refresh_token)
    third = await world.refresh().execute(second.refresh_token)

    assert len({first.refresh_token, second.refresh_token, third.refresh_token}) == 3
    assert world.tokens.verify_access(third.access_token) == first.user_id
    families = {t.family_id for t in world.store.refresh_tokens.values()}
    assert len(families) == 1
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
