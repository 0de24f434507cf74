"""The daily design quota over the in-memory adapters and SQLite: counted from the
database, failed designs free, atomic under concurrent creates."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from application.limits import (
    DESIGNS_PER_TRIAL_ACCOUNT,
    TRIAL_EMAIL_DOMAIN,
    DesignQuota,
    LimitsPolicy,
    OwnerLocks,
    start_of_utc_day,
)
from application.ports import UnitOfWork, UnitOfWorkFactory
from contracts_suite.adapters import (
    copy_sqlite_file,
    memory_factory,
    open_sql_database,
    sqlite_url,
)
from contracts_suite.builders import NOW, make_design, stored_user
from contracts_suite.local_fixtures import sqlite_template  # noqa: F401
from domain.designs import Design, DesignStatus
from domain.errors import RateLimited

COUNTED = (DesignStatus.GENERATING, DesignStatus.READY)


@pytest.fixture(params=["memory", "sqlite"])
async def units(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    sqlite_template: Path,  # noqa: F811
) -> AsyncIterator[UnitOfWorkFactory]:
    """Units of work over memory, then over a migrated SQLite file (the embedded default)."""
    if request.param == "memory":
        yield memory_factory()
        return
    url = sqlite_url(copy_sqlite_file(sqlite_template, tmp_path))
    async with open_sql_database(url) as database:
        yield database.unit_of_work_factory()


async def _count(units: UnitOfWorkFactory, design: Design) -> int:
    async with units() as uow:
        return await uow.designs.count_for_owner_since(
            design.owner_id, start_of_utc_day(design.created_at), COUNTED
        )


async def test_designs_up_to_the_quota_are_recorded_then_refused_until_midnight_utc(
    units: UnitOfWorkFactory,
) -> None:
    owner = await stored_user(units)
    quota = DesignQuota(LimitsPolicy(daily_designs=2))
    await quota.record(units, make_design(owner.id))
    await quota.record(units, make_design(owner.id, created_at=NOW + timedelta(minutes=1)))

    late = NOW + timedelta(hours=6)
    with pytest.raises(RateLimited) as refused:
        await quota.record(units, make_design(owner.id, created_at=late))

    assert refused.value.code == "quota_exceeded"
    assert refused.value.retry_after_seconds == 6 * 3600
    async with units() as uow:
        assert len(await uow.designs.list_for_owner(owner.id, now=NOW)) == 2


async def test_a_failed_or_blocked_design_is_not_counted(units: UnitOfWorkFactory) -> None:
    owner = await stored_user(units)
    quota = DesignQuota(LimitsPolicy(daily_designs=1))
    blocked = make_design(owner.id)
    await quota.record(units, blocked)
    blocked.mark_failed("content_blocked")
    async with units() as uow:
        await uow.designs.save(blocked)
        await uow.commit()

    await quota.record(units, make_design(owner.id))

    with pytest.raises(RateLimited):
        await quota.record(units, make_design(owner.id))


async def test_the_quota_starts_again_at_midnight_utc(units: UnitOfWorkFactory) -> None:
    owner = await stored_user(units)
    quota = DesignQuota(LimitsPolicy(daily_designs=1))
    midnight = start_of_utc_day(NOW) + timedelta(days=1)
    await quota.record(units, make_design(owner.id, created_at=midnight - timedelta(seconds=1)))

    await quota.record(units, make_design(owner.id, created_at=midnight))

    with pytest.raises(RateLimited):
        await quota.record(units, make_design(owner.id, created_at=midnight))


async def test_each_user_has_a_quota_of_their_own(units: UnitOfWorkFactory) -> None:
    alice = await stored_user(units)
    bob = await stored_user(units)
    quota = DesignQuota(LimitsPolicy(daily_designs=1))
    await quota.record(units, make_design(alice.id))

    await quota.record(units, make_design(bob.id))

    with pytest.raises(RateLimited):
        await quota.record(units, make_design(alice.id))


async def test_concurrent_creates_never_exceed_the_quota(units: UnitOfWorkFactory) -> None:
    owner = await stored_user(units)
    quota = DesignQuota(LimitsPolicy(daily_designs=3))
    designs = [make_design(owner.id) for _ in range(12)]

    outcomes = await asyncio.gather(
        *(quota.record(units, design) for design in designs), return_exceptions=True
    )

    refused = [o for o in outcomes if isinstance(o, RateLimited)]
    assert [o for o in outcomes if o is not None and not isinstance(o, RateLimited)] == []
    assert len(refused) == 9
    assert await _count(units, designs[0]) == 3


class YieldingUnits:
    """In-memory units of work whose count yields to the event loop between reading and
    answering, as a database round trip does, so concurrent creates interleave there."""

    def __init__(self) -> None:
        self._inner = memory_factory()

    def __call__(self) -> UnitOfWork:
        uow = self._inner()
        count = uow.designs.count_for_owner_since

        async def yielding_count(*args: Any) -> int:
            counted = await count(*args)
            await asyncio.sleep(0)
            return counted

        uow.designs.count_for_owner_since = yielding_count  # type: ignore[method-assign]
        return uow


async def test_creates_interleaving_at_the_count_are_serialised_per_owner() -> None:
    units = YieldingUnits()
    owner = await stored_user(units)
    quota = DesignQuota(LimitsPolicy(daily_designs=2))
    designs = [make_design(owner.id) for _ in range(8)]

    outcomes = await asyncio.gather(
        *(quota.record(units, design) for design in designs), return_exceptions=True
    )

    assert sum(outcome is None for outcome in outcomes) == 2
    assert await _count(units, designs[0]) == 2


async def test_a_quota_of_zero_means_no_daily_limit(units: UnitOfWorkFactory) -> None:
    owner = await stored_user(units)
    quota = DesignQuota(LimitsPolicy(daily_designs=0))

    for _ in range(5):
        await quota.record(units, make_design(owner.id))

    assert await _count(units, make_design(owner.id)) == 5


async def test_a_trial_account_makes_one_design_in_all(units: UnitOfWorkFactory) -> None:
    trial = await stored_user(units, f"trial-x@{TRIAL_EMAIL_DOMAIN}")
    quota = DesignQuota(LimitsPolicy(daily_designs=0, trial_window_seconds=3600))
    first = make_design(trial.id)
    await quota.record(units, first)

    with pytest.raises(RateLimited) as next_day:
        await quota.record(units, make_design(trial.id, created_at=NOW + timedelta(days=2)))

    assert DESIGNS_PER_TRIAL_ACCOUNT == 1
    assert next_day.value.code == "quota_exceeded"
    assert next_day.value.retry_after_seconds == 3600


async def test_a_trial_accounts_failed_design_leaves_its_one_design(
    units: UnitOfWorkFactory,
) -> None:
    trial = await stored_user(units, f"trial-y@{TRIAL_EMAIL_DOMAIN}")
    quota = DesignQuota(LimitsPolicy())
    failed = make_design(trial.id)
    await quota.record(units, failed)
    failed.mark_failed("provider_failed")
    async with units() as uow:
        await uow.designs.save(failed)
        await uow.commit()

    await quota.record(units, make_design(trial.id))


def test_the_day_starts_at_midnight_utc_whatever_the_offset_given() -> None:
    evening_in_new_york = datetime(2026, 3, 1, 21, 30, tzinfo=timezone(timedelta(hours=-5)))

    assert start_of_utc_day(evening_in_new_york) == datetime(2026, 3, 2, tzinfo=UTC)


async def test_owner_locks_are_dropped_once_nobody_holds_them() -> None:
    locks = OwnerLocks()

    async with locks.hold(uuid4()):
        held = len(locks)

    assert (held, len(locks)) == (1, 0)
