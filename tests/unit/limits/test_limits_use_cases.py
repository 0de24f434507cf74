"""The per-address auth limit and the anonymous trial over the in-process rate limiter."""

from datetime import UTC, datetime, timedelta

import pytest

from adapters.memory.coordination import InMemoryRateLimiter
from adapters.security.tokens import JwtTokenIssuer
from application.accounts import Authenticate
from application.limits import TRIAL_EMAIL_DOMAIN, LimitAuthRequests, LimitsPolicy, StartTrial
from application.settings import AccountPolicy
from contracts_suite.adapters import memory_factory
from domain.errors import RateLimited, Unauthorized

SECRET = "a-test-secret-that-is-long-enough-for-hs256-000000"


class FakeClock:
    def __init__(self) -> None:
        self.current = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current


async def test_an_address_gets_the_auth_limit_then_waits_for_the_window() -> None:
    clock = FakeClock()
    limit = LimitAuthRequests(
        InMemoryRateLimiter(clock), LimitsPolicy(auth_requests=3, auth_window_seconds=60)
    )
    for _ in range(3):
        await limit.execute("198.51.100.1")

    with pytest.raises(RateLimited) as refused:
        await limit.execute("198.51.100.1")
    await limit.execute("198.51.100.2")
    clock.current += timedelta(seconds=60)
    await limit.execute("198.51.100.1")

    assert refused.value.code == "rate_limited"
    assert refused.value.retry_after_seconds == 60


def _trial(policy: LimitsPolicy) -> tuple[StartTrial, Authenticate]:
    clock = FakeClock()
    tokens = JwtTokenIssuer(SECRET, "casecraft", "casecraft-api", 900, clock)
    uow_factory = memory_factory()
    trial = StartTrial(
        uow_factory, InMemoryRateLimiter(clock), tokens, clock, policy, AccountPolicy()
    )
    return trial, Authenticate(tokens, uow_factory, clock)


async def test_the_trial_is_off_by_default() -> None:
    trial, _ = _trial(LimitsPolicy())

    with pytest.raises(Unauthorized) as refused:
        await trial.execute("198.51.100.1")

    assert not trial.enabled
    assert refused.value.code == "token_missing"


async def test_each_trial_design_gets_an_account_of_its_own_until_the_address_used_them_all() -> (
    None
):
    trial, authenticate = _trial(LimitsPolicy(anonymous_trial=2, trial_window_seconds=7 * 86400))

    first = await trial.execute("198.51.100.1")
    second = await trial.execute("198.51.100.1")
    with pytest.raises(RateLimited) as used_up:
        await trial.execute("198.51.100.1")
    elsewhere = await trial.execute("198.51.100.2")

    assert len({first.user_id, second.user_id, elsewhere.user_id}) == 3
    assert await authenticate.execute(first.access_token) == first.user_id
    assert first.expires_in == 900
    assert used_up.value.code == "quota_exceeded"
    assert used_up.value.retry_after_seconds == 7 * 86400


async def test_a_trial_account_has_no_password_and_a_reserved_address() -> None:
    clock = FakeClock()
    uow_factory = memory_factory()
    tokens = JwtTokenIssuer(SECRET, "casecraft", "casecraft-api", 900, clock)
    trial = StartTrial(
        uow_factory,
        InMemoryRateLimiter(clock),
        tokens,
        clock,
        LimitsPolicy(anonymous_trial=1),
        AccountPolicy(),
    )

    grant = await trial.execute("198.51.100.1")

    async with uow_factory() as uow:
        account = await uow.users.get(grant.user_id)
    assert account is not None
    assert account.password_hash is None and account.google_subject is None
    assert account.email.endswith("@" + TRIAL_EMAIL_DOMAIN)
