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
# One @, something on each side, a dot in the domain, no white space: the rest is
# for the verification mail to settle.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise_email(email: str) -> str:
    """Lower case and NFC, so one address has one spelling; control characters refused."""
    text = unicodedata.normalize("NFC", email.strip()).lower()
    if (
        len(text) > MAX_EMAIL_LENGTH
        or not _EMAIL.match(text)
        or any(unicodedata.category(ch)[0] == "C" for ch in text)
    ):
        raise InvalidInput("The email address is not valid.", code="email_invalid", field="email")
    return text


# RFC 2606 reserves .invalid: the service's own accounts (the local owner, trial accounts)
# live under it, and no mail can reach such an address.
UNREACHABLE_DOMAIN = ".invalid"


def receives_mail(email: str) -> bool:
    """Whether mail to the address can reach anyone; no mailed token is issued otherwise, so
    the service's own accounts can never be taken over through a reset or a verification."""
    return not email.endswith(UNREACHABLE_DOMAIN)


def check_password(password: str) -> str:
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
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
