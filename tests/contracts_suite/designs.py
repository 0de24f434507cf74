"""What every DesignRepository must do."""

from dataclasses import replace
from datetime import timedelta
from uuid import uuid4

import pytest

from application.ports import UnitOfWorkFactory
from contracts_suite.builders import (
    NOW,
    is_utc,
    later,
    make_design,
    make_upload,
    make_variant,
    stored_design,
    stored_user,
)
from domain.designs import DesignStatus
from domain.errors import Conflict, NotFound


class DesignRepositoryContract:
    async def test_stored_design_comes_back_with_utc_timestamps(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        owner = await stored_user(uow_factory)
        upload = make_upload(owner.id)
        design = make_design(owner.id, upload_id=upload.id)
        async with uow_factory() as uow:
            await uow.uploads.add(upload)
            await uow.designs.add(design)
            await uow.commit()

        async with uow_factory() as uow:
            got = await uow.designs.get(design.id)
            unknown = await uow.designs.get(uuid4())

        assert got == design
        assert got is not None and is_utc(got.created_at) and is_utc(got.expires_at)
        assert unknown is None

    async def test_save_stores_status_failure_and_variants(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        design = await stored_design(uow_factory)
        design.mark_ready([make_variant(design.id, 1), make_variant(design.id, 0)])

        async with uow_factory() as uow:
            await uow.designs.save(design)
            await uow.commit()

        async with uow_factory() as uow:
            got = await uow.designs.get(design.id)

        assert got == design
        assert got is not None and got.status is DesignStatus.READY
        assert [v.index for v in got.variants] == [0, 1]

    async def test_save_of_an_unknown_design_is_not_found(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        owner = await stored_user(uow_factory)
        async with uow_factory() as uow:
            with pytest.raises(NotFound):
                await uow.designs.save(make_design(owner.id))

    async def test_a_design_id_added_twice_is_a_conflict(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        design = await stored_design(uow_factory)

        async with uow_factory() as uow:
            with pytest.raises(Conflict) as raised:
                await uow.designs.add(replace(design, prompt="again"))

        assert raised.value.code == "design_exists"

    async def test_a_design_of_an_unknown_owner_is_refused(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        async with uow_factory() as uow:
            with pytest.raises(Conflict) as raised:
                await uow.designs.add(make_design(uuid4()))

        assert raised.value.code == "missing_reference"

    async def test_library_lists_the_owners_kept_designs_newest_first(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        owner = await stored_user(uow_factory)
        other = await stored_user(uow_factory)
        old = make_design(owner.id, created_at=later(-3600))
        new = make_design(owner.id, created_at=later(-60))
        expired = make_design(owner.id, created_at=later(-7200), expires_at=NOW)
        not_mine = make_design(other.id)
        async with uow_factory() as uow:
            for design in (old, new, expired, not_mine):
                await uow.designs.add(design)
            await uow.commit()

        async with uow_factory() as uow:
            library = await uow.designs.list_for_owner(owner.id, now=NOW)
            first = await uow.designs.list_for_owner(owner.id, now=NOW, limit=1)
            later_on = await uow.designs.list_for_owner(owner.id, now=NOW + timedelta(days=30))

        assert [d.id for d in library] == [new.id, old.id]
        assert [d.id for d in first] == [new.id]
        assert later_on == []

    async def test_generating_designs_are_listed_oldest_first_with_their_prediction(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        old = await stored_design(uow_factory, created_at=later(-600))
        new = await stored_design(uow_factory, created_at=later(-10))
        ready = await stored_design(uow_factory, created_at=later(-900))
        async with uow_factory() as uow:
            for design, status in ((old, DesignStatus.GENERATING), (new, DesignStatus.GENERATING)):
                design.status = status
                design.record_submission("gen", f"pred-{design.id.hex[:6]}")
                await uow.designs.save(design)
            ready.status = DesignStatus.READY
            await uow.designs.save(ready)
            await uow.commit()

        async with uow_factory() as uow:
            listed = await uow.designs.list_generating(created_before=later(-60), limit=10)

        assert [d.id for d in listed] == [old.id]
        assert listed[0].prediction_id == f"pred-{old.id.hex[:6]}"

    async def test_count_for_owner_since_counts_the_owners_recent_designs_in_the_statuses(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        owner = await stored_user(uow_factory)
        other = await stored_user(uow_factory)
        since = later(-3600)
        before = make_design(owner.id, created_at=later(-3601))
        at_the_start = make_design(owner.id, created_at=since)
        ready = make_design(owner.id, created_at=later(-60))
        ready.mark_ready([make_variant(ready.id, 0)])
        failed = make_design(owner.id, created_at=later(-30))
        failed.mark_failed("content_blocked")
        not_mine = make_design(other.id, created_at=later(-10))
        async with uow_factory() as uow:
            for design in (before, at_the_start, ready, failed, not_mine):
                await uow.designs.add(design)
            await uow.commit()

        counted = (DesignStatus.GENERATING, DesignStatus.READY)
        async with uow_factory() as uow:
            recent = await uow.designs.count_for_owner_since(owner.id, since, counted)
            failures = await uow.designs.count_for_owner_since(
                owner.id, since, [DesignStatus.FAILED]
            )
            none = await uow.designs.count_for_owner_since(owner.id, since, [])
            nobody = await uow.designs.count_for_owner_since(uuid4(), since, counted)

        assert (recent, failures, none, nobody) == (2, 1, 0, 0)

    async def test_count_for_owner_since_sees_the_units_own_uncommitted_design(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        owner = await stored_user(uow_factory)
        counted = (DesignStatus.GENERATING, DesignStatus.READY)

        async with uow_factory() as uow:
            empty = await uow.designs.count_for_owner_since(owner.id, later(-60), counted)
            await uow.designs.add(make_design(owner.id))
            own = await uow.designs.count_for_owner_since(owner.id, later(-60), counted)
            await uow.rollback()
        async with uow_factory() as uow:
            after_rollback = await uow.designs.count_for_owner_since(owner.id, later(-60), counted)

        assert (empty, own, after_rollback) == (0, 1, 0)
