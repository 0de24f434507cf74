"""Email verification: a mailed single-use link that sets the account's `verified` flag."""

import logging
from uuid import UUID

from application.account_mail import verification_link, verification_mail
from application.mailed_tokens import (
    commit_or_refuse,
    consume_or_refuse,
    issue_mailed_token,
    refused,
    required_digest,
)
from application.ports import Clock, Mailer, UnitOfWorkFactory
from application.settings import AccountLinks, AccountPolicy
from domain.one_time_tokens import TokenPurpose
from domain.users import receives_mail

logger = logging.getLogger(__name__)


class SendVerificationMail:
    """Mail a user the link that verifies their address.

    Rules: the token is 32 random bytes, stored only as its SHA-256, valid for
    `AccountPolicy.verification_ttl`, single-use, and voids any older
    verification token of the user; an account already verified, or one no mail
    can reach (under .invalid), gets no mail and no token; the link is built from
    the configured API address.
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

    async def execute(self, user_id: UUID) -> None:
        ttl = self._policy.verification_ttl
        async with self._uow_factory() as uow:
            user = await uow.users.get(user_id)
            if user is None or user.verified or not receives_mail(user.email):
                return
            token = await issue_mailed_token(
                uow, user.id, TokenPurpose.EMAIL_VERIFICATION, self._clock.now(), ttl
            )
            await uow.commit()

        link = verification_link(self._links, token.value)
        await self._mailer.send(verification_mail(user.email, link, ttl))
        logger.info("verification mail sent user=%s", user.id)


class VerifyEmail:
    """Redeem a verification link: the account's address is verified.

    Rules: the token works once, before it expires, and only if no newer
    verification token was issued; every refusal is the same InvalidToken.
    """

    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._clock = clock

    async def execute(self, token: str) -> None:
        digest = required_digest(token)

        async with self._uow_factory() as uow:
            spent = await consume_or_refuse(
                uow, digest, TokenPurpose.EMAIL_VERIFICATION, self._clock.now()
            )
            user = await uow.users.get(spent.user_id)
            if user is None:
                raise refused()
            user.verified = True
            await uow.users.save(user)
            await commit_or_refuse(uow)
        logger.info("email verified user=%s", user.id)
