"""The one Redis client of a process: short timeouts, so that an outage is noticed fast."""

import logging

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError

logger = logging.getLogger(__name__)

SOCKET_TIMEOUT_SECONDS = 1.0
CONNECT_TIMEOUT_SECONDS = 0.5
HEALTH_CHECK_INTERVAL_SECONDS = 30
# One quick retry replaces a pooled connection that Redis dropped; a timeout is not
# retried, since the command may have run, and a retried INCR would count twice.
RETRIES = 1
RETRY_BACKOFF = ExponentialBackoff(cap=0.05, base=0.01)


def connect_redis(
    host: str,
    port: int,
    *,
    db: int = 0,
    password: str | None = None,
    socket_timeout: float = SOCKET_TIMEOUT_SECONDS,
    connect_timeout: float = CONNECT_TIMEOUT_SECONDS,
    health_check_interval: int = HEALTH_CHECK_INTERVAL_SECONDS,
) -> Redis:
    """A client for `host:port`; it connects on first use, so this never fails for an outage.

    Build one per process and close it with `close_redis` when the process ends. A pooled
    connection idle for `health_check_interval` seconds is pinged before it is used.
    """
    client = Redis(
        host=host,
        port=port,
        db=db,
        password=password,
        socket_timeout=socket_timeout,
        socket_connect_timeout=connect_timeout,
        health_check_interval=health_check_interval,
        retry=Retry(RETRY_BACKOFF, RETRIES, supported_errors=(RedisConnectionError,)),
        client_name="casecraft",
    )
    logger.info("redis client ready host=%s port=%d db=%d", host, port, db)
    return client


async def close_redis(client: Redis) -> None:
    """Close every connection of the client's pool."""
    await client.aclose()
