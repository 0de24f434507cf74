"""Reading each optional part of the settings from its variables."""

import ipaddress
from collections.abc import Mapping
from email.utils import parseaddr
from urllib.parse import urlsplit

from entrypoints.settings.model import (
    DEFAULT_MAIL_FROM,
    DEVELOPMENT,
    GOOGLE_DISCOVERY_URL,
    LOOPBACK_HOSTS,
    PRODUCTION,
    SMTP_DEFAULT_PORTS,
    SMTP_TLS_MODES,
    AccountSettings,
    GoogleSettings,
    HardeningSettings,
    LimitSettings,
    MailSettings,
    ProxyNetwork,
    RedisSettings,
    ReplicateSettings,
    S3Settings,
    SettingsError,
    SmtpSettings,
)
from entrypoints.settings.values import (
    allowed_host,
    http_url,
    int_setting,
    is_loopback,
    list_setting,
    origin,
)


def redis_settings(env: Mapping[str, str]) -> RedisSettings | None:
    host = env.get("REDIS_SERVER", "").strip()
    if not host:
        return None
    return RedisSettings(
        host=host,
        port=int_setting(env, "REDIS_PORT", 6379),
        db=int_setting(env, "REDIS_DB", 0),
        password=env.get("REDIS_PASSWORD") or None,
    )


def s3_settings(env: Mapping[str, str]) -> S3Settings | None:
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


def replicate_settings(env: Mapping[str, str]) -> ReplicateSettings | None:
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
        deadline_seconds=int_setting(env, "REPLICATE_DEADLINE_SECONDS", defaults.deadline_seconds),
    )


def limit_settings(env: Mapping[str, str]) -> LimitSettings:
    proxies: list[ProxyNetwork] = []
    for item in list_setting(env, "CASECRAFT_TRUSTED_PROXIES"):
        try:
            proxies.append(ipaddress.ip_network(item, strict=False))
        except ValueError as error:
            raise SettingsError(
                f"CASECRAFT_TRUSTED_PROXIES: {item!r} is not an IP address or network"
            ) from error
    return LimitSettings(
        auth_requests=int_setting(env, "CASECRAFT_AUTH_RATE_LIMIT", 20, minimum=1),
        auth_window_seconds=int_setting(env, "CASECRAFT_AUTH_RATE_WINDOW_SECONDS", 60, minimum=1),
        daily_designs=int_setting(env, "CASECRAFT_DAILY_DESIGNS", 50),
        anonymous_trial=int_setting(env, "CASECRAFT_ANONYMOUS_TRIAL", 0),
        anonymous_trial_days=int_setting(env, "CASECRAFT_ANONYMOUS_TRIAL_DAYS", 30, minimum=1),
        trusted_proxies=tuple(proxies),
    )


def hardening_settings(
    env: Mapping[str, str], environment: str, public_base_url: str
) -> HardeningSettings:
    """CORS origins as given; allowed hosts as given, else the public base URL's host
    plus, in development, the loopback names."""
    hosts = [allowed_host(item) for item in list_setting(env, "CASECRAFT_ALLOWED_HOSTS")]
    if not hosts:
        base_host = urlsplit(public_base_url).hostname
        hosts = [base_host] if base_host else []
        if environment == DEVELOPMENT:
            hosts.extend(LOOPBACK_HOSTS)
    return HardeningSettings(
        cors_origins=tuple(
            dict.fromkeys(origin(o) for o in list_setting(env, "CASECRAFT_CORS_ORIGINS"))
        ),
        allowed_hosts=tuple(dict.fromkeys(hosts)),
        strict_transport_security=environment == PRODUCTION,
    )


def mail_settings(env: Mapping[str, str], environment: str) -> MailSettings:
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
    if password is not None and tls == "none" and not is_loopback(host):
        raise SettingsError("SMTP_TLS=none would send SMTP_PASSWORD in clear; use starttls or tls")
    port = int_setting(env, "SMTP_PORT", SMTP_DEFAULT_PORTS[tls], minimum=1)
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
            timeout_seconds=float(int_setting(env, "SMTP_TIMEOUT_SECONDS", 10, minimum=1)),
        ),
    )


def account_settings(env: Mapping[str, str], public_base_url: str) -> AccountSettings:
    raw = env.get("CASECRAFT_FRONTEND_URL", "").strip() or public_base_url
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise SettingsError(
            f"CASECRAFT_FRONTEND_URL must be an http(s) URL like https://app.example.com, "
            f"not {raw!r}"
        )
    return AccountSettings(
        frontend_url=raw.rstrip("/"),
        refresh_token_days=int_setting(env, "REFRESH_TOKEN_EXPIRE_DAYS", 30, minimum=1),
    )


DISCOVERY_PATH = "/.well-known/openid-configuration"


def google_settings(env: Mapping[str, str], public_base_url: str) -> GoogleSettings | None:
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
    parts = urlsplit(discovery)
    if not parts.path.endswith(DISCOVERY_PATH) or (
        parts.scheme != "https" and not is_loopback(parts.hostname or "")
    ):
        raise SettingsError(
            f"GOOGLE_DISCOVERY_URL must be an https URL ending in {DISCOVERY_PATH} "
            "(plain http only on loopback)"
        )
    return GoogleSettings(
        client_id=client_id,
        client_secret=secret,
        redirect_uri=http_url("GOOGLE_REDIRECT_URI", redirect),
        discovery_url=http_url("GOOGLE_DISCOVERY_URL", discovery),
    )
