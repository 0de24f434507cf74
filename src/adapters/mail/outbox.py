"""Mailer of the embedded default: each mail becomes an .eml file in the outbox folder.

Nothing leaves the machine. A file is written under a temporary name and renamed
when complete, readable by its owner alone (it holds the link's token), and the
log names the file, never the recipient or the content; open the file with any
mail client to follow its link.

Known limit: the folder is never emptied by the service.
"""

import asyncio
import logging
import os
from pathlib import Path
from uuid import uuid4

from adapters.mail.messages import build_email, sender_address
from application.ports import Clock, MailMessage
from domain.errors import MailFailed

logger = logging.getLogger(__name__)


class OutboxMailer:
    def __init__(self, folder: Path, sender: str, clock: Clock) -> None:
        sender_address(sender)
        self._folder = folder
        self._sender = sender
        self._clock = clock

    async def send(self, message: MailMessage) -> None:
        now = self._clock.now()
        email = build_email(self._sender, message, now)
        name = f"{now:%Y%m%dT%H%M%S}-{message.kind}-{uuid4().hex[:12]}.eml"
        try:
            path = await asyncio.to_thread(self._write, name, bytes(email))
        except OSError as error:
            logger.warning("mail not written to the outbox kind=%s error=%s", message.kind, error)
            raise MailFailed("The mail could not be written to the outbox.") from None
        logger.info("mail written to the outbox kind=%s path=%s", message.kind, path)

    def _write(self, name: str, data: bytes) -> Path:
        self._folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = self._folder / name
        partial = self._folder / f".{name}.partial"
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(partial, path)
        return path
