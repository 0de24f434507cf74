"""Settings from the environment, grouped by concern, with an embedded default for each.

With no variable set the service runs on one machine: SQLite and files under the
data folder, the local image generator and upscaler, and a worker in the API
process. The variable names of the original service keep working.
"""

import os
from collections.abc import Mapping
from pathlib import Path

from entrypoints.settings.model import (
    DEFAULT_HEARTBEAT_FILE,
    DEFAULT_MAIL_FROM,
    DEFAULT_STOP_GRACE_SECONDS,
    DEVELOPMENT,
    GOOGLE_DISCOVERY_URL,
    LOOPBACK_HOSTS,
    PRODUCTION,
    SMTP_TLS_MODES,
    AccountSettings,
    DatabaseSettings,
    GoogleSettings,
    HardeningSettings,
    HttpSettings,
    ImageSettings,
    LimitSettings,
    MailSettings,
    ProxyNetwork,
    RedisSettings,
    ReplicateSettings,
    S3Settings,
    SecuritySettings,
    Settings,
    SettingsError,
    SmtpSettings,
    WorkerSettings,
)
from entrypoints.settings.secret_key import MIN_SECRET_BYTES, development_secret, weak_secret
from entrypoints.settings.sections import (
    account_settings,
    google_settings,
    hardening_settings,
    limit_settings,
    mail_settings,
    redis_settings,
    replicate_settings,
    s3_settings,
)
from entrypoints.settings.values import bool_setting, database_url, int_setting

__all__ = [
    "DEFAULT_MAIL_FROM",
    "DEFAULT_STOP_GRACE_SECONDS",
    "DEVELOPMENT",
    "GOOGLE_DISCOVERY_URL",
    "LOOPBACK_HOSTS",
    "MIN_SECRET_BYTES",
    "PRODUCTION",
    "SMTP_TLS_MODES",
    "AccountSettings",
    "DatabaseSettings",
    "GoogleSettings",
    "HardeningSettings",
    "HttpSettings",
    "ImageSettings",
    "LimitSettings",
    "MailSettings",
    "ProxyNetwork",
    "RedisSettings",
    "ReplicateSettings",
    "S3Settings",
    "SecuritySettings",
    "Settings",
    "SettingsError",
    "SmtpSettings",
    "WorkerSettings",
    "database_url",
    "load_settings",
]


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read the settings; production refuses a missing, default or short secret."""
    env = os.environ if env is None else env
    environment = env.get("CASECRAFT_ENV", DEVELOPMENT).strip().lower()
    if environment not in (DEVELOPMENT, PRODUCTION):
        raise SettingsError(f"CASECRAFT_ENV must be {DEVELOPMENT} or {PRODUCTION}")
    data_dir = Path(env.get("CASECRAFT_DATA_DIR", "data")).resolve()

    secret = env.get("SECRET_KEY", "")
    if environment == PRODUCTION:
        if weak_secret(secret):
            raise SettingsError(
                f"SECRET_KEY must be set to a random value of {MIN_SECRET_BYTES}+ bytes"
            )
    elif not secret:
        secret = development_secret(data_dir)
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
    port = int_setting(env, "CASECRAFT_PORT", 8000, minimum=1)
    host = env.get("CASECRAFT_HOST", "127.0.0.1")
    public_base_url = env.get("CASECRAFT_PUBLIC_BASE_URL", f"http://{host}:{port}").rstrip("/")
    return Settings(
        environment=environment,
        data_dir=data_dir,
        database=DatabaseSettings(
            url, auto_migrate=bool_setting(env, "CASECRAFT_AUTO_MIGRATE", True)
        ),
        security=SecuritySettings(
            secret_key=secret,
            jwt_algorithm=algorithm,
            access_token_minutes=int_setting(env, "ACCESS_TOKEN_EXPIRE_MINUTES", 30, minimum=1),
        ),
        images=ImageSettings(
            max_upload_bytes=int_setting(
                env, "CASECRAFT_MAX_UPLOAD_BYTES", 20 * 1024 * 1024, minimum=1
            ),
            max_pixels=int_setting(env, "CASECRAFT_MAX_PIXELS", 40_000_000, minimum=1),
            preview_max_width=int_setting(env, "CASECRAFT_PREVIEW_WIDTH", 768, minimum=16),
        ),
        http=HttpSettings(
            host=host,
            port=port,
            public_base_url=public_base_url,
        ),
        worker=WorkerSettings(
            embedded=bool_setting(env, "CASECRAFT_EMBEDDED_WORKER", True),
            poll_seconds=float(int_setting(env, "CASECRAFT_WORKER_POLL_SECONDS", 5, minimum=1)),
            lease_seconds=float(int_setting(env, "CASECRAFT_WORKER_LEASE_SECONDS", 120, minimum=3)),
            stop_grace_seconds=float(
                int_setting(
                    env,
                    "CASECRAFT_WORKER_STOP_GRACE_SECONDS",
                    int(DEFAULT_STOP_GRACE_SECONDS),
                    minimum=0,
                )
            ),
            heartbeat_file=Path(
                env.get("CASECRAFT_WORKER_HEARTBEAT_FILE", "").strip() or DEFAULT_HEARTBEAT_FILE
            ),
        ),
        retention_hours=int_setting(env, "CASECRAFT_RETENTION_HOURS", 48, minimum=1),
        redis=redis_settings(env),
        s3=s3_settings(env),
        replicate=replicate_settings(env),
        limits=limit_settings(env),
        hardening=hardening_settings(env, environment, public_base_url),
        mail=mail_settings(env, environment),
        accounts=account_settings(env, public_base_url),
        google=google_settings(env, public_base_url),
    )
