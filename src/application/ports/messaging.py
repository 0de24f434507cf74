"""Mail, and work that runs after an answer is sent."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class MailMessage:
    """A plain-text mail to one recipient; `kind` names it in logs (never the content)."""

    to: str
    subject: str
    text: str
    kind: str


class Mailer(Protocol):
    """Hands mail over for delivery: to a mail server, or to an outbox on disk."""

    async def send(self, message: MailMessage) -> None:
        """Raises MailFailed when the message could not be handed over.

        Never logs the recipient's address, the content or any credential.
        """
        ...


class BackgroundTasks(Protocol):
    """Work that runs after the caller has its answer, so the answer's timing and
    outcome do not depend on it."""

    def spawn(self, name: str, work: Callable[[], Awaitable[None]]) -> None:
        """Start `work` now and keep it until it ends; its failure is logged, never raised.

        `name` labels the work in logs and must hold no personal data or secret.
        """
        ...
