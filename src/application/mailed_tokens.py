"""Issuing and redeeming the single-use tokens that travel by mail."""

from datetime import datetime, timedelta
from uuid import UUID, uuid4

from application.opaque_tokens import OpaqueToken, digest_of, mint
from application.ports import UnitOfWork
from domain.errors import Conflict, InvalidToken
from domain.one_time_tokens import OneTimeToken, TokenPurpose

REFUSED_DETAIL = "The link is invalid, already used or expired; ask for a new one."


async def issue_mailed_token(
    uow: UnitOfWork, user_id: UUID, purpose: TokenPurpose, now: datetime, ttl: timedelta
) -> OpaqueToken:
    """Stage a new token for the user, voiding every older one of the same purpose."""
    token = mint()
    await uow.one_time_tokens.void_for_user(user_id, purpose, now)
    await uow.one_time_tokens.add(
        OneTimeToken(
            id=uuid4(),
            user_id=user_id,
            purpose=purpose,
            token_hash=token.digest,
            created_at=now,
            expires_at=now + ttl,
        )
    )
    return token


def refused() -> InvalidToken:
    """The one answer for every token that cannot be redeemed, whatever the reason."""
    return InvalidToken(REFUSED_DETAIL)


def required_digest(value: str) -> str:
    """The digest of a token of ours; InvalidToken for anything that cannot be one."""
    digest = digest_of(value)
    if digest is None:
        raise refused()
    return digest


async def consume_or_refuse(
    uow: UnitOfWork, digest: str, purpose: TokenPurpose, now: datetime
) -> OneTimeToken:
    """Stage the token as used; InvalidToken when it cannot be redeemed."""
    token = await uow.one_time_tokens.consume(digest, purpose, now)
    if token is None:
        raise refused()
    return token


async def commit_or_refuse(uow: UnitOfWork) -> None:
    """Commit; a token spent meanwhile by another request is refused like any other."""
    try:
        await uow.commit()
    except Conflict as conflict:
        if conflict.code == "token_spent":
            raise refused() from None
        raise
