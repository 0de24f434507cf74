"""Whether the stores the service cannot work without answer: the database and the files."""

from application.ports import ObjectStorage, UnitOfWorkFactory

# A key nobody writes: asking whether it exists proves the storage answers.
READINESS_KEY = "health/ready.png"


class CheckReadiness:
    """Asks the database for one row and the storage for one key; raises what they raise."""

    def __init__(self, uow_factory: UnitOfWorkFactory, storage: ObjectStorage) -> None:
        self._uow_factory = uow_factory
        self._storage = storage

    async def execute(self) -> None:
        async with self._uow_factory() as uow:
            await uow.phones.get("health-check")
        await self._storage.exists(READINESS_KEY)
