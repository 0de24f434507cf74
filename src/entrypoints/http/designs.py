"""Design routes: uploads, designs, the library and downloads."""

from typing import Annotated, Any
from uuid import UUID

from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_201_CREATED, HTTP_202_ACCEPTED

from application.designs import CreateDesign, ListDesigns, NewDesign, ShowDesign, UploadPhoto
from application.downloads import DownloadReady, RequestDownload
from domain.errors import InvalidInput, UnsupportedImage
from entrypoints.http.auth import CurrentUser, credentials_present
from entrypoints.http.schemas import (
    CreateDesignIn,
    DesignOut,
    DesignSummaryOut,
    DownloadOut,
    UploadOut,
)

IMAGE_TYPES = ("image/", "application/octet-stream")
GENERATING_RETRY_AFTER = 2
MAX_PREFERRED_WAIT = 60


def preferred_wait(prefer: str) -> float | None:
    """The wait a client asks for in RFC 7240's Prefer header; None when it asks nothing.

    `respond-async` means no wait; `wait=N` waits N seconds, at most 60; anything
    else in the header is ignored, as the RFC says.
    """
    wait: float | None = None
    for preference in prefer.split(","):
        name, _, value = preference.strip().partition("=")
        name = name.strip().lower()
        if name == "respond-async":
            return 0.0
        seconds = value.strip()
        if name == "wait" and seconds.isascii() and seconds.isdigit():
            digits = seconds.lstrip("0") or "0"
            # More than a few digits is past the cap anyway, and never worth an int().
            wait = float(
                MAX_PREFERRED_WAIT if len(digits) > 3 else min(int(digits), MAX_PREFERRED_WAIT)
            )
    return wait


JSON_BODY_LIMIT = 64 * 1024
# Multipart framing around the file: boundaries and part headers.
MULTIPART_OVERHEAD = 64 * 1024


async def _upload_bytes(request: Request[Any, Any, Any]) -> bytes:
    """The photo's bytes: the raw body, or the `file` part of a multipart form."""
    content_type = request.headers.get("content-type", "").lower()
    if content_type.startswith("multipart/form-data"):
        form = await request.form()
        part = form.get("file")
        if not isinstance(part, UploadFile):
            raise InvalidInput("The form has no `file` part.", code="file_missing", field="file")
        return await part.read()
    if content_type and not content_type.startswith(IMAGE_TYPES):
        raise UnsupportedImage(
            f"Send the photo as image/* or multipart/form-data, not {content_type}."
        )
    return await request.body()


class DesignController(Controller):
    tags = ["designs"]
    security = [{"bearer": []}]
    guards = [credentials_present]
    request_max_body_size = JSON_BODY_LIMIT

    @post("/v1/designs", status_code=HTTP_201_CREATED)
    @inject
    async def create(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[CreateDesignIn],
        user: FromDishka[CurrentUser],
        create: FromDishka[CreateDesign],
        show: FromDishka[ShowDesign],
    ) -> Response[DesignOut]:
        """Create a design from a prompt, an uploaded photo, or both; 1 to 4 variants.

        The answer waits for the previews up to a bound (`Prefer: wait=N`, N up to 60
        seconds; `Prefer: respond-async` answers at once): 201 with the previews when
        they are ready, else 202 with the design still `generating`, a Location to
        follow and a Retry-After.
        """
        wait = preferred_wait(request.headers.get("prefer", ""))
        design = await create.execute(
            NewDesign(
                owner_id=user.id,
                phone_slug=data.phone,
                kind=data.kind,
                prompt=data.prompt,
                upload_id=data.upload_id,
                variants=data.variants,
                seed=data.seed,
            ),
            wait_seconds=wait,
        )
        body = DesignOut.of(await show.execute(user.id, design.id))
        if design.finished:
            return Response(body, status_code=HTTP_201_CREATED)
        return Response(
            body,
            status_code=HTTP_202_ACCEPTED,
            headers={
                "Location": f"/v1/designs/{design.id}",
                "Retry-After": str(GENERATING_RETRY_AFTER),
            },
        )

    @get("/v1/designs")
    @inject
    async def library(
        self,
        user: FromDishka[CurrentUser],
        use_case: FromDishka[ListDesigns],
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 50,
    ) -> list[DesignSummaryOut]:
        """The caller's designs still kept, newest first."""
        return [DesignSummaryOut.of(d) for d in await use_case.execute(user.id, limit)]

    @get("/v1/designs/{design_id:uuid}")
    @inject
    async def show(
        self,
        design_id: FromPath[UUID],
        user: FromDishka[CurrentUser],
        use_case: FromDishka[ShowDesign],
    ) -> DesignOut:
        """One design of the caller's with short-lived preview URLs; anyone else's is 404."""
        return DesignOut.of(await use_case.execute(user.id, design_id))

    @post("/v1/designs/{design_id:uuid}/variants/{index:int}/download", status_code=200)
    @inject
    async def download(
        self,
        design_id: FromPath[UUID],
        index: FromPath[int],
        user: FromDishka[CurrentUser],
        use_case: FromDishka[RequestDownload],
        retry: FromQuery[bool] = False,
    ) -> Response[DownloadOut]:
        """The print file of a variant: 200 with a short-lived URL when ready, else 202 with
        Retry-After; a failed upscale is 409 until asked again with `retry=true`."""
        outcome = await use_case.execute(user.id, design_id, index, retry=retry)
        if isinstance(outcome, DownloadReady):
            return Response(
                DownloadOut(status="ready", url=outcome.url, expires_at=outcome.expires_at),
                status_code=200,
            )
        return Response(
            DownloadOut(status=outcome.status.value, retry_after=outcome.retry_after_seconds),
            status_code=202,
            headers={"Retry-After": str(outcome.retry_after_seconds)},
        )


def make_upload_controller(max_upload_bytes: int) -> type[Controller]:
    """The upload route, its body limit taken from the settings."""

    class UploadController(Controller):
        tags = ["designs"]
        security = [{"bearer": []}]
        guards = [credentials_present]
        request_max_body_size = max_upload_bytes + MULTIPART_OVERHEAD

        @post("/v1/uploads", status_code=HTTP_201_CREATED)
        @inject
        async def upload(
            self,
            request: Request[Any, Any, Any],
            user: FromDishka[CurrentUser],
            use_case: FromDishka[UploadPhoto],
        ) -> UploadOut:
            """Bring a photo: the raw body (image/*) or a multipart form with a `file` part.

            Over the byte cap is 413, bytes that are not an image 415, a decompression
            bomb 413. Use the answer's id as `uploadId` of a design.
            """
            data = await _upload_bytes(request)
            upload = await use_case.execute(user.id, data)
            return UploadOut(
                id=upload.id,
                width=upload.width_px,
                height=upload.height_px,
                created_at=upload.created_at,
            )

    return UploadController
