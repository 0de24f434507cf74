"""What every UserRepository must do."""

import asyncio
from dataclasses import replace
from uuid import uuid4

import pytest

from application.ports import UnitOfWorkFactory
from contracts_suite.builders import is_utc, make_user, stored_user
from domain.errors import Conflict, NotFound


class UserRepositoryContract:
    async def test_stored_user_comes_back_by_id_and_by_email(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        user = await stored_user(uow_factory, "ann@example.com")

        async with uow_factory() as uow:
            by_id = await uow.users.get(user.id)
            by_email = await uow.users.get_by_email("ann@example.com")
            unknown = await uow.users.get_by_email("bob@example.com")

        assert by_id == user
        assert by_email == user
        assert unknown is None
        assert by_id is not None and is_utc(by_id.created_at)

    async def test_an_email_registered_twice_is_a_conflict(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        await stored_user(uow_factory, "ann@example.com")

        async with uow_factory() as uow:
            with pytest.raises(Conflict) as raised:
                await uow.users.add(make_user("ann@example.com"))

        assert raised.value.code == "email_taken"

    async def test_an_email_added_twice_in_one_unit_of_work_is_a_conflict(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        async with uow_factory() as uow:
            await uow.users.add(make_user("ann@example.com"))
            with pytest.raises(Conflict) as raised:
                await uow.users.add(make_user("ann@example.com"))

        assert raised.value.code == "email_taken"

    async def test_save_stores_the_user_as_it_is_now(self, uow_factory: UnitOfWorkFactory) -> None:
        user = await stored_user(uow_factory)
        user.verified = True
        user.password_hash = None
        user.google_subject = "google-sub-1"

        async with uow_factory() as uow:
            await uow.users.save(user)
            await uow.commit()

        async with uow_factory() as uow:
            assert await uow.users.get(user.id) == user

    async def test_saving_a_copy_read_before_a_reset_never_lowers_the_session_epoch(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        user = await stored_user(uow_factory)
        stale = replace(user)
        user.end_every_session()
        async with uow_factory() as uow:
            await uow.users.save(user)
            await uow.commit()

        stale.verified = True
        async with uow_factory() as uow:
            await uow.users.save(stale)
            await uow.commit()

        async with uow_factory() as uow:
            stored = await uow.users.get(user.id)
        assert stored is not None and stored.verified and stored.session_epoch == 1

    async def test_save_onto_another_users_email_is_a_conflict(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        await stored_user(uow_factory, "ann@example.com")
        bob = await stored_user(uow_factory, "bob@example.com")
        bob.email = "ann@example.com"

        async with uow_factory() as uow:
            with pytest.raises(Conflict) as raised:
                await uow.users.save(bob)

        assert raised.value.code == "email_taken"

    async def test_save_of_an_unknown_user_is_not_found(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        async with uow_factory() as uow:
            with pytest.raises(NotFound):
                await uow.users.save(make_user())

    async def test_a_user_comes_back_by_google_subject(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        user = await stored_user(uow_factory, "ann@example.com")
        user.google_subject = "google-sub-ann"
        async with uow_factory() as uow:
            await uow.users.save(user)
            await uow.commit()

        async with uow_factory() as uow:
            found = await uow.users.get_by_google_subject("google-sub-ann")
            unknown = await uow.users.get_by_google_subject("google-sub-nobody")

        assert found == user
        assert unknown is None

    async def test_one_google_subject_is_linked_to_one_user(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        ann = await stored_user(uow_factory, "ann@example.com")
        bob = await stored_user(uow_factory, "bob@example.com")
        ann.google_subject = bob.google_subject = "google-sub-1"
        async with uow_factory() as uow:
            await uow.users.save(ann)
            await uow.commit()

        async with uow_factory() as uow:
            with pytest.raises(Conflict):
                await uow.users.save(bob)
                await uow.commit()

    async def test_a_google_link_is_made_once_and_never_replaced(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        ann = await stored_user(uow_factory, "ann@example.com")

        async with uow_factory() as uow:
            first = await uow.users.link_google(ann.id, "google-sub-a")
            await uow.commit()
        async with uow_factory() as uow:
            second = await uow.users.link_google(ann.id, "google-sub-b")
            await uow.commit()
        async with uow_factory() as uow:
            nobody = await uow.users.link_google(uuid4(), "google-sub-c")
            stored = await uow.users.get(ann.id)

        assert (first, second, nobody) == (True, False, False)
        assert stored is not None and stored.google_subject == "google-sub-a"

    async def test_a_subject_linked_to_another_user_is_a_conflict(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        ann = await stored_user(uow_factory, "ann@example.com")
        bob = await stored_user(uow_factory, "bob@example.com")
        async with uow_factory() as uow:
            await uow.users.link_google(ann.id, "google-sub-a")
            await uow.commit()

        async with uow_factory() as uow:
            with pytest.raises(Conflict):
                await uow.users.link_google(bob.id, "google-sub-a")
                await uow.commit()


class ConcurrentGoogleLinkContract:
    """Databases that decide a conditional write at the write: of links racing, one wins."""

    async def test_of_google_accounts_linking_at_once_exactly_one_wins(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        ann = await stored_user(uow_factory, "ann@example.com")

        async def link(subject: str) -> bool:
            async with uow_factory() as uow:
                linked = await uow.users.link_google(ann.id, subject)
                await asyncio.sleep(0.01)
                await uow.commit()
                return linked

        won = await asyncio.gather(*(link(f"google-sub-{n}") for n in range(5)))
        async with uow_factory() as uow:
            stored = await uow.users.get(ann.id)

        assert sum(won) == 1
        assert stored is not None
        assert stored.google_subject == f"google-sub-{won.index(True)}"
