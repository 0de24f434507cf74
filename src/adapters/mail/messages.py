"""Turning a MailMessage into an RFC 5322 message, the same way for every Mailer."""

from datetime import datetime
from email.errors import MessageError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from application.ports import MailMessage
from domain.errors import MailFailed


def sender_address(sender: str) -> str:
    """The bare address of a From value such as `CaseCraft <no-reply@example.com>`.

    Raises ValueError when there is no address with a domain in it.
    """
    _, address = parseaddr(sender)
    if address.count("@") != 1 or not address.split("@")[1]:
        raise ValueError("the sender must hold one address, such as no-reply@example.com")
    return address


def build_email(sender: str, message: MailMessage, now: datetime) -> EmailMessage:
    """Plain text in UTF-8, dated `now`, marked as sent by a machine (RFC 3834).

    Raises MailFailed when the recipient is not one address that a header can hold.
    """
    domain = sender_address(sender).split("@")[1]
    try:
        recipient = Address(addr_spec=message.to)
    except (ValueError, MessageError):
        raise MailFailed("The recipient's address cannot be put in a mail header.") from None
    email = EmailMessage()
    email["From"] = sender
    email["To"] = recipient
    email["Subject"] = message.subject
    email["Date"] = format_datetime(now)
    email["Message-ID"] = make_msgid(domain=domain)
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(message.text, charset="utf-8", cte=_transfer_encoding(message.text))
    return email


# RFC 5322's hard limit on a line, in characters, without its CRLF.
MAX_LINE = 998


def _transfer_encoding(text: str) -> str:
    """7bit for ASCII text, so a link stays whole and readable in the raw mail (an .eml of
    the outbox, a relay's log); quoted-printable only where the text needs it."""
    if text.isascii() and all(len(line) <= MAX_LINE for line in text.splitlines()):
        return "7bit"
    return "quoted-printable"
