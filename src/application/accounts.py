"""Account use cases: sign up and log in by email and password."""

import logging
from uuid import UUID, uuid4

from application.ports import (
    BackgroundTasks,
    Clock,
    PasswordHasher,
    TokenIssuer,
    UnitOfWork,
    UnitOfWorkFactory,
)
from application.sessions import SessionGrant, grant, open_session
from application.settings import AccountPolicy
from application.verification import SendVerificationMail
from domain.errors import Conflict, InvalidInput, Unauthorized
from domain.users import User, check_password, normalise_email

logger = logging.getLogger(__name__)


class SignUp:
    """Register an account by email and password.

    Rules: the email is normalised to lower case; the password is 8 to 256
    characters of anything; it is stored only as an argon2id hash; the answer is
    the same whether or not the email already had an account, so sign-up reveals
    nothing about who uses the service; a new account is not verified until the
    token of the verification mail, sent in the background, is redeemed.
    """

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        hasher: PasswordHasher,
        clock: Clock,
        background: BackgroundTasks,
        verification: SendVerificationMail,
    ) -> None:
        self._uow_factory = uow_factory
        self._hasher = hasher
        self._clock = clock
        self._background = background
        self._verification = verification

    async def execute(self, email: str, password: str) -> None:
        address = normalise_email(email)
        check_password(password)
        password_hash = await self._hasher.hash(password)

        user = User(uuid4(), address, password_hash, verified=False, created_at=self._clock.now())
        try:
            async with self._uow_factory() as uow:
                await uow.users.add(user)
                await uow.commit()
        except Conflict:
            logger.info("sign-up for an existing account ignored")
            return
        logger.info("user signed up user=%s", user.id)
        self._background.spawn("verification-mail", lambda: self._verification.execute(user.id))


class LogIn:
    """Exchange an email and password for an access token and a refresh token.

    Rules: a wrong password and an unknown email get the same answer and cost the
    same time (an unknown email still runs one password verification); a hash made
    with older parameters is replaced on a successful login, unless a reset changed the
    password meanwhile; each login opens a new family of refresh tokens, so logging out
    of one device leaves the others; the session belongs to the session epoch of the
    account as read for the password check, so a reset that commits while the login is
    under way ends it too.
    """

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        hasher: PasswordHasher,
        tokens: TokenIssuer,
        clock: Clock,
        policy: AccountPolicy,
    ) -> None:
        self._uow_factory = uow_factory
        self._hasher = hasher
        self._tokens = tokens
        self._clock = clock
        self._policy = policy

    async def execute(self, email: str, password: str) -> SessionGrant:
        failure = Unauthorized("The email or the password is wrong.", code="invalid_credentials")
        try:
            address = normalise_email(email)
        except InvalidInput:
            address = ""
        async with self._uow_factory() as uow:
            user = await uow.users.get_by_email(address) if address else None

        if user is None or user.password_hash is None:
            await self._hasher.verify_dummy(password)
            raise failure
        if not await self._hasher.verify(user.password_hash, password):
            raise failure
        rehashed = None
        if self._hasher.needs_rehash(user.password_hash):
            rehashed = await self._hasher.hash(password)

        async with self._uow_factory() as uow:
            if rehashed is not None:
                await _replace_hash(uow, user, rehashed)
            session_id, refresh = await open_session(uow, user, self._clock.now(), self._policy)
            await uow.commit()
        logger.info("user logged in user=%s session=%s", user.id, session_id)
        return grant(self._tokens, user.id, session_id, refresh, self._policy)


async def _replace_hash(uow: UnitOfWork, verified: User, rehashed: str) -> None:
    """Store the stronger hash of the password just verified, unless the password changed
    since: a reset that committed meanwhile keeps its password and its session epoch."""
    current = await uow.users.get(verified.id)
    if current is None or current.password_hash != verified.password_hash:
        return
    current.password_hash = rehashed
    await uow.users.save(current)
    logger.info("password rehashed user=%s", current.id)


SESSION_ENDED = "session_revoked"


class Authenticate:
    """The user id of a bearer access token.

    Rules: anything but a valid access token of this service is Unauthorized
    `unauthorized`; a valid one is accepted only while the session it names is
    still going, belongs to its user and that user still exists, else Unauthorized
    `session_revoked`. So a logout ends the access tokens of its session, a password
    reset those of every session of the account, and a replayed refresh token those
    of its family, at once rather than when they expire. Costs one indexed read.
    """

    def __init__(self, tokens: TokenIssuer, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self._tokens = tokens
        self._uow_factory = uow_factory
        self._clock = clock

    async def execute(self, token: str) -> UUID:
        claims = self._tokens.verify_access(token)

        async with self._uow_factory() as uow:
            live = await uow.refresh_tokens.session_live(
                claims.session_id, claims.user_id, self._clock.now()
            )
        if not live:
            logger.info("access token of an ended session refused user=%s", claims.user_id)
            raise Unauthorized("The session has ended; log in again.", code=SESSION_ENDED)
        return claims.user_id


class ShowAccount:
    """The caller's own account; a token of a deleted account is Unauthorized."""

    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory

    async def execute(self, user_id: UUID) -> User:
        async with self._uow_factory() as uow:
            user = await uow.users.get(user_id)
        if user is None:
            raise Unauthorized("The account no longer exists.", code="account_gone")
        return user


LOCAL_OWNER_EMAIL = "local-owner@casecraft.invalid"


class EnsureLocalOwner:
    """The account that owns designs made from the command line.

    Rules: it has no password and no Google subject, so nobody can log in as it;
    asking twice gives the same account.
    """

    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._clock = clock

    async def execute(self) -> User:
        async with self._uow_factory() as uow:
            existing = await uow.users.get_by_email(LOCAL_OWNER_EMAIL)
            if existing is not None:
                return existing
            user = User(
                uuid4(), LOCAL_OWNER_EMAIL, None, verified=True, created_at=self._clock.now()
            )
            await uow.users.add(user)
            await uow.commit()
        return user
