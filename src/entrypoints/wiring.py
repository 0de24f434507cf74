"""Which adapter serves each port, chosen from the settings.

With nothing configured every part is the embedded one; each production part is
chosen by its own variables (DATABASE_URL, REDIS_SERVER, AWS_S3_BUCKET,
REPLICATE_API_TOKEN, SMTP_HOST), so they can be switched one at a time.
"""

import contextlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

from replicate.client import Client as ReplicateClient

from adapters.imaging.procedural import ProceduralImageGenerator
from adapters.imaging.upscaler import PillowUpscaler
from adapters.mail.outbox import OutboxMailer
from adapters.mail.smtp import SmtpMailer, SmtpTls
from adapters.memory.coordination import (
    InMemoryDesignStatusCache,
    InMemoryRateLimiter,
    InMemoryWebhookLedger,
)
from adapters.redis.connection import close_redis, connect_redis
from adapters.redis.notices import RedisPredictionNotices
from adapters.redis.rate_limiter import RedisRateLimiter
from adapters.redis.resilient import (
    ResilientDesignStatusCache,
    ResilientPredictionNotices,
    ResilientRateLimiter,
    ResilientWebhookLedger,
    ResilientWorkerWakeup,
)
from adapters.redis.status_cache import RedisDesignStatusCache
from adapters.redis.wakeup import RedisWorkerWakeup
from adapters.redis.webhooks import RedisWebhookLedger
from adapters.replicate.api import ReplicateApi, api_transport
from adapters.replicate.fetching import OutputFetcher
from adapters.replicate.generator import ReplicateImageGenerator
from adapters.replicate.upscaler import REAL_ESRGAN_VERSION, ReplicateUpscaler
from adapters.s3.storage import S3ObjectStorage
from adapters.storage.filesystem import FilesystemObjectStorage
from adapters.storage.signing import UrlSigner
from adapters.system.notices import InProcessPredictionNotices
from adapters.system.wakeup import InProcessWakeup
from application.ports import (
    Clock,
    DesignStatusCache,
    ImageGenerator,
    Mailer,
    ObjectStorage,
    PredictionNotices,
    RateLimiter,
    Upscaler,
    WebhookLedger,
    WorkerWakeup,
)
from entrypoints.settings import Settings

REDIS_PREFIX = "casecraft"
WEBHOOK_PATH = "/v1/webhooks/replicate"


@dataclass(frozen=True, slots=True)
class Coordination:
    wakeup: WorkerWakeup
    rate_limiter: RateLimiter
    webhook_ledger: WebhookLedger
    status_cache: DesignStatusCache
    notices: PredictionNotices


@contextlib.asynccontextmanager
async def coordination(settings: Settings, clock: Clock) -> AsyncIterator[Coordination]:
    """Redis when REDIS_SERVER is set, each port falling back to this process when it is
    away; otherwise this process alone."""
    limiter = InMemoryRateLimiter(clock)
    ledger = InMemoryWebhookLedger(clock)
    if settings.redis is None:
        yield Coordination(
            InProcessWakeup(),
            limiter,
            ledger,
            InMemoryDesignStatusCache(clock),
            InProcessPredictionNotices(),
        )
        return
    redis = connect_redis(
        settings.redis.host,
        settings.redis.port,
        db=settings.redis.db,
        password=settings.redis.password,
    )
    wakeup = RedisWorkerWakeup(redis, f"{REDIS_PREFIX}:wakeup")
    local_notices = InProcessPredictionNotices()
    notices = RedisPredictionNotices(redis, f"{REDIS_PREFIX}:predictions", local_notices)
    try:
        yield Coordination(
            ResilientWorkerWakeup(wakeup),
            ResilientRateLimiter(RedisRateLimiter(redis, f"{REDIS_PREFIX}:rate"), limiter),
            ResilientWebhookLedger(RedisWebhookLedger(redis, f"{REDIS_PREFIX}:webhook"), ledger),
            ResilientDesignStatusCache(RedisDesignStatusCache(redis, f"{REDIS_PREFIX}:status")),
            ResilientPredictionNotices(notices, local_notices),
        )
    finally:
        await notices.close()
        await wakeup.close()
        await close_redis(redis)


@contextlib.contextmanager
def object_storage(settings: Settings, clock: Clock) -> Iterator[ObjectStorage]:
    """S3 (or an S3-compatible server) when AWS_S3_BUCKET is set, else the data folder."""
    if settings.s3 is None:
        signer = UrlSigner.from_secret_key(settings.security.secret_key)
        yield FilesystemObjectStorage(
            settings.storage_dir, settings.http.public_base_url, signer, clock
        )
        return
    s3 = settings.s3
    storage = S3ObjectStorage(
        bucket=s3.bucket,
        region=s3.region,
        access_key_id=s3.access_key_id,
        secret_access_key=s3.secret_access_key,
        endpoint_url=s3.endpoint_url,
        public_endpoint_url=s3.public_endpoint_url,
    )
    try:
        yield storage
    finally:
        storage.close()


@dataclass(frozen=True, slots=True)
class Providers:
    generator: ImageGenerator
    upscaler: Upscaler


@contextlib.asynccontextmanager
async def image_providers(
    settings: Settings, notices: PredictionNotices
) -> AsyncIterator[Providers]:
    """Replicate's models when REPLICATE_API_TOKEN is set, else the local stand-ins.

    A request waiting on a generation hears of its end through `notices` (the webhook
    announces it) and polls the provider only now and then meanwhile.
    """
    if settings.replicate is None:
        yield Providers(ProceduralImageGenerator(), PillowUpscaler())
        return
    config = settings.replicate
    client = ReplicateClient(
        api_token=config.api_token, base_url=config.base_url, transport=api_transport()
    )
    fetcher = OutputFetcher(config.output_hosts)
    webhook_url = f"{settings.http.public_base_url}{WEBHOOK_PATH}"
    try:
        yield Providers(
            ReplicateImageGenerator(
                client,
                fetcher=fetcher,
                webhook_url=webhook_url,
                model=config.generator_model,
                image_model=config.photo_model,
                deadline_seconds=config.deadline_seconds,
                notices=notices,
            ),
            ReplicateUpscaler(
                client,
                fetcher=fetcher,
                webhook_url=webhook_url,
                version=config.upscaler_version or REAL_ESRGAN_VERSION,
            ),
        )
    finally:
        await fetcher.aclose()
        await ReplicateApi(client).aclose()


def mailer(settings: Settings, clock: Clock) -> Mailer:
    """SMTP when SMTP_HOST is set, else .eml files in the data folder's outbox."""
    smtp = settings.mail.smtp
    if smtp is None:
        return OutboxMailer(settings.data_dir / "outbox", settings.mail.sender, clock)
    return SmtpMailer(
        smtp.host,
        smtp.port,
        settings.mail.sender,
        clock,
        tls=SmtpTls(smtp.tls),
        username=smtp.username,
        password=smtp.password,
        timeout_seconds=smtp.timeout_seconds,
    )
