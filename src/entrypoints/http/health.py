"""Liveness and readiness."""

from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Response, get

from application.ports import UnitOfWorkFactory
from entrypoints.http.schemas import HealthOut


class HealthController(Controller):
    path = "/health"
    tags = ["health"]

    @get("/live")
    async def live(self) -> HealthOut:
        """The process answers."""
        return HealthOut(status="ok")

    @get("/ready")
    @inject
    async def ready(self, uow_factory: FromDishka[UnitOfWorkFactory]) -> Response[HealthOut]:
        """The database answers."""
        try:
            async with uow_factory() as uow:
                await uow.phones.get("health-check")
        except Exception:  # any failure of the database means not ready
            return Response(HealthOut(status="unavailable"), status_code=503)
        return Response(HealthOut(status="ok"))
