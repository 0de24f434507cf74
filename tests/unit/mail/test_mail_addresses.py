"""Every address sign-up accepts is one a mail can be sent to: the domain's rule and the
mail header agree."""

import string
from datetime import UTC, datetime
from email import policy

from hypothesis import example, given
from hypothesis import strategies as st

from adapters.mail.messages import build_email
from application.ports import MailMessage
from domain.errors import InvalidInput
from domain.users import normalise_email

SENDER = "CaseCraft <no-reply@casecraft.example>"
NOW = datetime(2030, 1, 1, tzinfo=UTC)

addresses = st.one_of(
    st.text(max_size=40),
    st.builds(
        lambda local, domain: f"{local}@{domain}",
        st.text(alphabet=string.printable + "äéø€", min_size=1, max_size=20),
        st.text(alphabet=string.ascii_letters + string.digits + ".-,>", min_size=1, max_size=20),
    ),
)


@example("=?utf-8?q?x?=@example.com")
@example("x" * 64 + "@example.com")
@given(addresses)
def test_an_accepted_address_goes_into_a_mail_as_it_is(raw: str) -> None:
    try:
        email = normalise_email(raw)
    except InvalidInput:
        return

    message = build_email(
        SENDER, MailMessage(to=email, subject="Hello", text="Hi", kind="test"), NOW
    )

    assert message["To"] == email
    # The outbox and SMTP both serialise with an ASCII policy: this must not fail.
    message.as_bytes(policy=policy.SMTP)


def test_a_link_stays_whole_in_the_raw_mail() -> None:
    link = "https://casecraft.example/v1/auth/verify?token=" + "A1b2C3d4=" * 6
    text = f"Confirm your address:\n\n{link}\n"

    raw = build_email(
        SENDER, MailMessage(to="ann@example.com", subject="Verify", text=text, kind="t"), NOW
    ).as_bytes(policy=policy.SMTP)

    assert link.encode() in raw


def test_a_text_beyond_ascii_is_still_sent_whole() -> None:
    text = "Grüße: your design is ready.\n"

    message = build_email(
        SENDER, MailMessage(to="ann@example.com", subject="Hi", text=text, kind="t"), NOW
    )

    assert message.get_content() == text
    message.as_bytes(policy=policy.SMTP)
