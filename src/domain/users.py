"""Users and the rules of their credentials."""

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from domain.errors import InvalidInput

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256
MAX_EMAIL_LENGTH = 254
# RFC 5321: a mailbox's local part is at most 64 octets.
MAX_LOCAL_PART_LENGTH = 64
# An address a mail can carry in its To header as it is (RFC 5322): a dot-atom local
# part and a domain of letters, digits and hyphens with at least one dot. Whether it
# reaches anyone is for the verification mail to settle. Internationalised addresses
# would need SMTPUTF8 from every relay on the way, so a domain is given in its
# ASCII (xn--) form and a local part in ASCII.
_ATEXT = r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_EMAIL = re.compile(rf"^{_ATEXT}(?:\.{_ATEXT})*@(?:{_LABEL}\.)+{_LABEL}$")


def normalise_email(email: str) -> str:
    """Lower case, so one address has one spelling; anything a mail header cannot carry as
    it is (control characters, several addresses, non-ASCII) is refused."""
    text = unicodedata.normalize("NFC", email.strip()).lower()
    local = text.partition("@")[0]
    if (
        len(text) > MAX_EMAIL_LENGTH
        or len(local) > MAX_LOCAL_PART_LENGTH
        # RFC 2047 encoded words (=?charset?q?...?=) are header syntax, not an address.
        or "=?" in local
        or not _EMAIL.fullmatch(text)
    ):
        detail = "The email address is not valid."
        if not text.isascii():
            detail += " Give it in ASCII (an internationalised domain in its xn-- form)."
        raise InvalidInput(detail, code="email_invalid", field="email")
    return text


# RFC 2606 reserves .invalid: the service's own accounts (the local owner, trial accounts)
# live under it, and no mail can reach such an address.
UNREACHABLE_DOMAIN = ".invalid"


def receives_mail(email: str) -> bool:
    """Whether mail to the address can reach anyone; no mailed token is issued otherwise, so
    the service's own accounts can never be taken over through a reset or a verification."""
    return not email.endswith(UNREACHABLE_DOMAIN)


def check_password(password: str) -> str:
    """8 to 256 characters of anything, counted in the NFKC form the password is hashed in
    (so "e" and a combining accent are one character)."""
    if (
        not MIN_PASSWORD_LENGTH
        <= len(unicodedata.normalize("NFKC", password))
        <= MAX_PASSWORD_LENGTH
    ):
        raise InvalidInput(
            f"The password must be {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters.",
            code="password_length",
            field="password",
        )
    return password


@dataclass(slots=True)
class User:
    id: UUID
    email: str
    password_hash: str | None
    verified: bool
    created_at: datetime
    google_subject: str | None = None
    # Every session is opened under the epoch it read; raising it ends them all, even
    # one whose login read the user before the change and opens after it.
    session_epoch: int = 0

    def end_every_session(self) -> None:
        """Start a new session epoch: every session opened under an earlier one is over."""
        self.session_epoch += 1

    def session_current(self, epoch: int) -> bool:
        """Whether a session opened under `epoch` may still go on."""
        return epoch == self.session_epoch
