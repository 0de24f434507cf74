"""The boto3 clients of the S3 adapter, built once for the process.

One client makes every call. When a public endpoint is configured, a second
client bound to it only presigns URLs: presigning is local (no request is sent),
and the URL it yields names the host that clients can reach, while the calls
keep going to the internal endpoint.

Both clients sign with SigV4 in the given region, retry in botocore's standard
mode (`max_attempts` counts the first try) and give up on a silent server after
the connect and read timeouts.
"""

from typing import Any, Literal

import boto3
from botocore.config import Config

AddressingStyle = Literal["auto", "virtual", "path"]


def build_clients(
    *,
    region: str,
    access_key_id: str | None,
    secret_access_key: str | None,
    endpoint_url: str | None,
    public_endpoint_url: str | None,
    addressing_style: AddressingStyle | None,
    max_pool_connections: int,
    connect_timeout: float,
    read_timeout: float,
    max_attempts: int,
) -> tuple[Any, Any]:
    """The calling client and the presigning one (the same client without a public endpoint).

    Credentials are both given or both left out, for boto3's default chain
    (environment, shared files, container or instance role). A custom endpoint
    defaults to path-style addressing, which S3-compatible servers expect.
    Raises ValueError for a setting that cannot work.
    """
    _check_settings(region, access_key_id, secret_access_key, endpoint_url, public_endpoint_url)
    _check_limits(max_pool_connections, connect_timeout, read_timeout, max_attempts)
    style = addressing_style or ("path" if endpoint_url else "virtual")
    # Newer botocore adds CRC checksums to every upload, which some S3-compatible
    # servers refuse; they are kept for AWS and sent only when required elsewhere.
    checksums = "when_required" if endpoint_url else "when_supported"
    config = Config(
        signature_version="s3v4",
        region_name=region,
        retries={"mode": "standard", "total_max_attempts": max_attempts},
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        max_pool_connections=max_pool_connections,
        s3={"addressing_style": style},
        request_checksum_calculation=checksums,
        response_checksum_validation=checksums,
    )
    # A session of its own, so nothing leaks to or from boto3's module-wide default session.
    session = boto3.session.Session(
        aws_access_key_id=access_key_id,
        aws_secret_access_key=secret_access_key,
        region_name=region,
    )

    client = session.client("s3", endpoint_url=endpoint_url, config=config)
    if not public_endpoint_url or public_endpoint_url == endpoint_url:
        return client, client
    presigner = session.client("s3", endpoint_url=public_endpoint_url, config=config)
    return client, presigner


def _check_settings(
    region: str,
    access_key_id: str | None,
    secret_access_key: str | None,
    endpoint_url: str | None,
    public_endpoint_url: str | None,
) -> None:
    if not region:
        raise ValueError("the S3 region is required (SigV4 signs it)")
    if bool(access_key_id) != bool(secret_access_key):
        raise ValueError("give both the S3 access key id and its secret, or neither")
    for name, url in (("endpoint_url", endpoint_url), ("public_endpoint_url", public_endpoint_url)):
        if url is not None and not url.startswith(("http://", "https://")):
            raise ValueError(f"the S3 {name} must start with http:// or https://")


def _check_limits(
    max_pool_connections: int, connect_timeout: float, read_timeout: float, max_attempts: int
) -> None:
    if max_pool_connections < 1:
        raise ValueError("max_pool_connections must be at least 1")
    if connect_timeout <= 0 or read_timeout <= 0:
        raise ValueError("the S3 timeouts must be positive")
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")
