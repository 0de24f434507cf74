"""How the S3 adapter reports a store it cannot use.

A missing object is a domain answer (`NotFound`, or False from `exists`); anything
else that botocore raises means the store itself is unusable: the endpoint does
not answer, a timeout ran out, the bucket does not exist, or the credentials are
refused. That becomes `StorageUnavailable`, whose message names the operation,
the bucket, the key and S3's error code, and never a credential.
"""

from typing import Any

# The codes S3 answers with for a key that holds nothing. A HEAD answer has no
# body, so it carries only its status, which botocore reports as the code "404".
_MISSING_KEY_CODES = frozenset({"NoSuchKey", "404", "NotFound"})


class StorageUnavailable(RuntimeError):
    """The object store could not be reached or refused the request; retrying may help."""

    def __init__(self, operation: str, bucket: str, key: str, reason: str) -> None:
        super().__init__(f"S3 {operation} failed for s3://{bucket}/{key}: {reason}")
        self.operation = operation
        self.reason = reason


def error_code(exc: Any) -> str:
    """S3's error code of a botocore ClientError, such as `NoSuchBucket` or `AccessDenied`."""
    return str(exc.response.get("Error", {}).get("Code", "")) or "Unknown"


def http_status(exc: Any) -> int:
    """The HTTP status of a botocore ClientError's answer, 0 when there was none."""
    return int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))


def is_missing_key(exc: Any) -> bool:
    """Whether a ClientError says the key holds nothing (as opposed to a missing bucket)."""
    return error_code(exc) in _MISSING_KEY_CODES


def client_error_reason(exc: Any) -> str:
    return f"{error_code(exc)} (HTTP {http_status(exc)})"


def transport_error_reason(exc: BaseException) -> str:
    """Names the botocore failure by its class: its text may carry the endpoint, never a secret,
    but the class says enough (EndpointConnectionError, ReadTimeoutError, NoCredentialsError)."""
    return type(exc).__name__
