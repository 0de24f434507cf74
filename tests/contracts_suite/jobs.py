"""What every JobRepository must do, leasing included."""

import asyncio
from datetime import datetime
from uuid import uuid4

import pytest

from application.ports import UnitOfWorkFactory
from contracts_suite.builders import (
    NOW,
    is_utc,
    later,
    make_job,
    stored_design,
    stored_jobs,
)
from domain.errors import Conflict, NotFound
from domain.jobs import JobStatus, UpscaleJob

LEASE_SECONDS = 60.0


async def lease(factory: UnitOfWorkFactory, worker: str, now: datetime = NOW) -> UpscaleJob | None:
    async with factory() as uow:
        return await uow.jobs.lease_next(worker, now, LEASE_SECONDS)


class JobRepositoryContract:
    async def test_stored_job_comes_back_with_utc_timestamps(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        design = await stored_design(uow_factory)
        job = make_job(design.id)
        await stored_jobs(uow_factory, job)

        async with uow_factory() as uow:
            got = await uow.jobs.get(job.id)
            unknown = await uow.jobs.get(uuid4())

        assert got == job
        assert got is not None and is_utc(got.next_attempt_at) and is_utc(got.updated_at)
        assert unknown is None

    async def test_a_job_of_an_unknown_design_is_refused(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        async with uow_factory() as uow:
            with pytest.raises(Conflict) as raised:
                await uow.jobs.add(make_job(uuid4()))

        assert raised.value.code == "missing_reference"

    async def test_latest_for_variant_is_the_newest_job_of_that_variant(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        design = await stored_design(uow_factory)
        first = make_job(design.id, created_at=later(-120), status=JobStatus.FAILED)
        retry = make_job(design.id, created_at=later(-60))
        other_variant = make_job(design.id, variant_index=1, created_at=NOW)
        await stored_jobs(uow_factory, first, retry, other_variant)

        async with uow_factory() as uow:
            latest = await uow.jobs.latest_for_variant(design.id, 0)
            none = await uow.jobs.latest_for_variant(design.id, 3)

        assert latest is not None and latest.id == retry.id
        assert none is None

    async def test_save_stores_the_job_as_it_is_now(self, uow_factory: UnitOfWorkFactory) -> None:
        design = await stored_design(uow_factory)
        job = make_job(design.id)
        await stored_jobs(uow_factory, job)
        job.record_submission("prediction-1", later(1))
        job.succeed("designs/x/0/skin.png", later(2))

        async with uow_factory() as uow:
            await uow.jobs.save(job)
            await uow.commit()

        async with uow_factory() as uow:
            assert await uow.jobs.get(job.id) == job

    async def test_save_of_an_unknown_job_is_not_found(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        design = await stored_design(uow_factory)
        async with uow_factory() as uow:
            with pytest.raises(NotFound):
                await uow.jobs.save(make_job(design.id))

    async def test_lease_takes_the_oldest_due_job(self, uow_factory: UnitOfWorkFactory) -> None:
        design = await stored_design(uow_factory)
        not_due = make_job(design.id, next_attempt_at=later(30))
        newer = make_job(
            design.id, variant_index=1, next_attempt_at=later(-10), created_at=later(-5)
        )
        oldest = make_job(
            design.id, variant_index=2, next_attempt_at=later(-10), created_at=later(-50)
        )
        await stored_jobs(uow_factory, not_due, newer, oldest)

        leased = await lease(uow_factory, "worker-a")

        assert leased is not None and leased.id == oldest.id
        assert leased.lease_owner == "worker-a"
        assert leased.attempts == 1
        assert leased.lease_expires_at == later(LEASE_SECONDS)

    async def test_lease_is_committed_by_lease_next_itself(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        design = await stored_design(uow_factory)
        job = make_job(design.id)
        await stored_jobs(uow_factory, job)

        async with uow_factory() as uow:
            await uow.jobs.lease_next("worker-a", NOW, LEASE_SECONDS)
            await uow.rollback()

        async with uow_factory() as uow:
            stored = await uow.jobs.get(job.id)
        assert stored is not None and stored.lease_owner == "worker-a"
        assert is_utc(stored.lease_expires_at)

    async def test_a_live_lease_is_not_taken_but_an_expired_one_is(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        design = await stored_design(uow_factory)
        await stored_jobs(uow_factory, make_job(design.id))
        await lease(uow_factory, "worker-a")

        while_live = await lease(uow_factory, "worker-b", later(LEASE_SECONDS - 1))
        once_expired = await lease(uow_factory, "worker-b", later(LEASE_SECONDS + 1))

        assert while_live is None
        assert once_expired is not None
        assert once_expired.lease_owner == "worker-b"
        assert once_expired.attempts == 2

    async def test_terminal_jobs_are_never_leased(self, uow_factory: UnitOfWorkFactory) -> None:
        design = await stored_design(uow_factory)
        succeeded = make_job(design.id, status=JobStatus.SUCCEEDED)
        failed = make_job(design.id, variant_index=1, status=JobStatus.FAILED)
        await stored_jobs(uow_factory, succeeded, failed)

        assert await lease(uow_factory, "worker-a", later(3600)) is None

    async def test_two_concurrent_leases_never_get_the_same_job(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        design = await stored_design(uow_factory)
        await stored_jobs(uow_factory, make_job(design.id))

        first, second = await asyncio.gather(
            lease(uow_factory, "worker-a"), lease(uow_factory, "worker-b")
        )

        assert [first is None, second is None].count(True) == 1

    async def test_concurrent_workers_share_the_queue_without_overlap(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        design = await stored_design(uow_factory)
        jobs = [make_job(design.id, variant_index=i, created_at=later(-i)) for i in range(3)]
        await stored_jobs(uow_factory, *jobs)

        results = await asyncio.gather(*(lease(uow_factory, f"worker-{n}") for n in range(6)))

        leased = [job for job in results if job is not None]
        assert sorted(job.id for job in leased) == sorted(job.id for job in jobs)
        async with uow_factory() as uow:
            for job in leased:
                stored = await uow.jobs.get(job.id)
                assert stored is not None and stored.lease_owner == job.lease_owner

    async def test_a_held_lease_is_extended_and_a_lost_one_is_not(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        design = await stored_design(uow_factory)
        job = make_job(design.id)
        await stored_jobs(uow_factory, job)
        leased = await lease(uow_factory, "w1")
        assert leased is not None

        async with uow_factory() as uow:
            extended = await uow.jobs.extend_lease(job.id, "w1", later(600))
        async with uow_factory() as uow:
            stolen = await uow.jobs.extend_lease(job.id, "w2", later(900))
        taken_early = await lease(uow_factory, "w2", later(300))

        assert extended is True
        assert stolen is False
        assert taken_early is None
        async with uow_factory() as uow:
            got = await uow.jobs.get(job.id)
        assert got is not None and got.lease_expires_at == later(600)

    async def test_a_variant_has_one_live_upscale_and_a_retry_only_after_a_failure(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        design = await stored_design(uow_factory)
        first = make_job(design.id)
        await stored_jobs(uow_factory, first)

        with pytest.raises(Conflict) as raised:
            await stored_jobs(uow_factory, make_job(design.id, created_at=later(5)))
        async with uow_factory() as uow:
            failed = await uow.jobs.get(first.id)
            assert failed is not None
            failed.status = JobStatus.FAILED
            await uow.jobs.save(failed)
            await uow.commit()
        retry = make_job(design.id, created_at=later(10))
        await stored_jobs(uow_factory, retry)

        assert raised.value.code == "upscale_already_queued"
        async with uow_factory() as uow:
            latest = await uow.jobs.latest_for_variant(design.id, 0)
        assert latest is not None and latest.id == retry.id
