"""The provider's webhooks: signature checked on the raw body before anything is read."""

from typing import Any

from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, Response, post

from adapters.replicate.references import REFERENCE_PARAMETER
from adapters.replicate.webhooks import WebhookVerifier, parse_prediction_event
from application.generation import HandlePredictionWebhook
from application.ports import Clock
from domain.errors import NotFound

# Deliveries are small JSON predictions; anything larger is not one.
WEBHOOK_BODY_LIMIT = 256 * 1024


class WebhookController(Controller):
    tags = ["webhooks"]
    request_max_body_size = WEBHOOK_BODY_LIMIT

    @post("/v1/webhooks/replicate", status_code=204)
    @inject
    async def replicate(
        self,
        request: Request[Any, Any, Any],
        verifier: FromDishka[WebhookVerifier | None],
        clock: FromDishka[Clock],
        use_case: FromDishka[HandlePredictionWebhook],
    ) -> Response[None]:
        """A prediction's update from the image provider (signed; timestamps over 5 minutes
        old refused; each delivery handled once)."""
        if verifier is None:
            raise NotFound("Webhooks are not configured.", code="route_not_found")
        raw = await request.body()
        webhook_id = verifier.verify(request.headers, raw, clock.now())
        event = parse_prediction_event(raw)
        await use_case.execute(
            webhook_id, request.query_params.get(REFERENCE_PARAMETER), event.prediction_id
        )
        return Response(None, status_code=204)
