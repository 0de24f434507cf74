"""Serves stored files to holders of a signed URL (embedded mode's stand-in for S3)."""

from typing import Annotated

from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Response, get
from litestar.params import FromPath, QueryParameter

from adapters.storage.keys import content_type_for, validate_key
from adapters.storage.signing import SignedFileUrls
from application.ports import ObjectStorage
from domain.errors import NotFound, Unauthorized


class FileController(Controller):
    path = "/files"
    tags = ["files"]
    include_in_schema = False

    @get("/{key:path}")
    @inject
    async def serve(
        self,
        key: FromPath[str],
        urls: FromDishka[SignedFileUrls],
        storage: FromDishka[ObjectStorage],
        expires: Annotated[str, QueryParameter(max_length=16)] = "",
        signature: Annotated[str, QueryParameter(max_length=64)] = "",
    ) -> Response[bytes]:
        """The file under `key`, while the URL's signature holds and it has not expired."""
        key = key.lstrip("/")
        try:
            validate_key(key)
        except ValueError as error:
            raise NotFound("No such file.", code="file_not_found") from error
        if not urls.verify(key, expires, signature):
            raise Unauthorized("The link is invalid or has expired.", code="link_invalid")
        data = await storage.get(key)
        return Response(
            data,
            media_type=content_type_for(key),
            headers={"Cache-Control": "private, max-age=60", "X-Content-Type-Options": "nosniff"},
        )
