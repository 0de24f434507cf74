"""The boto3 calls of S3ObjectStorage that take more than one step; each blocks, so each
runs in a worker thread.

A missing key comes back as None or False here; every other ClientError or
BotoCoreError goes up to the caller, which turns it into StorageUnavailable.
"""

import contextlib
import logging
from typing import Any

from botocore.exceptions import ClientError

from adapters.s3.errors import StorageUnavailable, is_missing_key

logger = logging.getLogger(__name__)


def read_object(client: Any, bucket: str, key: str) -> bytes | None:
    """The object's bytes, read to the end; None when the key holds nothing."""
    try:
        response = client.get_object(Bucket=bucket, Key=key)
    except ClientError as exc:
        if is_missing_key(exc):
            return None
        raise
    with contextlib.closing(response["Body"]) as body:
        data: bytes = body.read()
    return data


def object_exists(client: Any, bucket: str, key: str) -> bool:
    try:
        client.head_object(Bucket=bucket, Key=key)
    except ClientError as exc:
        if is_missing_key(exc):
            return False
        raise
    return True


def delete_folder(client: Any, bucket: str, folder: str, batch_size: int) -> int:
    """Delete every key that starts with `folder`, one page of at most `batch_size` at a time.

    Each page is deleted before the next is listed; S3 continues a listing after
    the last key it returned, so deleting what was listed moves nothing.
    """
    pages = client.get_paginator("list_objects_v2").paginate(
        Bucket=bucket, Prefix=folder, PaginationConfig={"PageSize": batch_size}
    )
    count = 0
    for page in pages:
        keys = [item["Key"] for item in page.get("Contents", [])]
        if keys:
            count += _delete_batch(client, bucket, folder, keys)
    return count


def _delete_batch(client: Any, bucket: str, folder: str, keys: list[str]) -> int:
    response: dict[str, Any] = client.delete_objects(
        Bucket=bucket,
        Delete={"Objects": [{"Key": key} for key in keys], "Quiet": True},
    )
    failures: list[dict[str, Any]] = response.get("Errors", [])
    if failures:
        first = failures[0].get("Code", "Unknown")
        reason = f"{len(failures)} of {len(keys)} keys not deleted, first {first}"
        logger.warning("s3 delete incomplete bucket=%s prefix=%s %s", bucket, folder, reason)
        raise StorageUnavailable("delete_prefix", bucket, folder, reason)
    return len(keys)
