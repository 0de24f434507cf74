"""What every UploadRepository must do."""

from uuid import uuid4

import pytest

from application.ports import UnitOfWorkFactory
from contracts_suite.builders import is_utc, make_upload, stored_user
from domain.errors import Conflict


class UploadRepositoryContract:
    async def test_stored_upload_comes_back(self, uow_factory: UnitOfWorkFactory) -> None:
        owner = await stored_user(uow_factory)
        upload = make_upload(owner.id)
        async with uow_factory() as uow:
            await uow.uploads.add(upload)
            await uow.commit()

        async with uow_factory() as uow:
            got = await uow.uploads.get(upload.id)
            unknown = await uow.uploads.get(uuid4())

        assert got == upload
        assert got is not None and is_utc(got.created_at)
        assert unknown is None

    async def test_an_upload_of_an_unknown_owner_is_refused(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        async with uow_factory() as uow:
            with pytest.raises(Conflict) as raised:
                await uow.uploads.add(make_upload(uuid4()))

        assert raised.value.code == "missing_reference"
