"""Reading one variable: numbers, flags, lists, URLs, origins and host names."""

import ipaddress
from collections.abc import Mapping
from urllib.parse import urlsplit

from entrypoints.settings.model import LOOPBACK_HOSTS, SettingsError


def int_setting(env: Mapping[str, str], name: str, default: int, *, minimum: int = 0) -> int:
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


def bool_setting(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be true or false, not {raw!r}")


def list_setting(env: Mapping[str, str], name: str) -> list[str]:
    return [item.strip() for item in env.get(name, "").split(",") if item.strip()]


def database_url(raw: str) -> str:
    """The URL with the async driver named, as SQLAlchemy wants it."""
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+asyncpg://" + raw[len(prefix) :]
    if raw.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + raw[len("sqlite:///") :]
    return raw


def origin(item: str) -> str:
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


def allowed_host(item: str) -> str:
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


def http_url(name: str, raw: str) -> str:
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.fragment:
        raise SettingsError(f"{name} must be an absolute http(s) URL, not {raw!r}")
    return raw


def is_loopback(host: str) -> bool:
    return host.lower().removeprefix("[").removesuffix("]") in LOOPBACK_HOSTS
