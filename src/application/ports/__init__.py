"""The ports the use cases need, named by role, one module per concern. Adapters implement them."""

from application.ports.coordination import (
    Clock,
    DesignStatusCache,
    NoticeListener,
    PredictionNotices,
    RateDecision,
    RateLimiter,
    WebhookLedger,
    WorkerWakeup,
)
from application.ports.imaging import (
    GenerationOutcome,
    GenerationRequest,
    ImageGenerator,
    ImageInfo,
    ImageProcessor,
    PredictionState,
    UpscaleOutcome,
    Upscaler,
)
from application.ports.messaging import (
    BackgroundTasks,
    Mailer,
    MailMessage,
)
from application.ports.persistence import (
    DesignRepository,
    JobRepository,
    OneTimeTokenRepository,
    PhoneRepository,
    RefreshTokenRepository,
    UnitOfWork,
    UnitOfWorkFactory,
    UploadRepository,
    UserRepository,
)
from application.ports.security import (
    AccessClaims,
    PasswordHasher,
    TokenIssuer,
)
from application.ports.storage import (
    ObjectStorage,
)

__all__ = [
    "AccessClaims",
    "BackgroundTasks",
    "Clock",
    "DesignRepository",
    "DesignStatusCache",
    "GenerationOutcome",
    "GenerationRequest",
    "ImageGenerator",
    "ImageInfo",
    "ImageProcessor",
    "JobRepository",
    "MailMessage",
    "Mailer",
    "NoticeListener",
    "ObjectStorage",
    "OneTimeTokenRepository",
    "PasswordHasher",
    "PhoneRepository",
    "PredictionNotices",
    "PredictionState",
    "RateDecision",
    "RateLimiter",
    "RefreshTokenRepository",
    "TokenIssuer",
    "UnitOfWork",
    "UnitOfWorkFactory",
    "UploadRepository",
    "UpscaleOutcome",
    "Upscaler",
    "UserRepository",
    "WebhookLedger",
    "WorkerWakeup",
]
