"""What every UnitOfWork must do: keep on commit, discard otherwise, copy in and out."""

import pytest

from application.ports import UnitOfWorkFactory
from contracts_suite.builders import make_user, stored_user


class UnitOfWorkContract:
    async def test_commit_keeps_the_changes(self, uow_factory: UnitOfWorkFactory) -> None:
        user = make_user()
        async with uow_factory() as uow:
            await uow.users.add(user)
            await uow.commit()

        async with uow_factory() as uow:
            assert await uow.users.get(user.id) == user

    async def test_leaving_without_commit_discards_the_changes(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        user = make_user()
        async with uow_factory() as uow:
            await uow.users.add(user)

        async with uow_factory() as uow:
            assert await uow.users.get(user.id) is None

    async def test_rollback_discards_the_changes(self, uow_factory: UnitOfWorkFactory) -> None:
        user = make_user()
        async with uow_factory() as uow:
            await uow.users.add(user)
            await uow.rollback()
            await uow.commit()

        async with uow_factory() as uow:
            assert await uow.users.get(user.id) is None

    async def test_an_error_in_the_block_discards_the_changes(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        user = make_user()
        with pytest.raises(RuntimeError):
            async with uow_factory() as uow:
                await uow.users.add(user)
                raise RuntimeError("use case failed")

        async with uow_factory() as uow:
            assert await uow.users.get(user.id) is None

    async def test_changing_an_entity_without_save_changes_nothing(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        user = await stored_user(uow_factory)
        async with uow_factory() as uow:
            loaded = await uow.users.get(user.id)
            assert loaded is not None
            loaded.verified = True
            await uow.commit()

        async with uow_factory() as uow:
            again = await uow.users.get(user.id)
        assert again is not None and again.verified is False

    async def test_changing_an_entity_after_add_changes_nothing(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        user = make_user()
        async with uow_factory() as uow:
            await uow.users.add(user)
            user.verified = True
            await uow.commit()

        async with uow_factory() as uow:
            stored = await uow.users.get(user.id)
        assert stored is not None and stored.verified is False

    async def test_uncommitted_changes_are_invisible_to_another_unit_of_work(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        user = make_user()
        async with uow_factory() as writer:
            await writer.users.add(user)
            async with uow_factory() as reader:
                seen = await reader.users.get(user.id)

        assert seen is None
