"""Designs and uploads over plain dicts (see adapters.memory.store)."""

from collections.abc import Collection
from datetime import datetime
from uuid import UUID

from adapters.memory.store import (
    View,
    copied,
    missing_reference,
)
from domain.designs import Design, DesignStatus, Upload
from domain.errors import Conflict, NotFound


class InMemoryDesignRepository(View):
    def _find(self, design_id: UUID) -> Design | None:
        return self._pending.designs.get(design_id) or self._store.designs.get(design_id)

    async def add(self, design: Design) -> None:
        """Raises Conflict(code="design_exists") for an id already taken."""
        if self._find(design.id) is not None:
            raise Conflict(f"Design {design.id} already exists.", code="design_exists")
        if design.owner_id not in self._store.users and design.owner_id not in self._pending.users:
            raise missing_reference("design")
        if design.upload_id is not None and not (
            design.upload_id in self._store.uploads or design.upload_id in self._pending.uploads
        ):
            raise missing_reference("design")
        self._pending.designs[design.id] = copied(design)

    async def get(self, design_id: UUID) -> Design | None:
        design = self._find(design_id)
        return copied(design) if design is not None else None

    async def save(self, design: Design) -> None:
        """Store the whole design as it is now; raises NotFound for an unknown design."""
        if self._find(design.id) is None:
            raise NotFound(f"Design {design.id} does not exist.", code="design_not_found")
        self._pending.designs[design.id] = copied(design)

    async def list_for_owner(
        self, owner_id: UUID, *, now: datetime, limit: int = 50
    ) -> list[Design]:
        """The owner's designs whose `expires_at` is after `now`, newest first."""
        designs = {**self._store.designs, **self._pending.designs}.values()
        kept = [d for d in designs if d.owner_id == owner_id and d.expires_at > now]
        kept.sort(key=lambda d: (d.created_at, d.id), reverse=True)
        return [copied(d) for d in kept[: max(0, limit)]]

    async def list_generating(self, *, created_before: datetime, limit: int) -> list[Design]:
        """Designs still generating created before `created_before`, oldest first."""
        designs = {**self._store.designs, **self._pending.designs}.values()
        pending = [
            d
            for d in designs
            if d.status is DesignStatus.GENERATING and d.created_at < created_before
        ]
        pending.sort(key=lambda d: (d.created_at, d.id))
        return [copied(d) for d in pending[: max(0, limit)]]

    async def count_for_owner_since(
        self, owner_id: UUID, since: datetime, statuses: Collection[DesignStatus]
    ) -> int:
        """The owner's designs created at or after `since` in one of `statuses`.

        Takes no lock: callers serialise in the process (see application.limits).
        """
        designs = {**self._store.designs, **self._pending.designs}.values()
        return sum(
            1
            for d in designs
            if d.owner_id == owner_id and d.created_at >= since and d.status in statuses
        )


class InMemoryUploadRepository(View):
    async def add(self, upload: Upload) -> None:
        """Raises Conflict(code="upload_exists") for an id already taken."""
        if upload.id in self._pending.uploads or upload.id in self._store.uploads:
            raise Conflict(f"Upload {upload.id} already exists.", code="upload_exists")
        if upload.owner_id not in self._store.users and upload.owner_id not in self._pending.users:
            raise missing_reference("upload")
        self._pending.uploads[upload.id] = copied(upload)

    async def get(self, upload_id: UUID) -> Upload | None:
        upload = self._pending.uploads.get(upload_id) or self._store.uploads.get(upload_id)
        return copied(upload) if upload is not None else None
