"""Settings from the environment, grouped by concern, with an embedded default for each.

With no variable set the service runs on one machine: SQLite and files under the
data folder, the local image generator and upscaler, and a worker in the API
process. The variable names of the original service keep working.
"""

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

DEVELOPMENT = "development"
PRODUCTION = "production"
MIN_SECRET_BYTES = 32
_KNOWN_DEFAULT_SECRETS = frozenset({"", "secret", "changeme", "change-me", "your-secret-key"})


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


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read the settings; production refuses a missing, default or short secret."""
    env = os.environ if env is None else env
    environment = env.get("CASECRAFT_ENV", DEVELOPMENT).strip().lower()
    if environment not in (DEVELOPMENT, PRODUCTION):
        raise SettingsError(f"CASECRAFT_ENV must be {DEVELOPMENT} or {PRODUCTION}")
    data_dir = Path(env.get("CASECRAFT_DATA_DIR", "data")).resolve()

    secret = env.get("SECRET_KEY", "")
    if environment == PRODUCTION:
        if (
            secret.strip().lower() in _KNOWN_DEFAULT_SECRETS
            or len(secret.encode()) < MIN_SECRET_BYTES
        ):
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
            public_base_url=env.get("CASECRAFT_PUBLIC_BASE_URL", f"http://{host}:{port}").rstrip(
                "/"
            ),
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
    )
