"""A Mailer that keeps what it is given, for tests and demonstrations."""

from application.ports import MailMessage
from domain.errors import MailFailed


class InMemoryMailer:
    """`sent` holds every message handed over, oldest first; `failing` refuses them all."""

    def __init__(self) -> None:
        self.sent: list[MailMessage] = []
        self.failing = False

    async def send(self, message: MailMessage) -> None:
        if self.failing:
            raise MailFailed("The in-memory mailer was told to fail.")
        self.sent.append(message)
