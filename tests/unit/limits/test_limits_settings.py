"""The limit and hardening settings read from the environment."""

import ipaddress
from pathlib import Path

import pytest

from casecraft_testing import TEST_SECRET
from entrypoints.settings import SettingsError, load_settings


def _load(tmp_path: Path, **env: str):  # type: ignore[no-untyped-def]
    return load_settings({"CASECRAFT_DATA_DIR": str(tmp_path), "SECRET_KEY": TEST_SECRET, **env})


def test_the_defaults_limit_auth_and_designs_and_leave_the_trial_and_cors_off(
    tmp_path: Path,
) -> None:
    settings = _load(tmp_path)

    assert (settings.limits.auth_requests, settings.limits.auth_window_seconds) == (20, 60)
    assert settings.limits.daily_designs == 50
    assert settings.limits.anonymous_trial == 0
    assert settings.limits.trusted_proxies == ()
    assert settings.hardening.cors_origins == ()
    assert settings.hardening.allowed_hosts == ("127.0.0.1", "localhost", "::1")
    assert settings.hardening.strict_transport_security is False


def test_production_answers_only_for_the_public_host_and_sends_hsts(tmp_path: Path) -> None:
    settings = _load(
        tmp_path,
        CASECRAFT_ENV="production",
        CASECRAFT_PUBLIC_BASE_URL="https://API.Example.com:8443/",
    )

    assert settings.hardening.allowed_hosts == ("api.example.com",)
    assert settings.hardening.strict_transport_security is True


def test_every_figure_can_be_set(tmp_path: Path) -> None:
    settings = _load(
        tmp_path,
        CASECRAFT_AUTH_RATE_LIMIT="5",
        CASECRAFT_AUTH_RATE_WINDOW_SECONDS="300",
        CASECRAFT_DAILY_DESIGNS="0",
        CASECRAFT_ANONYMOUS_TRIAL="3",
        CASECRAFT_ANONYMOUS_TRIAL_DAYS="7",
        CASECRAFT_TRUSTED_PROXIES="10.0.0.0/8, 192.0.2.1 ,fd00::/8",
        CASECRAFT_CORS_ORIGINS="https://app.example.com/, http://localhost:5173",
        CASECRAFT_ALLOWED_HOSTS="API.example.com., *.example.net, [::1], 192.0.2.10",
    )

    limits = settings.limits
    assert (limits.auth_requests, limits.auth_window_seconds) == (5, 300)
    assert (limits.daily_designs, limits.anonymous_trial, limits.anonymous_trial_days) == (0, 3, 7)
    assert limits.trusted_proxies == (
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("192.0.2.1/32"),
        ipaddress.ip_network("fd00::/8"),
    )
    assert settings.hardening.cors_origins == ("https://app.example.com", "http://localhost:5173")
    assert settings.hardening.allowed_hosts == (
        "api.example.com",
        "*.example.net",
        "::1",
        "192.0.2.10",
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CASECRAFT_TRUSTED_PROXIES", "proxy.internal"),
        ("CASECRAFT_TRUSTED_PROXIES", "10.0.0.0/33"),
        ("CASECRAFT_CORS_ORIGINS", "*"),
        ("CASECRAFT_CORS_ORIGINS", "app.example.com"),
        ("CASECRAFT_CORS_ORIGINS", "https://app.example.com/path"),
        ("CASECRAFT_CORS_ORIGINS", "ftp://app.example.com"),
        ("CASECRAFT_ALLOWED_HOSTS", "example.com:8000"),
        ("CASECRAFT_ALLOWED_HOSTS", "https://example.com"),
        ("CASECRAFT_ALLOWED_HOSTS", "api.*.example.com"),
        ("CASECRAFT_AUTH_RATE_LIMIT", "0"),
        ("CASECRAFT_DAILY_DESIGNS", "-1"),
        ("CASECRAFT_ANONYMOUS_TRIAL_DAYS", "0"),
    ],
)
def test_unusable_values_are_refused_naming_the_variable(
    tmp_path: Path, name: str, value: str
) -> None:
    with pytest.raises(SettingsError, match=name):
        _load(tmp_path, **{name: value})
