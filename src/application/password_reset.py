"""Password reset by a mailed single-use link (OWASP Forgot Password Cheat Sheet)."""

import hashlib
import logging

from application.account_mail import password_changed_mail, password_reset_mail, reset_link
from application.mailed_tokens import (
    commit_or_refuse,
    consume_or_refuse,
    issue_mailed_token,
    refused,
    required_digest,
)
from application.ports import (
    BackgroundTasks,
    Clock,
    Mailer,
    PasswordHasher,
    RateLimiter,
    UnitOfWorkFactory,
)
from application.settings import AccountLinks, AccountPolicy, RateLimit
from domain.errors import InvalidInput, RateLimited
from domain.one_time_tokens import TokenPurpose
from domain.users import check_password, normalise_email, receives_mail

logger = logging.getLogger(__name__)


class SendPasswordResetMail:
    """Mail the owner of an address a link to choose a new password.

    Rules: an address with no account, or one no mail can reach (the service's
    own accounts under .invalid), gets no mail and no token; the
    token is 32 random bytes, stored only as its SHA-256, valid for
    `AccountPolicy.reset_ttl` (30 minutes), single-use, and voids every older
    reset token of the user; the link is built from the configured front-end
    address, never from a request.
    """

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        mailer: Mailer,
        clock: Clock,
        policy: AccountPolicy,
        links: AccountLinks,
    ) -> None:
        self._uow_factory = uow_factory
        self._mailer = mailer
        self._clock = clock
        self._policy = policy
        self._links = links

    async def execute(self, address: str) -> None:
        ttl = self._policy.reset_ttl
        async with self._uow_factory() as uow:
            user = await uow.users.get_by_email(address)
            if user is None or not receives_mail(user.email):
                logger.info("password reset asked for an address with no account")
                return
            token = await issue_mailed_token(
                uow, user.id, TokenPurpose.PASSWORD_RESET, self._clock.now(), ttl
            )
            await uow.commit()

        link = reset_link(self._links, token.value)
        await self._mailer.send(password_reset_mail(user.email, link, ttl))
        logger.info("password reset mail sent user=%s", user.id)


class RequestPasswordReset:
    """Ask for a password reset mail (`POST /v1/auth/password/forgot`).

    Rules: the answer is the same, and comes as fast, whether or not the address
    has an account: the lookup, the token and the mail happen in the background
    after the answer; a malformed address is answered the same and nothing is
    sent; at most `AccountPolicy.reset_per_ip` asks per caller and
    `reset_per_email` per address, beyond which RateLimited (429, Retry-After).
    """

    def __init__(
        self,
        limiter: RateLimiter,
        background: BackgroundTasks,
        send_mail: SendPasswordResetMail,
        policy: AccountPolicy,
    ) -> None:
        self._limiter = limiter
        self._background = background
        self._send_mail = send_mail
        self._policy = policy

    async def execute(self, email: str, client_ip: str) -> None:
        await self._count(f"password-reset:ip:{client_ip}", self._policy.reset_per_ip)
        try:
            address = normalise_email(email)
        except InvalidInput:
            return
        # The key holds a digest of the address, so the limiter's store holds no email.
        await self._count(f"password-reset:email:{_digest(address)}", self._policy.reset_per_email)

        self._background.spawn("password-reset-mail", lambda: self._send_mail.execute(address))

    async def _count(self, key: str, limit: RateLimit) -> None:
        decision = await self._limiter.hit(key, limit.count, limit.window_seconds)
        if not decision.allowed:
            logger.info("password reset refused by its rate limit")
            raise RateLimited(decision.retry_after_seconds)


class ResetPassword:
    """Set a new password with a reset link's token (`POST /v1/auth/password/reset`).

    Rules: the password is 8 to 256 characters of anything, checked before the
    token is spent; the token works once, within 30 minutes, and only if no newer
    reset token was issued; every refused token gets the same InvalidToken;
    success stores a fresh argon2id hash, marks the address verified (the mail
    reached it), ends every session of the user by revoking all their refresh
    tokens and starting a new session epoch (which also ends a session whose login
    checked the old password before the reset and opens after it), and tells the
    owner by mail, in the background, that the password changed; it does not log
    anybody in.
    """

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        hasher: PasswordHasher,
        clock: Clock,
        mailer: Mailer,
        background: BackgroundTasks,
    ) -> None:
        self._uow_factory = uow_factory
        self._hasher = hasher
        self._clock = clock
        self._mailer = mailer
        self._background = background

    async def execute(self, token: str, password: str) -> None:
        check_password(password)
        digest = required_digest(token)
        password_hash = await self._hasher.hash(password)
        now = self._clock.now()

        async with self._uow_factory() as uow:
            spent = await consume_or_refuse(uow, digest, TokenPurpose.PASSWORD_RESET, now)
            user = await uow.users.get(spent.user_id)
            if user is None:
                raise refused()
            user.password_hash = password_hash
            user.verified = True
            user.end_every_session()
            await uow.users.save(user)
            await uow.one_time_tokens.void_for_user(user.id, TokenPurpose.PASSWORD_RESET, now)
            ended = await uow.refresh_tokens.revoke_all_for_user(user.id, now)
            await commit_or_refuse(uow)
        logger.info("password reset user=%s refresh_tokens_revoked=%d", user.id, ended)

        notice = password_changed_mail(user.email)
        self._background.spawn("password-changed-mail", lambda: self._mailer.send(notice))


def _digest(address: str) -> str:
    return hashlib.sha256(address.encode()).hexdigest()[:32]
