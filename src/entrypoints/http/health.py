"""Liveness and readiness."""

import logging

from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Response, get

from application.ports import ObjectStorage, UnitOfWorkFactory
from entrypoints.http.schemas import HealthOut

logger = logging.getLogger(__name__)

# A key nobody writes: asking whether it exists proves the storage answers.
READINESS_KEY = "health/ready.png"


class HealthController(Controller):
    path = "/health"
    tags = ["health"]

    @get("/live")
    async def live(self) -> HealthOut:
        """The process answers."""
        return HealthOut(status="ok")

    @get("/ready")
    @inject
    async def ready(
        self, uow_factory: FromDishka[UnitOfWorkFactory], storage: FromDishka[ObjectStorage]
    ) -> Response[HealthOut]:
        """The database and the file storage answer."""
        try:
            async with uow_factory() as uow:
                await uow.phones.get("health-check")
            await storage.exists(READINESS_KEY)
        except Exception:  # any failure of a store the service needs means not ready
            logger.warning("not ready", exc_info=True)
            return Response(HealthOut(status="unavailable"), status_code=503)
        return Response(HealthOut(status="ok"))
