"""The account use cases wired over the in-memory adapters, a fake clock and fakes of the
mail and background ports."""

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from adapters.memory.coordination import InMemoryRateLimiter
from adapters.memory.mail import InMemoryMailer
from adapters.memory.repositories import InMemoryStore
from adapters.memory.unit_of_work import InMemoryUnitOfWorkFactory
from adapters.security.passwords import ArgonPasswordHasher
from adapters.security.tokens import JwtTokenIssuer
from application.accounts import Authenticate, LogIn, SignUp
from application.password_reset import RequestPasswordReset, ResetPassword, SendPasswordResetMail
from application.ports import MailMessage
from application.sessions import EndSession, RefreshSession
from application.settings import AccountLinks, AccountPolicy
from application.verification import SendVerificationMail, VerifyEmail
from domain.users import User

SECRET = "an-hs256-secret-of-at-least-32-bytes!!"
PASSWORD = "correct horse battery"
API = "https://api.casecraft.test"
FRONTEND = "https://app.casecraft.test"
_TOKEN_IN_LINK = re.compile(r"token=([A-Za-z0-9_-]+)")


@dataclass
class FakeClock:
    current: datetime = field(default_factory=lambda: datetime(2030, 1, 1, 9, 0, tzinfo=UTC))

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current += delta


class QueuedTasks:
    """Background work kept until the test runs it, so a test decides when it happens."""

    def __init__(self) -> None:
        self.queued: list[tuple[str, Callable[[], Awaitable[None]]]] = []

    def spawn(self, name: str, work: Callable[[], Awaitable[None]]) -> None:
        self.queued.append((name, work))

    async def run(self) -> list[str]:
        names = []
        while self.queued:
            name, work = self.queued.pop(0)
            await work()
            names.append(name)
        return names


@dataclass
class AccountWorld:
    store: InMemoryStore
    uow: InMemoryUnitOfWorkFactory
    clock: FakeClock
    mailer: InMemoryMailer
    background: QueuedTasks
    limiter: InMemoryRateLimiter
    tokens: JwtTokenIssuer
    hasher: ArgonPasswordHasher
    policy: AccountPolicy
    links: AccountLinks

    def sign_up(self) -> SignUp:
        verification = SendVerificationMail(
            self.uow, self.mailer, self.clock, self.policy, self.links
        )
        return SignUp(self.uow, self.hasher, self.clock, self.background, verification)

    def log_in(self) -> LogIn:
        return LogIn(self.uow, self.hasher, self.tokens, self.clock, self.policy)

    def authenticate(self) -> Authenticate:
        return Authenticate(self.tokens, self.uow, self.clock)

    def refresh(self) -> RefreshSession:
        return RefreshSession(self.uow, self.tokens, self.clock, self.policy)

    def log_out(self) -> EndSession:
        return EndSession(self.uow, self.clock)

    def forgot(self) -> RequestPasswordReset:
        send = SendPasswordResetMail(self.uow, self.mailer, self.clock, self.policy, self.links)
        return RequestPasswordReset(self.limiter, self.background, send, self.policy)

    def reset(self) -> ResetPassword:
        return ResetPassword(self.uow, self.hasher, self.clock, self.mailer, self.background)

    def verify(self) -> VerifyEmail:
        return VerifyEmail(self.uow, self.clock)

    async def user(self, email: str) -> User:
        async with self.uow() as uow:
            user = await uow.users.get_by_email(email)
        assert user is not None
        return user

    async def signed_up(self, email: str) -> User:
        await self.sign_up().execute(email, PASSWORD)
        await self.background.run()
        return await self.user(email)

    async def reset_token(self, email: str, client_ip: str = "198.51.100.7") -> str:
        """Ask for a reset mail and read its token from the link."""
        await self.background.run()
        before = self.reset_mails()
        await self.forgot().execute(email, client_ip)
        await self.background.run()
        after = self.reset_mails()
        assert len(after) == len(before) + 1
        return token_in(after[-1].text)

    def reset_mails(self) -> list[MailMessage]:
        return [m for m in self.mailer.sent if m.kind == "password_reset"]


def token_in(text: str) -> str:
    found = _TOKEN_IN_LINK.search(text)
    assert found is not None, "no token link in the mail"
    return found.group(1)


def make_world() -> AccountWorld:
    store = InMemoryStore()
    clock = FakeClock()
    return AccountWorld(
        store=store,
        uow=InMemoryUnitOfWorkFactory(store),
        clock=clock,
        mailer=InMemoryMailer(),
        background=QueuedTasks(),
        limiter=InMemoryRateLimiter(clock),
        tokens=JwtTokenIssuer(SECRET, "casecraft", "casecraft-api", 900, clock),
        hasher=ArgonPasswordHasher(time_cost=1, memory_cost=8),
        policy=AccountPolicy(),
        links=AccountLinks(API, FRONTEND),
    )
