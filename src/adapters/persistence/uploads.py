"""Uploaded photos in SQL."""

from uuid import UUID

from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.persistence.errors import integrity_as_conflict
from adapters.persistence.mapping import upload_from_row, upload_to_row
from adapters.persistence.models import UploadRow
from domain.designs import Upload


class UploadRows(SQLAlchemyAsyncRepository[UploadRow]):
    model_type = UploadRow


class SqlAlchemyUploadRepository:
    """Uploads by id; an upload's owner must exist."""

    def __init__(self, session: AsyncSession) -> None:
        self._rows = UploadRows(session=session, auto_refresh=False)

    async def add(self, upload: Upload) -> None:
        """Raises Conflict(code="upload_exists") for an id already taken."""
        with integrity_as_conflict("upload"):
            await self._rows.add(upload_to_row(upload))

    async def get(self, upload_id: UUID) -> Upload | None:
        row = await self._rows.get_one_or_none(UploadRow.id == upload_id)
        return upload_from_row(row) if row is not None else None
