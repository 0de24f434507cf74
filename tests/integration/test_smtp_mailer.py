"""The SMTP mailer against a real SMTP server on loopback (aiosmtpd): plain, STARTTLS and
TLS, with and without credentials, and the failures it must report without leaking."""

import logging
import time
from datetime import UTC, datetime
from email import message_from_bytes, policy

import pytest

from adapters.mail.smtp import SmtpMailer, SmtpTls
from application.ports import MailMessage
from domain.errors import MailFailed
from fakes.smtp_server import (
    LOOPBACK,
    Certificate,
    Inbox,
    free_port,
    password_checker,
    self_signed_certificate,
    silent_server,
    smtp_server,
)

pytestmark = pytest.mark.integration

SENDER = "CaseCraft <no-reply@casecraft.test>"
TOKEN = "Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5"
USERNAME = "relay-user"
PASSWORD = "relay-password-do-not-log"
MESSAGE = MailMessage(
    to="ann@example.com",
    subject="Reset your CaseCraft password",
    text=f"Open https://app.casecraft.test/reset-password#token={TOKEN}\nMerci, Zoë.\n",
    kind="password_reset",
)


class FixedClock:
    def now(self) -> datetime:
        return datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)


def mailer(port: int, **options: object) -> SmtpMailer:
    return SmtpMailer(LOOPBACK, port, SENDER, FixedClock(), **options)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    return self_signed_certificate(tmp_path_factory.mktemp("smtp-tls"))


def ours(caplog: pytest.LogCaptureFixture) -> str:
    """What the service logged; the fake server's own log is not the service's."""
    return "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("adapters."))


async def test_a_mail_arrives_with_its_envelope_and_headers() -> None:
    with smtp_server() as inbox:
        await mailer(inbox.port, tls=SmtpTls.NONE).send(MESSAGE)

    (received,) = inbox.received
    assert received.mail_from == "no-reply@casecraft.test"
    assert received.rcpt_tos == ["ann@example.com"]
    mail = message_from_bytes(received.data, policy=policy.default)
    assert mail["From"] == SENDER
    assert mail["To"] == "ann@example.com"
    assert mail["Subject"] == MESSAGE.subject
    assert mail["Date"].datetime == FixedClock().now()
    assert mail["Message-ID"].endswith("@casecraft.test>")
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail.get_content_type() == "text/plain"
    assert mail.get_content().replace("\r\n", "\n") == MESSAGE.text


async def test_credentials_are_used_when_given(certificate: Certificate) -> None:
    inbox = Inbox(free_port())
    with smtp_server(
        inbox=inbox,
        tls_context=certificate.server_context(),
        require_starttls=True,
        authenticator=password_checker(inbox, USERNAME, PASSWORD),
        auth_required=True,
    ):
        await mailer(
            inbox.port,
            tls=SmtpTls.STARTTLS,
            ssl_context=certificate.client_context(),
            username=USERNAME,
            password=PASSWORD,
        ).send(MESSAGE)

    assert inbox.logins == [(USERNAME, PASSWORD)]
    assert inbox.received[0].login == USERNAME


async def test_starttls_upgrades_before_anything_is_sent(certificate: Certificate) -> None:
    with smtp_server(tls_context=certificate.server_context(), require_starttls=True) as inbox:
        await mailer(
            inbox.port, tls=SmtpTls.STARTTLS, ssl_context=certificate.client_context()
        ).send(MESSAGE)

    assert len(inbox.received) == 1


async def test_implicit_tls_delivers(certificate: Certificate) -> None:
    with smtp_server(ssl_context=certificate.server_context()) as inbox:
        await mailer(inbox.port, tls=SmtpTls.TLS, ssl_context=certificate.client_context()).send(
            MESSAGE
        )

    assert len(inbox.received) == 1


async def test_starttls_is_never_skipped_when_the_server_does_not_offer_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with smtp_server() as inbox, pytest.raises(MailFailed) as failed:
        await mailer(inbox.port, tls=SmtpTls.STARTTLS).send(MESSAGE)

    assert inbox.received == []
    assert "STARTTLS" in failed.value.detail


async def test_an_untrusted_certificate_is_refused(certificate: Certificate) -> None:
    # The system's trust store does not know the self-signed certificate.
    with (
        smtp_server(tls_context=certificate.server_context()) as inbox,
        pytest.raises(MailFailed) as failed,
    ):
        await mailer(inbox.port, tls=SmtpTls.STARTTLS).send(MESSAGE)

    assert inbox.received == []
    assert "TLS" in failed.value.detail


async def test_wrong_credentials_fail_without_logging_them(
    certificate: Certificate, caplog: pytest.LogCaptureFixture
) -> None:
    inbox = Inbox(free_port())
    with (
        smtp_server(
            inbox=inbox,
            tls_context=certificate.server_context(),
            authenticator=password_checker(inbox, USERNAME, "the real password"),
            auth_required=True,
        ),
        caplog.at_level(logging.DEBUG),
        pytest.raises(MailFailed) as failed,
    ):
        await mailer(
            inbox.port,
            tls=SmtpTls.STARTTLS,
            ssl_context=certificate.client_context(),
            username=USERNAME,
            password=PASSWORD,
        ).send(MESSAGE)

    assert "login: authentication refused, code 535" in failed.value.detail
    assert inbox.received == []
    for text in (ours(caplog), failed.value.detail):
        assert PASSWORD not in text and USERNAME not in text
        assert TOKEN not in text and "ann@example.com" not in text


async def test_a_server_that_never_answers_times_out() -> None:
    with silent_server() as port:
        started = time.monotonic()
        with pytest.raises(MailFailed) as failed:
            await mailer(port, tls=SmtpTls.NONE, timeout_seconds=0.5).send(MESSAGE)

    assert "timed out" in failed.value.detail
    assert time.monotonic() - started < 5


async def test_a_closed_port_fails_cleanly() -> None:
    with pytest.raises(MailFailed) as failed:
        await mailer(free_port(), tls=SmtpTls.NONE, timeout_seconds=2).send(MESSAGE)

    assert "connection" in failed.value.detail


async def test_a_sent_mail_is_logged_without_recipient_or_token(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with smtp_server() as inbox, caplog.at_level(logging.DEBUG):
        await mailer(inbox.port, tls=SmtpTls.NONE).send(MESSAGE)

    assert "mail sent kind=password_reset" in ours(caplog)
    assert TOKEN not in ours(caplog) and "ann@example.com" not in ours(caplog)


def test_the_mailer_never_shows_its_password() -> None:
    shown = repr(mailer(2525, username=USERNAME, password=PASSWORD))

    assert PASSWORD not in shown


def test_half_a_credential_is_refused() -> None:
    with pytest.raises(ValueError):
        mailer(2525, username=USERNAME)
