"""Liveness and readiness."""

import logging

from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Response, get

from application.readiness import CheckReadiness
from entrypoints.http.schemas import HealthOut

logger = logging.getLogger(__name__)


class HealthController(Controller):
    path = "/health"
    tags = ["health"]

    @get("/live")
    async def live(self) -> HealthOut:
        """The process answers."""
        return HealthOut(status="ok")

    @get("/ready")
    @inject
    async def ready(self, check: FromDishka[CheckReadiness]) -> Response[HealthOut]:
        """The database and the file storage answer."""
        try:
            await check.execute()
        except Exception:  # any failure of a store the service needs means not ready
            logger.warning("not ready", exc_info=True)
            return Response(HealthOut(status="unavailable"), status_code=503)
        return Response(HealthOut(status="ok"))
