"""Mailer over SMTP with the standard library's smtplib, run in worker threads.

Each mail opens its own connection, so a server restart costs nothing; at most
`concurrency` mails are in flight, so a slow server takes a few threads, not all.
TLS is one of: `tls` (implicit TLS from the first byte, port 465), `starttls`
(plain connection upgraded before anything else is said, port 587; a server
that does not offer STARTTLS is refused, never used in clear) or `none` (for a
relay on loopback). Certificates are verified against the system's store unless
another SSL context is given. Credentials are optional and are sent only after
TLS is up, unless TLS is `none`. `timeout_seconds` bounds each network operation.

Logs and errors name the failure (timeout, refusal code, TLS) only: never the
recipient, the content, the server's reply text or any credential.

Known limit: no retry; a mail the server refuses is lost and logged.
"""

import asyncio
import logging
import smtplib
import ssl
from email.message import EmailMessage
from enum import StrEnum

from adapters.mail.messages import build_email, sender_address
from application.ports import Clock, MailMessage
from domain.errors import MailFailed

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT_SECONDS = 10.0
DEFAULT_CONCURRENCY = 4


class _Undelivered(Exception):
    """Why a delivery failed, in words that hold nothing the server or the caller said."""


class SmtpTls(StrEnum):
    NONE = "none"
    STARTTLS = "starttls"
    TLS = "tls"


class SmtpMailer:
    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        clock: Clock,
        *,
        tls: SmtpTls = SmtpTls.STARTTLS,
        username: str | None = None,
        password: str | None = None,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        ssl_context: ssl.SSLContext | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
    ) -> None:
        if not host or not 0 < port < 65536:
            raise ValueError("the SMTP server needs a host and a port from 1 to 65535")
        if timeout_seconds <= 0 or concurrency < 1:
            raise ValueError("timeout_seconds must be positive and concurrency at least 1")
        if (username is None) != (password is None):
            raise ValueError("give both the SMTP username and password, or neither")
        self._host = host
        self._port = port
        self._sender = sender
        self._envelope_from = sender_address(sender)
        # The sender's domain names this client in EHLO, so smtplib never resolves the
        # machine's own name.
        self._local_hostname = self._envelope_from.split("@")[1]
        self._clock = clock
        self._tls = tls
        self._username = username
        self._password = password
        self._timeout = timeout_seconds
        self._context = ssl_context or ssl.create_default_context()
        self._slots = asyncio.Semaphore(concurrency)

    def __repr__(self) -> str:
        return f"SmtpMailer(host={self._host!r}, port={self._port}, tls={self._tls.value!r})"

    async def send(self, message: MailMessage) -> None:
        email = build_email(self._sender, message, self._clock.now())
        async with self._slots:
            try:
                await asyncio.to_thread(self._deliver, email, message.to)
            except _Undelivered as undelivered:
                reason = str(undelivered)
                logger.warning("mail not sent kind=%s reason=%s", message.kind, reason)
                raise MailFailed(f"The mail server did not take the mail ({reason}).") from None
        logger.info("mail sent kind=%s message_id=%s", message.kind, email["Message-ID"])

    def _deliver(self, email: EmailMessage, recipient: str) -> None:
        stage = "connect"
        try:
            client = self._connect()
            try:
                if self._tls is SmtpTls.STARTTLS:
                    stage = "starttls"
                    client.starttls(context=self._context)
                    client.ehlo()
                if self._username is not None and self._password is not None:
                    stage = "login"
                    client.login(self._username, self._password)
                stage = "send"
                client.send_message(email, from_addr=self._envelope_from, to_addrs=[recipient])
            finally:
                _quit(client)
        except (smtplib.SMTPException, OSError) as error:
            raise _Undelivered(f"{stage}: {_reason(error)}") from None

    def _connect(self) -> smtplib.SMTP:
        if self._tls is SmtpTls.TLS:
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                self._host,
                self._port,
                local_hostname=self._local_hostname,
                timeout=self._timeout,
                context=self._context,
            )
        else:
            client = smtplib.SMTP(
                self._host, self._port, local_hostname=self._local_hostname, timeout=self._timeout
            )
        client.ehlo()
        return client


def _quit(client: smtplib.SMTP) -> None:
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        client.close()


def _reason(error: BaseException) -> str:
    """What went wrong, in words that hold nothing the server or the caller said."""
    if _caused_by(error, TimeoutError):
        return "timed out"
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return f"authentication refused, code {error.smtp_code}"
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return "the server does not offer STARTTLS"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "recipient refused"
    if isinstance(error, smtplib.SMTPResponseException):
        return f"refused, code {error.smtp_code}"
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return "the server closed the connection"
    if isinstance(error, ssl.SSLError):
        return f"TLS failed ({error.reason or type(error).__name__})"
    if isinstance(error, OSError):
        return f"connection failed ({type(error).__name__})"
    return type(error).__name__


def _caused_by(error: BaseException, kind: type[BaseException]) -> bool:
    # smtplib turns a read timeout into SMTPServerDisconnected; the timeout is its context.
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, kind):
            return True
        seen = seen.__cause__ or seen.__context__
    return False
