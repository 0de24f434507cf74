"""Ending a session's transaction the same way from the unit of work and from `lease_next`."""

from sqlalchemy.ext.asyncio import AsyncSession

from adapters.persistence.errors import integrity_as_conflict


async def commit(session: AsyncSession) -> None:
    """Commit, then expire every loaded row so the next read sees the database again.

    Expiring here rather than through the session maker's `expire_on_commit` keeps
    reads fresh whatever session maker the unit of work is given.
    """
    with integrity_as_conflict("row"):
        await session.commit()
    session.expire_all()
