"""The Litestar app factory, used by the server and the tests alike."""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from dishka import AsyncContainer, Provider, make_async_container
from litestar import Litestar, Router
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

from entrypoints.bootstrap import prepare
from entrypoints.http.accounts import AccountController
from entrypoints.http.catalog import CatalogAnswers, CatalogController
from entrypoints.http.designs import DesignController, make_upload_controller
from entrypoints.http.files import FileController
from entrypoints.http.google import GoogleSignInController
from entrypoints.http.hardening import allowed_hosts, cors_config, security_headers
from entrypoints.http.health import HealthController
from entrypoints.http.limits import request_limits
from entrypoints.http.media_types import body_media_types
from entrypoints.http.problems import EXCEPTION_HANDLERS
from entrypoints.http.request_scope import request_scope
from entrypoints.http.webhooks import WebhookController
from entrypoints.ioc import (
    AdapterProvider,
    GoogleSignInProvider,
    HttpProvider,
    LimitsProvider,
    UseCaseProvider,
)
from entrypoints.settings import Settings, load_settings
from entrypoints.worker import UpscaleWorker

logger = logging.getLogger(__name__)

API_VERSION = "1.0.0"


def build_container(settings: Settings, *overrides: Provider) -> AsyncContainer:
    """The production providers, then any overrides (tests swap adapters this way)."""
    return make_async_container(
        AdapterProvider(),
        UseCaseProvider(),
        HttpProvider(),
        LimitsProvider(),
        GoogleSignInProvider(),
        *overrides,
        context={Settings: settings},
    )


def create_app(settings: Settings | None = None, *overrides: Provider) -> Litestar:
    settings = settings or load_settings()
    container = build_container(settings, *overrides)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await prepare(container, settings)
        app.state.catalog_answers = await container.get(CatalogAnswers)
        worker_task: asyncio.Task[None] | None = None
        worker: UpscaleWorker | None = None
        if settings.worker.embedded:
            worker = UpscaleWorker(container, settings.worker.poll_seconds)
            worker_task = asyncio.create_task(worker.run(), name="upscale-worker")
        try:
            yield
        finally:
            if worker is not None and worker_task is not None:
                await worker.shut_down(worker_task, settings.worker.stop_grace_seconds)
            await container.close()

    app = Litestar(
        route_handlers=[
            CatalogController,
            Router(
                path="/",
                middleware=[request_scope],
                route_handlers=[
                    HealthController,
                    AccountController,
                    GoogleSignInController,
                    DesignController,
                    make_upload_controller(settings.images.max_upload_bytes),
                    FileController,
                    WebhookController,
                ],
            ),
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        # Hardening and limits (entrypoints.http.hardening, .media_types, .limits): hosts
        # are checked first, then the body's media type, so a body a route does not read
        # starts no trial, then the per-address limits; headers go on every answer.
        middleware=[allowed_hosts(settings.hardening), body_media_types, request_limits],
        before_send=[security_headers(settings.hardening)],
        cors_config=cors_config(settings.hardening),
        lifespan=[lifespan],
        openapi_config=OpenAPIConfig(
            title="CaseCraft",
            version=API_VERSION,
            description="Phone-shaped skins and wallpapers from a prompt or a photo.",
            path="/schema",
            render_plugins=[ScalarRenderPlugin()],
            components=Components(
                security_schemes={
                    "bearer": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")
                }
            ),
        ),
        request_max_body_size=settings.http.max_body_bytes,
        # Logging is configured once, by the entrypoint, in the service's own format.
        logging_config=None,
        debug=False,
    )
    app.state.dishka_container = container
    return app
