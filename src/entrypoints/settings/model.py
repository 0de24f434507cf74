"""The settings' shape: one frozen dataclass per concern, each with its embedded default.

Secrets are left out of every repr, so a logged settings object shows none.
"""

import ipaddress
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

DEVELOPMENT = "development"
PRODUCTION = "production"


class SettingsError(ValueError):
    """A setting is missing or unusable; the message names the variable."""


@dataclass(frozen=True, slots=True)
class DatabaseSettings:
    url: str
    auto_migrate: bool = True


@dataclass(frozen=True, slots=True)
class SecuritySettings:
    secret_key: str = field(repr=False)
    jwt_algorithm: str = "HS256"
    access_token_minutes: int = 30
    issuer: str = "casecraft"
    audience: str = "casecraft-api"


@dataclass(frozen=True, slots=True)
class ImageSettings:
    max_upload_bytes: int = 20 * 1024 * 1024
    max_pixels: int = 40_000_000
    preview_max_width: int = 768
    concurrency: int = field(default_factory=lambda: os.cpu_count() or 2)


@dataclass(frozen=True, slots=True)
class HttpSettings:
    host: str = "127.0.0.1"
    port: int = 8000
    public_base_url: str = "http://127.0.0.1:8000"
    max_body_bytes: int = 1024 * 1024


# How long a stopping worker lets its current job run before giving it back.
DEFAULT_STOP_GRACE_SECONDS = 20.0


# The standalone worker's sign of life (entrypoints.heartbeat): in the temporary folder,
# so that each container has its own.
DEFAULT_HEARTBEAT_FILE = Path(tempfile.gettempdir()) / "casecraft-worker.alive"


@dataclass(frozen=True, slots=True)
class WorkerSettings:
    embedded: bool = True
    poll_seconds: float = 5.0
    lease_seconds: float = 120.0
    stop_grace_seconds: float = DEFAULT_STOP_GRACE_SECONDS
    heartbeat_file: Path = DEFAULT_HEARTBEAT_FILE


@dataclass(frozen=True, slots=True)
class RedisSettings:
    host: str
    port: int = 6379
    db: int = 0
    password: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class S3Settings:
    bucket: str
    region: str
    access_key_id: str | None = None
    secret_access_key: str | None = field(default=None, repr=False)
    endpoint_url: str | None = None
    public_endpoint_url: str | None = None


@dataclass(frozen=True, slots=True)
class ReplicateSettings:
    api_token: str = field(repr=False)
    base_url: str = "https://api.replicate.com"
    generator_model: str = "black-forest-labs/flux-schnell"
    photo_model: str = "black-forest-labs/flux-dev"
    upscaler_version: str = ""
    webhook_secret: str | None = field(default=None, repr=False)
    output_hosts: tuple[str, ...] = ("replicate.delivery",)
    deadline_seconds: int = 120


# Mail: SMTP_HOST, SMTP_PORT, SMTP_USERNAME, SMTP_PASSWORD, SMTP_TLS, SMTP_TIMEOUT_SECONDS,
# MAIL_FROM. Accounts: CASECRAFT_FRONTEND_URL, REFRESH_TOKEN_EXPIRE_DAYS.

SMTP_TLS_MODES = ("none", "starttls", "tls")
SMTP_DEFAULT_PORTS = {"none": 25, "starttls": 587, "tls": 465}
DEFAULT_MAIL_FROM = "CaseCraft <no-reply@casecraft.invalid>"


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str
    port: int = 587
    tls: str = "starttls"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout_seconds: float = 10.0


@dataclass(frozen=True, slots=True)
class MailSettings:
    """The sender of every mail, and the SMTP server when there is one (else the outbox)."""

    sender: str = DEFAULT_MAIL_FROM
    smtp: SmtpSettings | None = None


@dataclass(frozen=True, slots=True)
class AccountSettings:
    """Where the reset page lives (`frontend_url`, by default the public base URL) and how
    long a refresh token lasts unused."""

    frontend_url: str = "http://127.0.0.1:8000"
    refresh_token_days: int = 30


# Limits and hardening: CASECRAFT_AUTH_RATE_*, CASECRAFT_DAILY_DESIGNS,
# CASECRAFT_ANONYMOUS_TRIAL*, CASECRAFT_TRUSTED_PROXIES, CASECRAFT_CORS_ORIGINS,
# CASECRAFT_ALLOWED_HOSTS.

ProxyNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True, slots=True)
class LimitSettings:
    """Per-address limits of the auth routes, the daily design quota (0: none) and the
    anonymous trial (0: off); X-Forwarded-For is read only from `trusted_proxies`."""

    auth_requests: int = 20
    auth_window_seconds: int = 60
    daily_designs: int = 50
    anonymous_trial: int = 0
    anonymous_trial_days: int = 30
    trusted_proxies: tuple[ProxyNetwork, ...] = ()


@dataclass(frozen=True, slots=True)
class HardeningSettings:
    """Origins allowed by CORS (none: CORS off), the hosts the service answers for
    (`*` for any), and whether responses carry Strict-Transport-Security."""

    cors_origins: tuple[str, ...] = ()
    allowed_hosts: tuple[str, ...] = LOOPBACK_HOSTS
    strict_transport_security: bool = False


# Google sign-in: GOOGLE_CLIENT_ID (unset: sign-in off), GOOGLE_CLIENT_SECRET,
# GOOGLE_REDIRECT_URI, GOOGLE_DISCOVERY_URL.

GOOGLE_DISCOVERY_URL = "https://accounts.google.com/.well-known/openid-configuration"


@dataclass(frozen=True, slots=True)
class GoogleSettings:
    client_id: str
    client_secret: str = field(repr=False)
    redirect_uri: str
    discovery_url: str = GOOGLE_DISCOVERY_URL


@dataclass(frozen=True, slots=True)
class Settings:
    environment: str
    data_dir: Path
    database: DatabaseSettings
    security: SecuritySettings
    images: ImageSettings
    http: HttpSettings
    worker: WorkerSettings
    retention_hours: int = 48
    url_ttl_seconds: int = 300
    redis: RedisSettings | None = None
    s3: S3Settings | None = None
    replicate: ReplicateSettings | None = None
    limits: LimitSettings = field(default_factory=LimitSettings)
    hardening: HardeningSettings = field(default_factory=HardeningSettings)
    mail: MailSettings = field(default_factory=MailSettings)
    accounts: AccountSettings = field(default_factory=AccountSettings)
    google: GoogleSettings | None = None

    @property
    def storage_dir(self) -> Path:
        return self.data_dir / "files"
