"""Errors the domain and the use cases raise; each carries a stable code."""


class DomainError(Exception):
    """Base of every error the service reports to a caller; `code` is stable, `detail` is prose."""

    code = "error"

    def __init__(self, detail: str, *, code: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code


class InvalidInput(DomainError):
    """The request is well formed but breaks a rule of the domain."""

    code = "invalid_input"

    def __init__(self, detail: str, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(detail, code=code)
        self.field = field


class NotFound(DomainError):
    """The thing does not exist, or is not the caller's to see."""

    code = "not_found"


class Conflict(DomainError):
    """The request clashes with the current state of a resource."""

    code = "conflict"


class Unauthorized(DomainError):
    """Credentials are missing, malformed, expired or wrong."""

    code = "unauthorized"


class UnsupportedImage(DomainError):
    """The uploaded bytes are not an image this service can read."""

    code = "unsupported_image"


class ImageTooLarge(DomainError):
    """The image exceeds the byte or pixel cap; refused before decoding."""

    code = "image_too_large"


class ProviderFailed(DomainError):
    """The image provider could not produce a result."""

    code = "provider_failed"


class ContentBlocked(DomainError):
    """The provider's safety filter blocked every image; not retried, not counted."""

    code = "content_blocked"


class ProviderBusy(DomainError):
    """The provider kept refusing for load (429) past the bound on waiting for it."""

    code = "provider_busy"

    def __init__(self, detail: str, *, retry_after_seconds: int = 30) -> None:
        super().__init__(detail)
        self.retry_after_seconds = retry_after_seconds


class SubmissionLost(DomainError):
    """A create was sent but its answer never came: a prediction may exist and be billed.

    Whoever gets this must look the prediction up by its reference before creating
    another, never repeat the create blindly.
    """

    code = "submission_lost"


class RateLimited(DomainError):
    """Too many attempts from one caller, address or account; retry after the window ends.

    `retry_after_seconds` is at least 1 and becomes the answer's Retry-After.
    """

    code = "rate_limited"

    def __init__(
        self,
        retry_after_seconds: int,
        detail: str = "Too many requests; try again later.",
        *,
        code: str | None = None,
    ) -> None:
        super().__init__(detail, code=code)
        self.retry_after_seconds = max(1, int(retry_after_seconds))


class InvalidToken(DomainError):
    """A one-time token (password reset, email verification) that cannot be redeemed.

    Unknown, already used, voided by a newer one and expired tokens all get this
    same error, so the answer tells nothing about which it was.
    """

    code = "token_invalid"


class MailFailed(DomainError):
    """The mail could not be handed to the mail server or written to the outbox.

    The detail names the failure (timeout, refusal, TLS), never the recipient,
    the credentials or the message's content.
    """

    code = "mail_failed"
