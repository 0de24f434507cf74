"""Limits on what one caller may ask for: sign-in attempts per address, designs per day,
and the anonymous trial.

Every limit counts atomically. The address limits and the trial count in the
RateLimiter port (Redis across processes, or this process). The daily quota counts
designs in the database, which stays the truth: a design that failed or was blocked
is not counted, and counting then recording a design is made atomic per owner by
serialising the owner's creates (see DesignQuota).
"""

import asyncio
import logging
import math
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from application.ports import Clock, RateLimiter, TokenIssuer, UnitOfWork, UnitOfWorkFactory
from application.sessions import open_session
from application.settings import AccountPolicy
from domain.designs import Design, DesignStatus
from domain.errors import RateLimited, Unauthorized
from domain.users import User

logger = logging.getLogger(__name__)

QUOTA_EXCEEDED = "quota_exceeded"
# Failed designs (blocked by the provider's safety filter, provider errors, timeouts)
# cost the user nothing, so they are not counted.
COUNTED_STATUSES = (DesignStatus.GENERATING, DesignStatus.READY)
# Trial accounts live under a reserved domain (RFC 2606's .invalid): no mail reaches
# them and nobody can sign up with such an address and receive its verification.
TRIAL_EMAIL_DOMAIN = "trial.casecraft.invalid"
DESIGNS_PER_TRIAL_ACCOUNT = 1
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class LimitsPolicy:
    """The figures of every limit; 0 turns the daily quota or the trial off."""

    daily_designs: int = 50
    anonymous_trial: int = 0
    trial_window_seconds: int = 30 * 24 * 3600
    auth_requests: int = 20
    auth_window_seconds: int = 60


def start_of_utc_day(now: datetime) -> datetime:
    """Midnight UTC at the start of the day `now` (aware) falls in."""
    return now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def is_trial_account(user: User) -> bool:
    return user.email.endswith("@" + TRIAL_EMAIL_DOMAIN)


class LimitAuthRequests:
    """Count one request to an authentication route from `client` (an address).

    Rules: at most `auth_requests` per `auth_window_seconds` per address, over every
    authentication route together; a refused request still counts; beyond the limit
    RateLimited (429 with Retry-After until the window ends).
    """

    def __init__(self, limiter: RateLimiter, policy: LimitsPolicy) -> None:
        self._limiter = limiter
        self._policy = policy

    async def execute(self, client: str) -> None:
        decision = await self._limiter.hit(
            f"auth:{client}", self._policy.auth_requests, self._policy.auth_window_seconds
        )
        if decision.allowed:
            return
        logger.info(
            "auth rate limit reached client=%s retry_after=%d",
            client,
            decision.retry_after_seconds,
        )
        raise RateLimited(
            decision.retry_after_seconds,
            "Too many sign-in requests from this address; try again later.",
        )


class OwnerLocks:
    """One asyncio lock per owner in this process; a lock nobody holds or awaits is dropped."""

    def __init__(self) -> None:
        self._locks: weakref.WeakValueDictionary[UUID, asyncio.Lock] = weakref.WeakValueDictionary()

    def __len__(self) -> int:
        return len(self._locks)

    @asynccontextmanager
    async def hold(self, owner_id: UUID) -> AsyncIterator[None]:
        lock = self._locks.get(owner_id)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[owner_id] = lock
        async with lock:
            yield


class DesignQuota:
    """Records a new design only while its owner has quota left.

    Rules: a user makes at most `daily_designs` designs per UTC day (the count starts
    again at midnight UTC; Retry-After points there); a trial account makes one design
    in all; only designs generating or ready count, so a failed or blocked generation
    is not counted; over the quota, RateLimited with code `quota_exceeded`.

    Atomicity: the count and the insert run in one unit of work while the owner's
    creates are serialised, in this process by a lock per owner, and across processes
    by the repository, which holds a lock on the owner's row from the count to the
    commit where the database has row locks (PostgreSQL).

    Known limit: on SQLite, serialisation holds within one process only, which is the
    embedded mode's deployment.
    """

    def __init__(self, policy: LimitsPolicy, locks: OwnerLocks | None = None) -> None:
        self._policy = policy
        self._locks = locks if locks is not None else OwnerLocks()

    async def record(self, uow_factory: UnitOfWorkFactory, design: Design) -> None:
        """Add and commit `design`, or raise RateLimited when its owner has no quota left."""
        async with self._locks.hold(design.owner_id), uow_factory() as uow:
            await self._check(uow, design.owner_id, design.created_at)
            await uow.designs.add(design)
            await uow.commit()

    async def _check(self, uow: UnitOfWork, owner_id: UUID, now: datetime) -> None:
        owner = await uow.users.get(owner_id)
        if owner is not None and is_trial_account(owner):
            used = await uow.designs.count_for_owner_since(
                owner_id, owner.created_at, COUNTED_STATUSES
            )
            if used >= DESIGNS_PER_TRIAL_ACCOUNT:
                raise RateLimited(
                    self._policy.trial_window_seconds,
                    "A trial makes one design; sign up to make more.",
                    code=QUOTA_EXCEEDED,
                )
            return
        limit = self._policy.daily_designs
        if limit == 0:
            return

        day_start = start_of_utc_day(now)
        used = await uow.designs.count_for_owner_since(owner_id, day_start, COUNTED_STATUSES)
        if used < limit:
            return
        renews_in = math.ceil((day_start + ONE_DAY - now).total_seconds())
        logger.info("daily quota reached owner=%s limit=%d", owner_id, limit)
        raise RateLimited(
            renews_in,
            f"The daily quota of {limit} designs is used up; it renews at midnight UTC.",
            code=QUOTA_EXCEEDED,
        )


# Direct constructions of CreateDesign (tests, tools) record designs without a limit.
NO_QUOTA = DesignQuota(LimitsPolicy(daily_designs=0))


@dataclass(frozen=True, slots=True)
class TrialGrant:
    user_id: UUID
    access_token: str
    expires_in: int


class StartTrial:
    """Let a caller without an account make a design.

    Rules: the trial is on when `anonymous_trial` > 0; each client address makes at
    most that many trial designs per `trial_window_seconds`, counted atomically when
    the request arrives (a request that then fails still counts), keyed by address
    and never by a cookie, so clearing cookies does not renew it; each trial design
    gets an account of its own with no password and no Google subject (nobody can log
    in as it), and the caller gets a short access token for it alone, so a trial
    design is visible only to the client that asked for it; that token belongs to a
    session of the account like any other, whose refresh token is never handed out,
    so it cannot be renewed; that account makes one design in all (DesignQuota).

    Known limits: clients behind one address (a NAT, an office) share its trial; a
    trial account stays after its design has expired, and one whose request then failed
    its checks holds no design at all.
    """

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        limiter: RateLimiter,
        tokens: TokenIssuer,
        clock: Clock,
        policy: LimitsPolicy,
        sessions: AccountPolicy,
    ) -> None:
        self._uow_factory = uow_factory
        self._limiter = limiter
        self._tokens = tokens
        self._clock = clock
        self._policy = policy
        self._sessions = sessions

    @property
    def enabled(self) -> bool:
        return self._policy.anonymous_trial > 0

    async def execute(self, client: str) -> TrialGrant:
        if not self.enabled:
            raise Unauthorized("A bearer access token is required.", code="token_missing")
        decision = await self._limiter.hit(
            f"trial:{client}", self._policy.anonymous_trial, self._policy.trial_window_seconds
        )
        if not decision.allowed:
            logger.info("anonymous trial used up client=%s", client)
            raise RateLimited(
                decision.retry_after_seconds,
                "The free trial is used up for this address; sign up to make more designs.",
                code=QUOTA_EXCEEDED,
            )

        account_id = uuid4()
        user = User(
            account_id,
            f"trial-{account_id.hex}@{TRIAL_EMAIL_DOMAIN}",
            None,
            verified=False,
            created_at=self._clock.now(),
        )
        async with self._uow_factory() as uow:
            await uow.users.add(user)
            session_id, _ = await open_session(uow, user, user.created_at, self._sessions)
            await uow.commit()
        token, expires_in = self._tokens.issue_access(user.id, session_id)
        logger.info("anonymous trial started user=%s remaining=%d", user.id, decision.remaining)
        return TrialGrant(user.id, token, expires_in)
