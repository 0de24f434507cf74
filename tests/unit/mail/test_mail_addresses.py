"""Every address sign-up accepts is one a mail can be sent to: the domain's rule and the
mail header agree."""

import string
from datetime import UTC, datetime
from email import policy

from hypothesis import given
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
