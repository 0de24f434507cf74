"""ObjectStorage in an S3 bucket, for production: AWS S3, MinIO or another S3-compatible server.

Rules:
- Keys, folder prefixes and content types follow `adapters.storage.keys`, as in
  the other adapters, so a key means the same file on disk, in memory and here.
- An object is stored with the content type its extension names, and a
  presigned URL asks S3 to answer with that same type.
- Every boto3 call runs in a worker thread, at most `max_pool_connections` at a
  time (the connection pool's size), so the event loop never blocks on S3.
- A key that holds nothing is NotFound for `get` and False for `exists`; any other
  failure of S3 or of the network is StorageUnavailable, raised within the timeouts.
- `delete_prefix` deletes the folder `prefix/` page by page, one DeleteObjects
  request of at most 1000 keys per page.
- Signed URLs are SigV4 presigned GETs for 1 s to 7 days, naming the public
  endpoint when one is configured; presigning sends nothing.
- No credential is kept by this class, logged, or put in an error message.

Known limits:
- A key may also be the folder of other keys, since S3 has no folders; the filesystem refuses that.
- `exists` answers False when the bucket itself is missing; `check_bucket` tells the two apart.
- Without s3:ListBucket on the bucket, S3 answers 403 for a missing key, so `get` raises
  StorageUnavailable instead of NotFound.
- A URL presigned with temporary credentials dies with them, whatever its expiry.
- A proxy in front of the public endpoint must pass the Host header and the path unchanged,
  because both are signed.
- A cancelled call frees its slot at once while its thread runs on until the timeouts.
- A `delete_prefix` that fails part way reports no count; repeating it finishes the job.
"""

import asyncio
import logging
import time
from collections.abc import Callable
from typing import TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from adapters.s3.blocking import delete_folder, object_exists, read_object
from adapters.s3.clients import AddressingStyle, build_clients
from adapters.s3.errors import StorageUnavailable, client_error_reason, transport_error_reason
from adapters.storage.keys import (
    check_content_type,
    content_type_for,
    validate_key,
    validate_prefix,
)
from adapters.storage.signing import MAX_EXPIRES_IN
from domain.errors import NotFound

logger = logging.getLogger(__name__)

T = TypeVar("T")

# The most keys one DeleteObjects request may name (S3 API reference, DeleteObjects).
MAX_DELETE_BATCH = 1000


class S3ObjectStorage:
    """Files in one bucket by key, served by presigned URLs. Build one for the process."""

    def __init__(
        self,
        *,
        bucket: str,
        region: str,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        endpoint_url: str | None = None,
        public_endpoint_url: str | None = None,
        addressing_style: AddressingStyle | None = None,
        max_pool_connections: int = 10,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        max_attempts: int = 3,
        delete_batch_size: int = MAX_DELETE_BATCH,
    ) -> None:
        """Build the clients. With explicit credentials nothing is sent until the first call;
        boto3's default chain may look credentials up (an instance role, say) while building.

        Leave both credentials out to use boto3's default chain. `endpoint_url`
        points at an S3-compatible server (path-style addressing by default);
        `public_endpoint_url` is where clients reach it, for presigned URLs.
        Raises ValueError for a setting that cannot work.
        """
        if not bucket:
            raise ValueError("the S3 bucket is required")
        if not 1 <= delete_batch_size <= MAX_DELETE_BATCH:
            raise ValueError(f"delete_batch_size must be 1 to {MAX_DELETE_BATCH}")
        self._bucket = bucket
        self._delete_batch_size = delete_batch_size
        self._client, self._presigner = build_clients(
            region=region,
            access_key_id=access_key_id,
            secret_access_key=secret_access_key,
            endpoint_url=endpoint_url,
            public_endpoint_url=public_endpoint_url,
            addressing_style=addressing_style,
            max_pool_connections=max_pool_connections,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            max_attempts=max_attempts,
        )
        self._slots = asyncio.Semaphore(max_pool_connections)

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store `data` under `key` with the content type of its extension, replacing any object.

        Raises ValueError for an invalid key, an extension not served or a content
        type that contradicts it, and StorageUnavailable when S3 fails.
        """
        content_type = check_content_type(validate_key(key), content_type)

        await self._call(
            "put",
            key,
            lambda: self._client.put_object(
                Bucket=self._bucket, Key=key, Body=data, ContentType=content_type
            ),
        )

    async def get(self, key: str) -> bytes:
        data = await self._call(
            "get", validate_key(key), lambda: read_object(self._client, self._bucket, key)
        )
        if data is None:
            raise NotFound("No file is stored under this key.")
        return data

    async def exists(self, key: str) -> bool:
        return await self._call(
            "exists", validate_key(key), lambda: object_exists(self._client, self._bucket, key)
        )

    async def delete_prefix(self, prefix: str) -> int:
        """Delete every key under the folder `prefix` and return how many there were.

        `designs/a` removes `designs/a/...` but neither `designs/ab/...` nor an
        object named `designs/a`. An empty or invalid prefix raises ValueError.
        """
        folder = validate_prefix(prefix) + "/"

        count = await self._call(
            "delete_prefix",
            folder,
            lambda: delete_folder(self._client, self._bucket, folder, self._delete_batch_size),
        )
        logger.info("deleted objects prefix=%s count=%d", folder, count)
        return count

    async def signed_url(self, key: str, expires_in: int) -> str:
        """A presigned GET of `key` for `expires_in` seconds (1 s to 7 days)."""
        content_type = content_type_for(validate_key(key))
        if isinstance(expires_in, bool) or not 0 < expires_in <= MAX_EXPIRES_IN:
            raise ValueError(f"expires_in must be 1 to {MAX_EXPIRES_IN} seconds")
        params = {"Bucket": self._bucket, "Key": key, "ResponseContentType": content_type}

        url: str = await self._call(
            "sign",
            key,
            lambda: self._presigner.generate_presigned_url(
                "get_object", Params=params, ExpiresIn=int(expires_in), HttpMethod="GET"
            ),
        )
        return url

    async def check_bucket(self) -> None:
        """Raise StorageUnavailable unless the bucket exists and the credentials may list it.

        For a readiness probe: listing (not HEAD) names a missing bucket in its answer
        and proves the s3:ListBucket right that tells a missing key from a refusal.
        """
        await self._call(
            "check_bucket",
            "",
            lambda: self._client.list_objects_v2(Bucket=self._bucket, MaxKeys=1),
        )

    def close(self) -> None:
        """Close the clients' connection pools, after the last call."""
        self._client.close()
        if self._presigner is not self._client:
            self._presigner.close()

    async def _call(self, operation: str, key: str, function: Callable[[], T]) -> T:
        started = time.perf_counter()
        try:
            async with self._slots:
                result = await asyncio.to_thread(function)
        except ClientError as exc:
            raise self._unavailable(operation, key, client_error_reason(exc), started) from exc
        except BotoCoreError as exc:
            raise self._unavailable(operation, key, transport_error_reason(exc), started) from exc
        logger.debug(
            "s3 call operation=%s key=%s seconds=%.3f",
            operation,
            key,
            time.perf_counter() - started,
        )
        return result

    def _unavailable(
        self, operation: str, key: str, reason: str, started: float
    ) -> StorageUnavailable:
        logger.warning(
            "s3 call failed operation=%s bucket=%s key=%s reason=%s seconds=%.3f",
            operation,
            self._bucket,
            key,
            reason,
            time.perf_counter() - started,
        )
        return StorageUnavailable(operation, self._bucket, key, reason)
