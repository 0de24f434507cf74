"""What every RefreshTokenRepository must do: find by digest, consume once, revoke."""

import asyncio
import hashlib
from dataclasses import replace
from datetime import timedelta
from uuid import UUID, uuid4

import pytest

from application.ports import UnitOfWorkFactory
from contracts_suite.builders import NOW, is_utc, later, stored_user
from domain.errors import Conflict
from domain.sessions import RefreshToken


def make_refresh_token(
    user_id: UUID,
    *,
    family_id: UUID | None = None,
    created_at=NOW,
    ttl_days: int = 30,
    session_epoch: int = 0,
) -> RefreshToken:
    token_id = uuid4()
    return RefreshToken(
        id=token_id,
        family_id=family_id or uuid4(),
        user_id=user_id,
        token_hash=hashlib.sha256(token_id.bytes).hexdigest(),
        created_at=created_at,
        expires_at=created_at + timedelta(days=ttl_days),
        session_epoch=session_epoch,
    )


async def stored_tokens(factory: UnitOfWorkFactory, *tokens: RefreshToken) -> None:
    async with factory() as uow:
        for token in tokens:
            await uow.refresh_tokens.add(token)
        await uow.commit()


async def consume_and_commit(
    factory: UnitOfWorkFactory, token_hash: str, now=NOW
) -> RefreshToken | None:
    """What a refresh does: consume, commit; None when it did not get the token."""
    try:
        async with factory() as uow:
            consumed = await uow.refresh_tokens.consume(token_hash, now)
            await uow.commit()
    except Conflict as conflict:
        assert conflict.code == "token_spent"
        return None
    return consumed


class RefreshTokenRepositoryContract:
    async def test_a_stored_token_comes_back_by_its_digest(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        user = await stored_user(uow_factory)
        token = make_refresh_token(user.id, session_epoch=2)
        await stored_tokens(uow_factory, token)

        async with uow_factory() as uow:
            found = await uow.refresh_tokens.get_by_hash(token.token_hash)
            unknown = await uow.refresh_tokens.get_by_hash("0" * 64)

        assert found == token
        assert found is not None and is_utc(found.created_at) and is_utc(found.expires_at)
        assert unknown is None

    async def test_a_token_of_an_unknown_user_is_refused(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        async with uow_factory() as uow:
            with pytest.raises(Conflict) as raised:
                await uow.refresh_tokens.add(make_refresh_token(uuid4()))

        assert raised.value.code == "missing_reference"

    async def test_consume_marks_a_live_token_once(self, uow_factory: UnitOfWorkFactory) -> None:
        user = await stored_user(uow_factory)
        token = make_refresh_token(user.id)
        await stored_tokens(uow_factory, token)

        first = await consume_and_commit(uow_factory, token.token_hash, later(5))
        second = await consume_and_commit(uow_factory, token.token_hash, later(6))

        assert first is not None and first.consumed_at == later(5)
        assert second is None
        async with uow_factory() as uow:
            stored = await uow.refresh_tokens.get_by_hash(token.token_hash)
        assert stored is not None and stored.consumed_at == later(5)

    async def test_an_uncommitted_consume_leaves_the_token_live(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        user = await stored_user(uow_factory)
        token = make_refresh_token(user.id)
        await stored_tokens(uow_factory, token)

        async with uow_factory() as uow:
            assert await uow.refresh_tokens.consume(token.token_hash, NOW) is not None

        assert await consume_and_commit(uow_factory, token.token_hash) is not None

    async def test_an_expired_or_unknown_token_is_not_consumed(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        user = await stored_user(uow_factory)
        token = make_refresh_token(user.id, ttl_days=1)
        await stored_tokens(uow_factory, token)

        expired = await consume_and_commit(uow_factory, token.token_hash, NOW + timedelta(days=1))
        unknown = await consume_and_commit(uow_factory, "f" * 64)

        assert expired is None and unknown is None

    async def test_concurrent_consumers_of_one_token_have_one_winner(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        user = await stored_user(uow_factory)
        token = make_refresh_token(user.id)
        await stored_tokens(uow_factory, token)

        results = await asyncio.gather(
            *(consume_and_commit(uow_factory, token.token_hash) for _ in range(5))
        )

        assert sum(result is not None for result in results) == 1

    async def test_revoking_a_family_kills_all_its_tokens_and_no_other(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        user = await stored_user(uow_factory)
        family = uuid4()
        old = replace(make_refresh_token(user.id, family_id=family), consumed_at=NOW)
        newest = make_refresh_token(user.id, family_id=family)
        other = make_refresh_token(user.id)
        await stored_tokens(uow_factory, old, newest, other)

        async with uow_factory() as uow:
            revoked = await uow.refresh_tokens.revoke_family(family, later(1))
            await uow.commit()

        assert revoked == 2
        assert await consume_and_commit(uow_factory, newest.token_hash, later(2)) is None
        assert await consume_and_commit(uow_factory, other.token_hash, later(2)) is not None
        async with uow_factory() as uow:
            seen = await uow.refresh_tokens.get_by_hash(old.token_hash)
        assert seen is not None and seen.revoked_at == later(1) and seen.consumed_at == NOW

    async def test_a_token_added_to_a_revoked_family_cannot_be_consumed(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        user = await stored_user(uow_factory)
        family = uuid4()
        await stored_tokens(uow_factory, make_refresh_token(user.id, family_id=family))
        async with uow_factory() as uow:
            await uow.refresh_tokens.revoke_family(family, later(1))
            await uow.commit()

        late = make_refresh_token(user.id, family_id=family)
        await stored_tokens(uow_factory, late)

        assert await consume_and_commit(uow_factory, late.token_hash, later(2)) is None

    async def test_revoking_all_of_a_user_spares_other_users(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        ann = await stored_user(uow_factory)
        bob = await stored_user(uow_factory)
        tokens = [make_refresh_token(ann.id), make_refresh_token(ann.id)]
        bobs = make_refresh_token(bob.id)
        await stored_tokens(uow_factory, *tokens, bobs)

        async with uow_factory() as uow:
            revoked = await uow.refresh_tokens.revoke_all_for_user(ann.id, later(1))
            await uow.commit()

        assert revoked == 2
        for token in tokens:
            assert await consume_and_commit(uow_factory, token.token_hash, later(2)) is None
        assert await consume_and_commit(uow_factory, bobs.token_hash, later(2)) is not None

    async def test_a_revocation_is_never_undone_by_a_concurrent_consume(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        user = await stored_user(uow_factory)
        family = uuid4()
        token = make_refresh_token(user.id, family_id=family)
        await stored_tokens(uow_factory, token)

        async def revoke() -> None:
            async with uow_factory() as uow:
                await uow.refresh_tokens.revoke_family(family, later(1))
                await uow.commit()

        await asyncio.gather(consume_and_commit(uow_factory, token.token_hash), revoke())

        async with uow_factory() as uow:
            seen = await uow.refresh_tokens.get_by_hash(token.token_hash)
        assert seen is not None and seen.revoked_at == later(1)
        assert await consume_and_commit(uow_factory, token.token_hash, later(2)) is None


async def session_live(factory: UnitOfWorkFactory, family_id: UUID, user_id: UUID, now=NOW) -> bool:
    async with factory() as uow:
        return await uow.refresh_tokens.session_live(family_id, user_id, now)


class SessionLivenessContract:
    """What Authenticate asks of every access token: is its session still going?"""

    async def test_a_fresh_session_is_live_for_its_user_only(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        ann = await stored_user(uow_factory)
        bob = await stored_user(uow_factory)
        token = make_refresh_token(ann.id)
        await stored_tokens(uow_factory, token)

        assert await session_live(uow_factory, token.family_id, ann.id)
        assert not await session_live(uow_factory, token.family_id, bob.id)
        assert not await session_live(uow_factory, uuid4(), ann.id)
        assert not await session_live(uow_factory, token.family_id, uuid4())

    async def test_a_rotated_session_stays_live(self, uow_factory: UnitOfWorkFactory) -> None:
        user = await stored_user(uow_factory)
        family = uuid4()
        first = make_refresh_token(user.id, family_id=family, ttl_days=1)
        await stored_tokens(uow_factory, first)
        assert await consume_and_commit(uow_factory, first.token_hash, later(60)) is not None
        await stored_tokens(
            uow_factory, make_refresh_token(user.id, family_id=family, created_at=later(60))
        )

        assert await session_live(uow_factory, family, user.id, NOW + timedelta(days=1))

    async def test_a_revoked_family_is_no_longer_live_and_others_are(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        user = await stored_user(uow_factory)
        family = uuid4()
        old = replace(make_refresh_token(user.id, family_id=family), consumed_at=NOW)
        newest = make_refresh_token(user.id, family_id=family)
        other = make_refresh_token(user.id)
        await stored_tokens(uow_factory, old, newest, other)

        async with uow_factory() as uow:
            await uow.refresh_tokens.revoke_family(family, later(1))
            await uow.commit()

        assert not await session_live(uow_factory, family, user.id, later(2))
        assert await session_live(uow_factory, other.family_id, user.id, later(2))

    async def test_a_family_with_any_revoked_token_is_not_live(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        user = await stored_user(uow_factory)
        family = uuid4()
        revoked = replace(make_refresh_token(user.id, family_id=family), revoked_at=NOW)
        late = make_refresh_token(user.id, family_id=family)
        await stored_tokens(uow_factory, revoked, late)

        assert not await session_live(uow_factory, family, user.id, later(1))

    async def test_revoking_all_of_a_user_ends_every_session_of_theirs_only(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        ann = await stored_user(uow_factory)
        bob = await stored_user(uow_factory)
        anns = [make_refresh_token(ann.id), make_refresh_token(ann.id)]
        bobs = make_refresh_token(bob.id)
        await stored_tokens(uow_factory, *anns, bobs)

        async with uow_factory() as uow:
            await uow.refresh_tokens.revoke_all_for_user(ann.id, later(1))
            await uow.commit()

        for token in anns:
            assert not await session_live(uow_factory, token.family_id, ann.id, later(2))
        assert await session_live(uow_factory, bobs.family_id, bob.id, later(2))

    async def test_a_session_of_another_session_epoch_than_its_users_is_not_live(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        user = await stored_user(uow_factory)
        before = make_refresh_token(user.id)
        await stored_tokens(uow_factory, before)
        user.end_every_session()
        async with uow_factory() as uow:
            await uow.users.save(user)
            await uow.commit()
        current = make_refresh_token(user.id, session_epoch=1)
        ahead = make_refresh_token(user.id, session_epoch=2)
        await stored_tokens(uow_factory, current, ahead)

        assert not await session_live(uow_factory, before.family_id, user.id)
        assert await session_live(uow_factory, current.family_id, user.id)
        assert not await session_live(uow_factory, ahead.family_id, user.id)

    async def test_a_session_whose_tokens_all_expired_is_not_live(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        user = await stored_user(uow_factory)
        token = make_refresh_token(user.id, ttl_days=1)
        await stored_tokens(uow_factory, token)

        just_before = NOW + timedelta(days=1) - timedelta(seconds=1)
        assert await session_live(uow_factory, token.family_id, user.id, just_before)
        assert not await session_live(
            uow_factory, token.family_id, user.id, NOW + timedelta(days=1)
        )

    async def test_an_uncommitted_revocation_changes_nothing(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        user = await stored_user(uow_factory)
        token = make_refresh_token(user.id)
        await stored_tokens(uow_factory, token)

        async with uow_factory() as uow:
            await uow.refresh_tokens.revoke_family(token.family_id, later(1))

        assert await session_live(uow_factory, token.family_id, user.id, later(2))
