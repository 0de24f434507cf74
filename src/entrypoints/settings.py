"""Settings from the environment, grouped by concern, with an embedded default for each.

With no variable set the service runs on one machine: SQLite and files under the
data folder, the local image generator and upscaler, and a worker in the API
process. The variable names of the original service keep working.
"""

import ipaddress
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import urlsplit

DEVELOPMENT = "development"
PRODUCTION = "production"
MIN_SECRET_BYTES = 32
_KNOWN_DEFAULT_SECRETS = frozenset({"", "secret", "changeme", "change-me", "your-secret-key"})
# Words of the placeholders that sample configurations ship with.
_PLACEHOLDER_WORDS = ("change", "secret", "your", "example", "default", "password", "xxx")
# A random value of 32+ bytes uses far more distinct characters than this.
MIN_DISTINCT_SECRET_CHARACTERS = 12


def _weak_secret(secret: str) -> bool:
    """A placeholder or a value with too little variety to have come from a random source."""
    lowered = secret.strip().lower()
    return (
        lowered in _KNOWN_DEFAULT_SECRETS
        or len(secret.encode()) < MIN_SECRET_BYTES
        or len(set(secret)) < MIN_DISTINCT_SECRET_CHARACTERS
        or any(word in lowered for word in _PLACEHOLDER_WORDS)
    )


class SettingsError(ValueError):
    """A setting is missing or unusable; the message names the variable."""


@dataclass(frozen=True, slots=True)
class DatabaseSettings:
    url: str
    auto_migrate: bool = True


@dataclass(frozen=True, slots=True)
class SecuritySettings:
    secret_key: str
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


@dataclass(frozen=True, slots=True)
class WorkerSettings:
    embedded: bool = True
    poll_seconds: float = 5.0
    lease_seconds: float = 120.0
    stop_grace_seconds: float = DEFAULT_STOP_GRACE_SECONDS


@dataclass(frozen=True, slots=True)
class RedisSettings:
    host: str
    port: int = 6379
    db: int = 0
    password: str | None = None


@dataclass(frozen=True, slots=True)
class S3Settings:
    bucket: str
    region: str
    access_key_id: str | None = None
    secret_access_key: str | None = None
    endpoint_url: str | None = None
    public_endpoint_url: str | None = None


@dataclass(frozen=True, slots=True)
class ReplicateSettings:
    api_token: str
    base_url: str = "https://api.replicate.com"
    generator_model: str = "black-forest-labs/flux-schnell"
    photo_model: str = "black-forest-labs/flux-dev"
    upscaler_version: str = ""
    webhook_secret: str | None = None
    output_hosts: tuple[str, ...] = ("replicate.delivery",)
    deadline_seconds: int = 120


# Mail: SMTP_HOST, SMTP_PORT, SMTP_USERNAME, SMTP_PASSWORD, SMTP_TLS, SMTP_TIMEOUT_SECONDS,
# MAIL_FROM. Accounts: CASECRAFT_FRONTEND_URL, REFRESH_TOKEN_EXPIRE_DAYS.

SMTP_TLS_MODES = ("none", "starttls", "tls")
_SMTP_DEFAULT_PORTS = {"none": 25, "starttls": 587, "tls": 465}
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


def _int(env: Mapping[str, str], name: str, default: int, *, minimum: int = 0) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as error:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from error
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, not {value}")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be true or false, not {raw!r}")


def database_url(raw: str) -> str:
    """The URL with the async driver named, as SQLAlchemy wants it."""
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+asyncpg://" + raw[len(prefix) :]
    if raw.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + raw[len("sqlite:///") :]
    return raw


def _development_secret(data_dir: Path) -> str:
    """A random secret kept in the data folder, so tokens survive a restart on one machine."""
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value


def _redis(env: Mapping[str, str]) -> RedisSettings | None:
    host = env.get("REDIS_SERVER", "").strip()
    if not host:
        return None
    return RedisSettings(
        host=host,
        port=_int(env, "REDIS_PORT", 6379),
        db=_int(env, "REDIS_DB", 0),
        password=env.get("REDIS_PASSWORD") or None,
    )


def _s3(env: Mapping[str, str]) -> S3Settings | None:
    bucket = env.get("AWS_S3_BUCKET", "").strip()
    if not bucket:
        return None
    return S3Settings(
        bucket=bucket,
        region=env.get("AWS_REGION", "").strip() or "us-east-1",
        access_key_id=env.get("AWS_ACCESS_KEY_ID") or None,
        secret_access_key=env.get("AWS_SECRET_ACCESS_KEY") or None,
        endpoint_url=env.get("AWS_S3_ENDPOINT_URL") or None,
        public_endpoint_url=env.get("AWS_S3_PUBLIC_ENDPOINT_URL") or None,
    )


def _replicate(env: Mapping[str, str]) -> ReplicateSettings | None:
    token = env.get("REPLICATE_API_TOKEN", "").strip()
    if not token:
        return None
    defaults = ReplicateSettings(api_token=token)
    hosts = env.get("REPLICATE_OUTPUT_HOSTS", "")
    return ReplicateSettings(
        api_token=token,
        base_url=env.get("REPLICATE_BASE_URL", defaults.base_url).rstrip("/"),
        generator_model=env.get("REPLICATE_GENERATOR_MODEL", defaults.generator_model),
        photo_model=env.get("REPLICATE_PHOTO_MODEL", defaults.photo_model),
        upscaler_version=env.get("REPLICATE_UPSCALER_VERSION", defaults.upscaler_version),
        webhook_secret=env.get("REPLICATE_WEBHOOK_SECRET") or None,
        output_hosts=tuple(h.strip() for h in hosts.split(",") if h.strip())
        or defaults.output_hosts,
        deadline_seconds=_int(env, "REPLICATE_DEADLINE_SECONDS", defaults.deadline_seconds),
    )


def _list(env: Mapping[str, str], name: str) -> list[str]:
    return [item.strip() for item in env.get(name, "").split(",") if item.strip()]


def _limits(env: Mapping[str, str]) -> LimitSettings:
    proxies: list[ProxyNetwork] = []
    for item in _list(env, "CASECRAFT_TRUSTED_PROXIES"):
        try:
            proxies.append(ipaddress.ip_network(item, strict=False))
        except ValueError as error:
            raise SettingsError(
                f"CASECRAFT_TRUSTED_PROXIES: {item!r} is not an IP address or network"
            ) from error
    return LimitSettings(
        auth_requests=_int(env, "CASECRAFT_AUTH_RATE_LIMIT", 20, minimum=1),
        auth_window_seconds=_int(env, "CASECRAFT_AUTH_RATE_WINDOW_SECONDS", 60, minimum=1),
        daily_designs=_int(env, "CASECRAFT_DAILY_DESIGNS", 50),
        anonymous_trial=_int(env, "CASECRAFT_ANONYMOUS_TRIAL", 0),
        anonymous_trial_days=_int(env, "CASECRAFT_ANONYMOUS_TRIAL_DAYS", 30, minimum=1),
        trusted_proxies=tuple(proxies),
    )


def _origin(item: str) -> str:
    parts = urlsplit(item.rstrip("/"))
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.path
        or parts.query
        or parts.fragment
        or "@" in parts.netloc
    ):
        raise SettingsError(
            f"CASECRAFT_CORS_ORIGINS: {item!r} is not an origin like https://app.example.com"
        )
    return f"{parts.scheme}://{parts.netloc.lower()}"


def _allowed_host(item: str) -> str:
    host = item.lower().rstrip(".").removeprefix("[").removesuffix("]")
    if host == "*" or (host.startswith("*.") and len(host) > 2):
        return host
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    if not host or any(ch in host for ch in ":/*@ "):
        raise SettingsError(
            f"CASECRAFT_ALLOWED_HOSTS: {item!r} is not a host name (no scheme, no port)"
        )
    return host


def _hardening(env: Mapping[str, str], environment: str, public_base_url: str) -> HardeningSettings:
    """CORS origins as given; allowed hosts as given, else the public base URL's host
    plus, in development, the loopback names."""
    hosts = [_allowed_host(item) for item in _list(env, "CASECRAFT_ALLOWED_HOSTS")]
    if not hosts:
        base_host = urlsplit(public_base_url).hostname
        hosts = [base_host] if base_host else []
        if environment == DEVELOPMENT:
            hosts.extend(LOOPBACK_HOSTS)
    return HardeningSettings(
        cors_origins=tuple(dict.fromkeys(_origin(o) for o in _list(env, "CASECRAFT_CORS_ORIGINS"))),
        allowed_hosts=tuple(dict.fromkeys(hosts)),
        strict_transport_security=environment == PRODUCTION,
    )


def _loopback(host: str) -> bool:
    return host.lower().removeprefix("[").removesuffix("]") in LOOPBACK_HOSTS


def _mail(env: Mapping[str, str], environment: str) -> MailSettings:
    """SMTP when SMTP_HOST is set, else the outbox; credentials are never sent in clear
    to anything but a relay on loopback."""
    sender = env.get("MAIL_FROM", "").strip()
    _, address = parseaddr(sender or DEFAULT_MAIL_FROM)
    if address.count("@") != 1 or any(ch in sender for ch in "\r\n"):
        raise SettingsError("MAIL_FROM must hold one address, such as no-reply@example.com")
    host = env.get("SMTP_HOST", "").strip()
    if not host:
        return MailSettings(sender=sender or DEFAULT_MAIL_FROM)
    if environment == PRODUCTION and not sender:
        raise SettingsError("MAIL_FROM must be set when SMTP_HOST is")

    tls = env.get("SMTP_TLS", "starttls").strip().lower() or "starttls"
    if tls not in SMTP_TLS_MODES:
        raise SettingsError("SMTP_TLS must be none, starttls or tls")
    username = env.get("SMTP_USERNAME") or None
    password = env.get("SMTP_PASSWORD") or None
    if (username is None) != (password is None):
        raise SettingsError("SMTP_USERNAME and SMTP_PASSWORD go together: set both or neither")
    if password is not None and tls == "none" and not _loopback(host):
        raise SettingsError("SMTP_TLS=none would send SMTP_PASSWORD in clear; use starttls or tls")
    port = _int(env, "SMTP_PORT", _SMTP_DEFAULT_PORTS[tls], minimum=1)
    if port > 65535:
        raise SettingsError("SMTP_PORT must be at most 65535")
    return MailSettings(
        sender=sender or DEFAULT_MAIL_FROM,
        smtp=SmtpSettings(
            host=host,
            port=port,
            tls=tls,
            username=username,
            password=password,
            timeout_seconds=float(_int(env, "SMTP_TIMEOUT_SECONDS", 10, minimum=1)),
        ),
    )


def _accounts(env: Mapping[str, str], public_base_url: str) -> AccountSettings:
    raw = env.get("CASECRAFT_FRONTEND_URL", "").strip() or public_base_url
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise SettingsError(
            f"CASECRAFT_FRONTEND_URL must be an http(s) URL like https://app.example.com, "
            f"not {raw!r}"
        )
    return AccountSettings(
        frontend_url=raw.rstrip("/"),
        refresh_token_days=_int(env, "REFRESH_TOKEN_EXPIRE_DAYS", 30, minimum=1),
    )


def _http_url(name: str, raw: str) -> str:
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.fragment:
        raise SettingsError(f"{name} must be an absolute http(s) URL, not {raw!r}")
    return raw


def _google(env: Mapping[str, str], public_base_url: str) -> GoogleSettings | None:
    client_id = env.get("GOOGLE_CLIENT_ID", "").strip()
    if not client_id:
        return None
    secret = env.get("GOOGLE_CLIENT_SECRET", "").strip()
    if not secret:
        raise SettingsError("GOOGLE_CLIENT_SECRET is required when GOOGLE_CLIENT_ID is set")
    redirect = env.get("GOOGLE_REDIRECT_URI", "").strip() or (
        f"{public_base_url}/v1/auth/google/callback"
    )
    discovery = env.get("GOOGLE_DISCOVERY_URL", "").strip() or GOOGLE_DISCOVERY_URL
    return GoogleSettings(
        client_id=client_id,
        client_secret=secret,
        redirect_uri=_http_url("GOOGLE_REDIRECT_URI", redirect),
        discovery_url=_http_url("GOOGLE_DISCOVERY_URL", discovery),
    )


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read the settings; production refuses a missing, default or short secret."""
    env = os.environ if env is None else env
    environment = env.get("CASECRAFT_ENV", DEVELOPMENT).strip().lower()
    if environment not in (DEVELOPMENT, PRODUCTION):
        raise SettingsError(f"CASECRAFT_ENV must be {DEVELOPMENT} or {PRODUCTION}")
    data_dir = Path(env.get("CASECRAFT_DATA_DIR", "data")).resolve()

    secret = env.get("SECRET_KEY", "")
    if environment == PRODUCTION:
        if _weak_secret(secret):
            raise SettingsError(
                f"SECRET_KEY must be set to a random value of {MIN_SECRET_BYTES}+ bytes"
            )
    elif not secret:
        secret = _development_secret(data_dir)
    elif len(secret.encode()) < MIN_SECRET_BYTES:
        raise SettingsError(f"SECRET_KEY must be at least {MIN_SECRET_BYTES} bytes")

    if data_dir.exists() and not data_dir.is_dir():
        raise SettingsError(f"CASECRAFT_DATA_DIR {data_dir} is not a folder")
    url = database_url(
        env.get("DATABASE_URL") or f"sqlite+aiosqlite:///{data_dir / 'casecraft.db'}"
    )
    if not url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
        raise SettingsError("DATABASE_URL must be a postgresql:// or sqlite:/// URL")
    algorithm = env.get("JWT_ALGORITHM", "HS256").strip().upper()
    if algorithm not in ("HS256", "HS384", "HS512"):
        raise SettingsError("JWT_ALGORITHM must be HS256, HS384 or HS512")
    port = _int(env, "CASECRAFT_PORT", 8000, minimum=1)
    host = env.get("CASECRAFT_HOST", "127.0.0.1")
    public_base_url = env.get("CASECRAFT_PUBLIC_BASE_URL", f"http://{host}:{port}").rstrip("/")
    return Settings(
        environment=environment,
        data_dir=data_dir,
        database=DatabaseSettings(url, auto_migrate=_bool(env, "CASECRAFT_AUTO_MIGRATE", True)),
        security=SecuritySettings(
            secret_key=secret,
            jwt_algorithm=algorithm,
            access_token_minutes=_int(env, "ACCESS_TOKEN_EXPIRE_MINUTES", 30, minimum=1),
        ),
        images=ImageSettings(
            max_upload_bytes=_int(env, "CASECRAFT_MAX_UPLOAD_BYTES", 20 * 1024 * 1024, minimum=1),
            max_pixels=_int(env, "CASECRAFT_MAX_PIXELS", 40_000_000, minimum=1),
            preview_max_width=_int(env, "CASECRAFT_PREVIEW_WIDTH", 768, minimum=16),
        ),
        http=HttpSettings(
            host=host,
            port=port,
            public_base_url=public_base_url,
        ),
        worker=WorkerSettings(
            embedded=_bool(env, "CASECRAFT_EMBEDDED_WORKER", True),
            poll_seconds=float(_int(env, "CASECRAFT_WORKER_POLL_SECONDS", 5, minimum=1)),
            lease_seconds=float(_int(env, "CASECRAFT_WORKER_LEASE_SECONDS", 120, minimum=3)),
            stop_grace_seconds=float(
                _int(
                    env,
                    "CASECRAFT_WORKER_STOP_GRACE_SECONDS",
                    int(DEFAULT_STOP_GRACE_SECONDS),
                    minimum=0,
                )
            ),
        ),
        retention_hours=_int(env, "CASECRAFT_RETENTION_HOURS", 48, minimum=1),
        redis=_redis(env),
        s3=_s3(env),
        replicate=_replicate(env),
        limits=_limits(env),
        hardening=_hardening(env, environment, public_base_url),
        mail=_mail(env, environment),
        accounts=_accounts(env, public_base_url),
        google=_google(env, public_base_url),
    )
