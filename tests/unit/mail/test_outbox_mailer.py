"""The outbox: each mail an .eml file readable by its owner alone, logged by path only."""

import logging
import stat
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from adapters.mail.outbox import OutboxMailer
from application.ports import MailMessage
from domain.errors import MailFailed

SENDER = "CaseCraft <no-reply@casecraft.test>"
TOKEN = "Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5"
MESSAGE = MailMessage(
    to="ann@example.com",
    subject="Reset your CaseCraft password",
    text=f"Open https://app.casecraft.test/reset-password#token={TOKEN}\n",
    kind="password_reset",
)


class FixedClock:
    def now(self) -> datetime:
        return datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)


async def test_a_mail_becomes_one_eml_file_with_its_headers(tmp_path: Path) -> None:
    mailer = OutboxMailer(tmp_path / "outbox", SENDER, FixedClock())

    await mailer.send(MESSAGE)

    files = list((tmp_path / "outbox").iterdir())
    assert len(files) == 1 and files[0].suffix == ".eml"
    mail = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert mail["From"] == SENDER
    assert mail["To"] == "ann@example.com"
    assert mail["Subject"] == MESSAGE.subject
    assert mail["Date"].datetime == FixedClock().now()
    assert mail["Message-ID"].endswith("@casecraft.test>")
    assert mail["Auto-Submitted"] == "auto-generated"
    assert TOKEN in mail.get_content()


async def test_the_file_and_its_folder_are_private(tmp_path: Path) -> None:
    mailer = OutboxMailer(tmp_path / "outbox", SENDER, FixedClock())

    await mailer.send(MESSAGE)

    folder = tmp_path / "outbox"
    (path,) = folder.iterdir()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) & 0o077 == 0


async def test_the_log_names_the_file_but_not_the_token_or_the_recipient(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    mailer = OutboxMailer(tmp_path / "outbox", SENDER, FixedClock())

    with caplog.at_level(logging.DEBUG):
        await mailer.send(MESSAGE)

    (path,) = (tmp_path / "outbox").iterdir()
    assert str(path) in caplog.text
    assert TOKEN not in caplog.text
    assert "ann@example.com" not in caplog.text
    assert TOKEN not in path.name


async def test_two_mails_in_the_same_second_get_two_files(tmp_path: Path) -> None:
    mailer = OutboxMailer(tmp_path / "outbox", SENDER, FixedClock())

    await mailer.send(MESSAGE)
    await mailer.send(MESSAGE)

    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 2


async def test_an_outbox_that_cannot_be_written_fails_with_mail_failed(tmp_path: Path) -> None:
    blocker = tmp_path / "outbox"
    blocker.write_text("a file where the folder should be")
    mailer = OutboxMailer(blocker, SENDER, FixedClock())

    with pytest.raises(MailFailed):
        await mailer.send(MESSAGE)


@pytest.mark.parametrize("recipient", ["ann@example.com\r\nBcc: eve@example.com", "a b@c.d"])
async def test_a_recipient_that_a_header_cannot_hold_is_refused(
    tmp_path: Path, recipient: str
) -> None:
    mailer = OutboxMailer(tmp_path / "outbox", SENDER, FixedClock())
    message = MailMessage(to=recipient, subject="s", text="t", kind="test")

    with pytest.raises(MailFailed):
        await mailer.send(message)

    assert not (tmp_path / "outbox").exists() or not any((tmp_path / "outbox").iterdir())


def test_a_sender_without_an_address_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        OutboxMailer(tmp_path, "CaseCraft", FixedClock())
