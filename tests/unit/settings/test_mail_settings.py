"""Mail and account settings: the outbox by default, SMTP by SMTP_HOST, no password in clear."""

from pathlib import Path

import pytest

from adapters.mail.outbox import OutboxMailer
from adapters.mail.smtp import SmtpMailer
from adapters.system.clock import SystemClock
from entrypoints.settings import SettingsError, load_settings
from entrypoints.wiring import mailer

STRONG = "Jd8fK2mQ7vX3pL9sW4tY6bN1cR5hG0aZ-e_uVqPn"


def settings(tmp_path: Path, **env: str):  # type: ignore[no-untyped-def]
    return load_settings({"CASECRAFT_DATA_DIR": str(tmp_path), "SECRET_KEY": STRONG, **env})


def test_no_smtp_host_means_the_outbox(tmp_path: Path) -> None:
    loaded = settings(tmp_path)

    assert loaded.mail.smtp is None
    assert "@" in loaded.mail.sender
    assert loaded.accounts.frontend_url == loaded.http.public_base_url


def test_smtp_variables_choose_the_smtp_server(tmp_path: Path) -> None:
    loaded = settings(
        tmp_path,
        SMTP_HOST="smtp.example.com",
        SMTP_USERNAME="apikey",
        SMTP_PASSWORD="hunter2-secret",
        SMTP_TLS="tls",
        MAIL_FROM="CaseCraft <hello@example.com>",
        SMTP_TIMEOUT_SECONDS="7",
    )

    smtp = loaded.mail.smtp
    assert smtp is not None
    assert (smtp.host, smtp.port, smtp.tls, smtp.username) == (
        "smtp.example.com",
        465,
        "tls",
        "apikey",
    )
    assert smtp.timeout_seconds == 7
    assert loaded.mail.sender == "CaseCraft <hello@example.com>"
    assert "hunter2-secret" not in repr(loaded)


@pytest.mark.parametrize(("tls", "port"), [("starttls", 587), ("none", 25), ("tls", 465)])
def test_the_default_port_follows_the_tls_mode(tmp_path: Path, tls: str, port: int) -> None:
    loaded = settings(tmp_path, SMTP_HOST="127.0.0.1", SMTP_TLS=tls)

    assert loaded.mail.smtp is not None and loaded.mail.smtp.port == port


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"SMTP_HOST": "smtp.example.com", "SMTP_TLS": "ssl"}, "SMTP_TLS"),
        ({"SMTP_HOST": "smtp.example.com", "SMTP_USERNAME": "u"}, "SMTP_PASSWORD"),
        (
            {
                "SMTP_HOST": "smtp.example.com",
                "SMTP_TLS": "none",
                "SMTP_USERNAME": "u",
                "SMTP_PASSWORD": "p",
            },
            "SMTP_PASSWORD",
        ),
        ({"SMTP_HOST": "smtp.example.com", "SMTP_PORT": "70000"}, "SMTP_PORT"),
        ({"MAIL_FROM": "nobody"}, "MAIL_FROM"),
        ({"CASECRAFT_FRONTEND_URL": "ftp://app.example.com"}, "CASECRAFT_FRONTEND_URL"),
        ({"CASECRAFT_FRONTEND_URL": "https://app.example.com/?next=x"}, "CASECRAFT_FRONTEND_URL"),
        ({"REFRESH_TOKEN_EXPIRE_DAYS": "0"}, "REFRESH_TOKEN_EXPIRE_DAYS"),
    ],
)
def test_unusable_mail_and_account_settings_are_refused(
    tmp_path: Path, env: dict[str, str], names: str
) -> None:
    with pytest.raises(SettingsError, match=names):
        settings(tmp_path, **env)


def test_a_password_in_clear_is_allowed_to_a_relay_on_loopback(tmp_path: Path) -> None:
    loaded = settings(
        tmp_path, SMTP_HOST="127.0.0.1", SMTP_TLS="none", SMTP_USERNAME="u", SMTP_PASSWORD="p"
    )

    assert loaded.mail.smtp is not None and loaded.mail.smtp.tls == "none"


def test_production_with_smtp_needs_a_sender(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="MAIL_FROM"):
        settings(tmp_path, CASECRAFT_ENV="production", SMTP_HOST="smtp.example.com")


def test_the_frontend_url_and_refresh_lifetime_are_read(tmp_path: Path) -> None:
    loaded = settings(
        tmp_path,
        CASECRAFT_FRONTEND_URL="https://app.example.com/",
        REFRESH_TOKEN_EXPIRE_DAYS="7",
    )

    assert loaded.accounts.frontend_url == "https://app.example.com"
    assert loaded.accounts.refresh_token_days == 7


def test_the_wiring_chooses_the_outbox_or_smtp(tmp_path: Path) -> None:
    clock = SystemClock()

    embedded = mailer(settings(tmp_path), clock)
    smtp = mailer(settings(tmp_path, SMTP_HOST="127.0.0.1", SMTP_TLS="none"), clock)

    assert isinstance(embedded, OutboxMailer)
    assert isinstance(smtp, SmtpMailer)
