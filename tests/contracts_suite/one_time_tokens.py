"""What every OneTimeTokenRepository must do: redeem once, newest only, before expiry."""

import asyncio
import hashlib
from datetime import datetime, timedelta
from uuid import UUID, uuid4

import pytest

from application.ports import UnitOfWorkFactory
from contracts_suite.builders import NOW, later, stored_user
from domain.errors import Conflict
from domain.one_time_tokens import OneTimeToken, TokenPurpose

RESET = TokenPurpose.PASSWORD_RESET
VERIFY = TokenPurpose.EMAIL_VERIFICATION


def make_one_time_token(
    user_id: UUID,
    purpose: TokenPurpose = RESET,
    *,
    created_at: datetime = NOW,
    ttl: timedelta = timedelta(minutes=30),
) -> OneTimeToken:
    token_id = uuid4()
    return OneTimeToken(
        id=token_id,
        user_id=user_id,
        purpose=purpose,
        token_hash=hashlib.sha256(token_id.bytes).hexdigest(),
        created_at=created_at,
        expires_at=created_at + ttl,
    )


async def stored_tokens(factory: UnitOfWorkFactory, *tokens: OneTimeToken) -> None:
    async with factory() as uow:
        for token in tokens:
            await uow.one_time_tokens.add(token)
        await uow.commit()


async def redeem(
    factory: UnitOfWorkFactory,
    token: OneTimeToken,
    now: datetime = NOW,
    purpose: TokenPurpose | None = None,
) -> OneTimeToken | None:
    """Consume and commit; None when the token was not redeemed."""
    try:
        async with factory() as uow:
            used = await uow.one_time_tokens.consume(
                token.token_hash, purpose or token.purpose, now
            )
            await uow.commit()
    except Conflict as conflict:
        assert conflict.code == "token_spent"
        return None
    return used


class OneTimeTokenRepositoryContract:
    async def test_a_token_is_redeemed_once(self, uow_factory: UnitOfWorkFactory) -> None:
        user = await stored_user(uow_factory)
        token = make_one_time_token(user.id)
        await stored_tokens(uow_factory, token)

        first = await redeem(uow_factory, token, later(60))
        second = await redeem(uow_factory, token, later(61))

        assert first is not None
        assert (first.id, first.user_id, first.used_at) == (token.id, user.id, later(60))
        assert second is None

    async def test_a_token_is_not_redeemed_for_another_purpose(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        user = await stored_user(uow_factory)
        token = make_one_time_token(user.id, VERIFY)
        await stored_tokens(uow_factory, token)

        assert await redeem(uow_factory, token, purpose=RESET) is None
        assert await redeem(uow_factory, token, purpose=VERIFY) is not None

    async def test_an_expired_token_is_refused(self, uow_factory: UnitOfWorkFactory) -> None:
        user = await stored_user(uow_factory)
        token = make_one_time_token(user.id)
        await stored_tokens(uow_factory, token)

        assert await redeem(uow_factory, token, NOW + timedelta(minutes=30)) is None
        assert await redeem(uow_factory, token, NOW + timedelta(minutes=29)) is not None

    async def test_an_older_token_is_refused_once_a_newer_exists(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        user = await stored_user(uow_factory)
        older = make_one_time_token(user.id)
        newer = make_one_time_token(user.id, created_at=later(10))
        other_purpose = make_one_time_token(user.id, VERIFY, created_at=later(20))
        await stored_tokens(uow_factory, older, newer, other_purpose)

        assert await redeem(uow_factory, older, later(30)) is None
        assert await redeem(uow_factory, newer, later(30)) is not None

    async def test_voiding_spends_every_unused_token_of_the_purpose(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        user = await stored_user(uow_factory)
        reset = make_one_time_token(user.id)
        verify = make_one_time_token(user.id, VERIFY)
        await stored_tokens(uow_factory, reset, verify)

        async with uow_factory() as uow:
            voided = await uow.one_time_tokens.void_for_user(user.id, RESET, later(1))
            await uow.commit()

        assert voided == 1
        assert await redeem(uow_factory, reset, later(2)) is None
        assert await redeem(uow_factory, verify, later(2)) is not None

    async def test_concurrent_redemptions_have_one_winner(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        user = await stored_user(uow_factory)
        token = make_one_time_token(user.id)
        await stored_tokens(uow_factory, token)

        results = await asyncio.gather(*(redeem(uow_factory, token) for _ in range(5)))

        assert sum(result is not None for result in results) == 1

    async def test_a_token_of_an_unknown_user_is_refused(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        async with uow_factory() as uow:
            with pytest.raises(Conflict) as raised:
                await uow.one_time_tokens.add(make_one_time_token(uuid4()))

        assert raised.value.code == "missing_reference"

    async def test_an_unknown_digest_is_not_redeemed(self, uow_factory: UnitOfWorkFactory) -> None:
        async with uow_factory() as uow:
            assert await uow.one_time_tokens.consume("a" * 64, RESET, NOW) is None
