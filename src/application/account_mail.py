"""The mails of the account flows: what they say and where their links point.

Links are built from `AccountLinks` alone. The reset token travels in the link's
fragment, which browsers never send to a server, so no proxy or access log on
the way to the reset page holds it; the page hands it to
`POST /v1/auth/password/reset`. The verification link is served by the API
itself, so its token is a query parameter; opening it only shows a page whose
button posts the token to `POST /v1/auth/verify`.
"""

from datetime import timedelta
from urllib.parse import quote

from application.ports import MailMessage
from application.settings import AccountLinks
from domain.one_time_tokens import TokenPurpose

RESET_PATH = "/reset-password"
VERIFY_PATH = "/v1/auth/verify"


def reset_link(links: AccountLinks, token: str) -> str:
    return f"{links.frontend_url}{RESET_PATH}#token={quote(token, safe='')}"


def verification_link(links: AccountLinks, token: str) -> str:
    return f"{links.api_base_url}{VERIFY_PATH}?token={quote(token, safe='')}"


def _minutes(lifetime: timedelta) -> int:
    return max(1, int(lifetime.total_seconds() // 60))


def password_reset_mail(to: str, link: str, lifetime: timedelta) -> MailMessage:
    text = (
        "Someone asked to reset the password of your CaseCraft account.\n\n"
        f"To choose a new password, open this link within {_minutes(lifetime)} minutes:\n\n"
        f"{link}\n\n"
        "The link works once. Choosing a new password signs you out everywhere.\n"
        "If you did not ask for this, ignore this mail: your password stays as it is.\n"
    )
    return MailMessage(
        to=to,
        subject="Reset your CaseCraft password",
        text=text,
        kind=TokenPurpose.PASSWORD_RESET.value,
    )


def verification_mail(to: str, link: str, lifetime: timedelta) -> MailMessage:
    hours = max(1, int(lifetime.total_seconds() // 3600))
    text = (
        "Welcome to CaseCraft.\n\n"
        f"To confirm that this address is yours, open this link within {hours} hours:\n\n"
        f"{link}\n\n"
        "If you did not sign up, ignore this mail.\n"
    )
    return MailMessage(
        to=to,
        subject="Confirm your CaseCraft email address",
        text=text,
        kind=TokenPurpose.EMAIL_VERIFICATION.value,
    )


PASSWORD_CHANGED = "password_changed"  # noqa: S105 (a kind of mail, not a password)


def password_changed_mail(to: str) -> MailMessage:
    text = (
        "The password of your CaseCraft account was just changed with a reset link,\n"
        "and every session of the account has ended.\n\n"
        "If this was not you, ask for a new reset link at once: whoever changed it\n"
        "could read your mail.\n"
    )
    return MailMessage(
        to=to, subject="Your CaseCraft password was changed", text=text, kind=PASSWORD_CHANGED
    )
