"""Wrappers that keep each coordination port working while Redis is away.

PostgreSQL stays the truth, so losing Redis costs speed, never a design or a job. Each
wrapper asks Redis first; when Redis is away (no connection, no answer in time, or no
writes taken: `REDIS_UNAVAILABLE`) it reports to `RedisOutage`, which warns at most once
per interval, and answers from its fallback. While
Redis is paused it goes straight to the fallback; once the pause ends the next call
tries Redis again, so recovery needs nothing. Other errors are not caught: they are bugs.
"""

import contextlib
from collections.abc import AsyncIterator
from typing import Protocol
from uuid import UUID

from adapters.redis.outage import REDIS_UNAVAILABLE, RedisOutage
from adapters.system.notices import InProcessPredictionNotices
from adapters.system.wakeup import InProcessWakeup
from application.ports import (
    DesignStatusCache,
    NoticeListener,
    RateDecision,
    RateLimiter,
    WebhookLedger,
    WorkerWakeup,
)


class ResilientRateLimiter:
    """Falls back to `fallback`, meant to be this process's InMemoryRateLimiter.

    Known limit: while Redis is away, limits hold per process, so N processes allow up
    to N times the limit.
    """

    def __init__(
        self,
        redis_limiter: RateLimiter,
        fallback: RateLimiter,
        outage: RedisOutage | None = None,
    ) -> None:
        self._redis = redis_limiter
        self._fallback = fallback
        self._outage = outage or RedisOutage()

    async def hit(self, key: str, limit: int, window_seconds: int) -> RateDecision:
        if self._outage.worth_trying():
            try:
                decision = await self._redis.hit(key, limit, window_seconds)
            except REDIS_UNAVAILABLE as error:
                self._outage.failed("rate_limit", "per-process limits", error)
            else:
                self._outage.succeeded("rate_limit")
                return decision
        return await self._fallback.hit(key, limit, window_seconds)


class ResilientWebhookLedger:
    """Falls back to `fallback`, meant to be this process's InMemoryWebhookLedger.

    Known limit: a delivery seen only while Redis was away, or by another process, may
    be handled again; webhook handling is idempotent, so this costs only work.
    """

    def __init__(
        self,
        redis_ledger: WebhookLedger,
        fallback: WebhookLedger,
        outage: RedisOutage | None = None,
    ) -> None:
        self._redis = redis_ledger
        self._fallback = fallback
        self._outage = outage or RedisOutage()

    async def first_delivery(self, webhook_id: str, ttl_seconds: int) -> bool:
        if self._outage.worth_trying():
            try:
                first = await self._redis.first_delivery(webhook_id, ttl_seconds)
            except REDIS_UNAVAILABLE as error:
                self._outage.failed("webhook_ledger", "per-process ledger", error)
            else:
                self._outage.succeeded("webhook_ledger")
                return first
        return await self._fallback.first_delivery(webhook_id, ttl_seconds)


class ResilientDesignStatusCache:
    """Falls back to no cache: `get` misses, so callers read the database; `put` does nothing.

    Known limit: a status put while Redis was away is lost, so until the older cached
    copy expires a poll may see that older status.
    """

    def __init__(self, redis_cache: DesignStatusCache, outage: RedisOutage | None = None) -> None:
        self._redis = redis_cache
        self._outage = outage or RedisOutage()

    async def get(self, design_id: UUID) -> str | None:
        if not self._outage.worth_trying():
            return None
        try:
            status = await self._redis.get(design_id)
        except REDIS_UNAVAILABLE as error:
            self._outage.failed("status_cache", "database reads", error)
            return None
        self._outage.succeeded("status_cache")
        return status

    async def put(self, design_id: UUID, status: str, ttl_seconds: int) -> None:
        if not self._outage.worth_trying():
            return
        try:
            await self._redis.put(design_id, status, ttl_seconds)
        except REDIS_UNAVAILABLE as error:
            self._outage.failed("status_cache", "database reads", error)
            return
        self._outage.succeeded("status_cache")


class ResilientWorkerWakeup:
    """Falls back to polling: `wait` lasts its timeout and `notify` reaches only the
    waiters of this process (through `fallback`, by default an InProcessWakeup).

    Known limit: while Redis is away, a worker in another process finds a new job only
    at its next poll.
    """

    def __init__(
        self,
        redis_wakeup: WorkerWakeup,
        fallback: WorkerWakeup | None = None,
        outage: RedisOutage | None = None,
    ) -> None:
        self._redis = redis_wakeup
        self._fallback = fallback or InProcessWakeup()
        self._outage = outage or RedisOutage()

    async def notify(self) -> None:
        if self._outage.worth_trying():
            try:
                await self._redis.notify()
            except REDIS_UNAVAILABLE as error:
                self._outage.failed("wakeup_notify", "polling", error)
            else:
                self._outage.succeeded("wakeup_notify")
                return
        await self._fallback.notify()

    async def wait(self, timeout: float) -> None:
        if self._outage.worth_trying():
            try:
                await self._redis.wait(timeout)
            except REDIS_UNAVAILABLE as error:
                self._outage.failed("wakeup_wait", "polling", error)
            else:
                self._outage.succeeded("wakeup_wait")
                return
        await self._fallback.wait(timeout)


class SharedNotices(Protocol):
    """The Redis side of prediction notices (RedisPredictionNotices)."""

    async def announce(self, prediction_id: str) -> None: ...

    async def subscribe(self) -> None: ...


class ResilientPredictionNotices:
    """Falls back to this process: while Redis is away an announcement wakes only the
    listeners of this process (through `local`, the same one the Redis notices deliver to).

    Known limit: meanwhile a request waiting in another process learns the outcome at its
    next poll.
    """

    def __init__(
        self,
        redis_notices: SharedNotices,
        local: InProcessPredictionNotices,
        outage: RedisOutage | None = None,
    ) -> None:
        self._redis = redis_notices
        self._local = local
        self._outage = outage or RedisOutage()

    async def announce(self, prediction_id: str) -> None:
        if self._outage.worth_trying():
            try:
                await self._redis.announce(prediction_id)
            except REDIS_UNAVAILABLE as error:
                self._outage.failed("notice_announce", "this process only", error)
            else:
                self._outage.succeeded("notice_announce")
                return
        await self._local.announce(prediction_id)

    @contextlib.asynccontextmanager
    async def listening(self, prediction_id: str) -> AsyncIterator[NoticeListener]:
        if self._outage.worth_trying():
            try:
                await self._redis.subscribe()
            except REDIS_UNAVAILABLE as error:
                self._outage.failed("notice_listen", "this process only", error)
            else:
                self._outage.succeeded("notice_listen")
        async with self._local.listening(prediction_id) as listener:
            yield listener
