"""Signed-in sessions: a short access token and a rotating refresh token.

A login opens a family of refresh tokens. Each refresh consumes the token it is
given and issues the next of the same family with a fresh lifetime, so a family
stays alive while it is used and ends after `AccountPolicy.refresh_ttl` unused.
A consumed token presented again is a replay: whoever holds it kept a copy, so
the whole family is revoked. Logout revokes the family of the token it is given.

The family is the session: each access token names it (`AccessClaims.session_id`),
and `Authenticate` refuses an access token whose family was revoked, so ending a
session ends its access tokens at once, not when they expire.
"""

import logging
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

from application.opaque_tokens import digest_of, mint
from application.ports import Clock, TokenIssuer, UnitOfWork, UnitOfWorkFactory
from application.settings import AccountPolicy
from domain.errors import Conflict, Unauthorized
from domain.sessions import RefreshToken
from domain.users import User

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SessionGrant:
    """What a client keeps: the access token for requests, the refresh token for later."""

    user_id: UUID
    access_token: str
    expires_in: int
    refresh_token: str
    refresh_expires_in: int


async def add_refresh_token(
    uow: UnitOfWork,
    user_id: UUID,
    family_id: UUID,
    session_epoch: int,
    now: datetime,
    policy: AccountPolicy,
) -> str:
    """Stage the next refresh token of a family opened under `session_epoch`; its value,
    which is stored nowhere."""
    token = mint()
    await uow.refresh_tokens.add(
        RefreshToken(
            id=uuid4(),
            family_id=family_id,
            user_id=user_id,
            token_hash=token.digest,
            created_at=now,
            expires_at=now + policy.refresh_ttl,
            session_epoch=session_epoch,
        )
    )
    return token.value


async def open_session(
    uow: UnitOfWork, user: User, now: datetime, policy: AccountPolicy
) -> tuple[UUID, str]:
    """Stage a new session of `user`: its id (a new family) and its first refresh token's value.

    The session belongs to the epoch of this copy of the user, the one whose credentials
    were checked: if a password reset committed since it was read, the session is over
    from the start.
    """
    family_id = uuid4()
    refresh = await add_refresh_token(uow, user.id, family_id, user.session_epoch, now, policy)
    return family_id, refresh


def grant(
    tokens: TokenIssuer, user_id: UUID, session_id: UUID, refresh: str, policy: AccountPolicy
) -> SessionGrant:
    access, expires_in = tokens.issue_access(user_id, session_id)
    return SessionGrant(
        user_id, access, expires_in, refresh, int(policy.refresh_ttl.total_seconds())
    )


class RefreshSession:
    """Exchange a refresh token for a new access token and the next refresh token.

    Rules: the token given is consumed, and the next one belongs to the same
    family; a consumed token given again revokes its whole family, so the newest
    token of that family stops working too; so does a token of a session opened
    under an earlier session epoch of its user (before a password reset, whenever
    the login that opened it began); an unknown, expired, revoked, replayed or
    ended token, or an access token, gets the same 401.
    """

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        tokens: TokenIssuer,
        clock: Clock,
        policy: AccountPolicy,
    ) -> None:
        self._uow_factory = uow_factory
        self._tokens = tokens
        self._clock = clock
        self._policy = policy

    async def execute(self, refresh_token: str) -> SessionGrant:
        refused = Unauthorized(
            "The refresh token is invalid or expired; log in again.", code="refresh_token_invalid"
        )
        digest = digest_of(refresh_token)
        if digest is None:
            raise refused
        now = self._clock.now()

        rotated = await self._rotate(digest, now)
        if rotated is None:
            await self._revoke_if_replayed_or_ended(digest, now)
            raise refused

        current, refresh = rotated
        logger.info("session refreshed user=%s family=%s", current.user_id, current.family_id)
        return grant(self._tokens, current.user_id, current.family_id, refresh, self._policy)

    async def _rotate(self, digest: str, now: datetime) -> tuple[RefreshToken, str] | None:
        """The consumed token and the next one's value; None when the token was not live,
        or was issued under an earlier session epoch of its user."""
        try:
            async with self._uow_factory() as uow:
                current = await uow.refresh_tokens.consume(digest, now)
                if current is None or not await _of_current_epoch(uow, current):
                    return None
                refresh = await add_refresh_token(
                    uow,
                    current.user_id,
                    current.family_id,
                    current.session_epoch,
                    now,
                    self._policy,
                )
                await uow.commit()
        except Conflict as conflict:
            # Another request spent the same token first: this one is the replay.
            if conflict.code == "token_spent":
                return None
            raise
        return current, refresh

    async def _revoke_if_replayed_or_ended(self, digest: str, now: datetime) -> None:
        async with self._uow_factory() as uow:
            known = await uow.refresh_tokens.get_by_hash(digest)
            if known is None:
                return
            replayed = known.consumed_at is not None
            if not replayed and await _of_current_epoch(uow, known):
                return
            revoked = await uow.refresh_tokens.revoke_family(known.family_id, now)
            await uow.commit()
        if replayed:
            logger.warning(
                "refresh token replayed; family revoked user=%s family=%s tokens=%d",
                known.user_id,
                known.family_id,
                revoked,
            )
        else:
            logger.info(
                "refresh token of an earlier session epoch refused; family revoked "
                "user=%s family=%s tokens=%d",
                known.user_id,
                known.family_id,
                revoked,
            )


async def _of_current_epoch(uow: UnitOfWork, token: RefreshToken) -> bool:
    """Whether the token's user still exists and is still in the epoch the token was issued in."""
    user = await uow.users.get(token.user_id)
    return user is not None and user.session_current(token.session_epoch)


class EndSession:
    """Log out: revoke the family of the refresh token given.

    Rules: every refresh token of that family, and every access token issued in it,
    stops working at once; an unknown or malformed token changes nothing and gets
    the same answer.
    """

    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._clock = clock

    async def execute(self, refresh_token: str) -> None:
        digest = digest_of(refresh_token)
        if digest is None:
            return

        async with self._uow_factory() as uow:
            known = await uow.refresh_tokens.get_by_hash(digest)
            if known is None:
                return
            await uow.refresh_tokens.revoke_family(known.family_id, self._clock.now())
            await uow.commit()
        logger.info("session ended user=%s family=%s", known.user_id, known.family_id)
