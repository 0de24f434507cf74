"""The daily quota across processes on PostgreSQL: the owner's row lock taken by the count
serialises creates that share no in-process lock."""

import asyncio

import pytest

from application.limits import DesignQuota, LimitsPolicy, OwnerLocks, start_of_utc_day
from application.ports import UnitOfWorkFactory
from contracts_suite.builders import make_design, stored_user
from contracts_suite.postgres import skip_module_without_postgres
from domain.designs import DesignStatus
from domain.errors import RateLimited

pytestmark = pytest.mark.integration

skip_module_without_postgres()


async def test_creates_from_separate_processes_never_exceed_the_quota(
    uow_factory: UnitOfWorkFactory,
) -> None:
    owner = await stored_user(uow_factory)
    policy = LimitsPolicy(daily_designs=3)
    # One DesignQuota per "process": none shares an in-process lock with another.
    designs = [make_design(owner.id) for _ in range(10)]

    outcomes = await asyncio.gather(
        *(DesignQuota(policy, OwnerLocks()).record(uow_factory, d) for d in designs),
        return_exceptions=True,
    )

    assert [o for o in outcomes if o is not None and not isinstance(o, RateLimited)] == []
    assert sum(o is None for o in outcomes) == 3
    async with uow_factory() as uow:
        kept = await uow.designs.count_for_owner_since(
            owner.id,
            start_of_utc_day(designs[0].created_at),
            (DesignStatus.GENERATING, DesignStatus.READY),
        )
    assert kept == 3


async def test_the_count_waits_for_another_units_lock_on_the_owner(
    uow_factory: UnitOfWorkFactory,
) -> None:
    owner = await stored_user(uow_factory)
    since = start_of_utc_day(make_design(owner.id).created_at)
    counted = (DesignStatus.GENERATING, DesignStatus.READY)
    first_counted = asyncio.Event()
    release = asyncio.Event()

    async def holder() -> None:
        async with uow_factory() as uow:
            await uow.designs.count_for_owner_since(owner.id, since, counted)
            first_counted.set()
            await release.wait()
            await uow.designs.add(make_design(owner.id))
            await uow.commit()

    async def second_count() -> int:
        await first_counted.wait()
        async with uow_factory() as uow:
            return await uow.designs.count_for_owner_since(owner.id, since, counted)

    holding = asyncio.create_task(holder())
    counting = asyncio.create_task(second_count())
    await first_counted.wait()
    done, _ = await asyncio.wait({counting}, timeout=0.3)
    release.set()
    await holding

    assert done == set(), "the second count ran while the first unit held the owner"
    assert await asyncio.wait_for(counting, timeout=5) == 1
