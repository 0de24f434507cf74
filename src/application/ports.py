"""The ports the use cases need, named by role. Adapters implement them."""

from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import TracebackType
from typing import Protocol, Self
from uuid import UUID

from domain.designs import Design, DesignStatus, Upload
from domain.geometry import AspectRatio, Kind
from domain.jobs import UpscaleJob
from domain.one_time_tokens import OneTimeToken, TokenPurpose
from domain.phones import PhoneModel
from domain.sessions import RefreshToken
from domain.users import User


class PhoneRepository(Protocol):
    """The phone catalog."""

    async def list(self, *, brand: str | None = None, query: str | None = None) -> list[PhoneModel]:
        """Phones ordered by brand, then year (newest first), then name.

        `brand` matches the brand's slug or name case-insensitively; `query` is a
        case-insensitive substring of the phone's name or slug.
        """
        ...

    async def get(self, slug: str) -> PhoneModel | None: ...

    async def upsert_many(self, phones: Sequence[PhoneModel]) -> None:
        """Insert new phones and update existing ones by slug; running it twice changes nothing."""
        ...


class DesignRepository(Protocol):
    async def add(self, design: Design) -> None: ...

    async def get(self, design_id: UUID) -> Design | None: ...

    async def save(self, design: Design) -> None:
        """Store the design's status, failure and variants as they are now."""
        ...

    async def list_for_owner(
        self, owner_id: UUID, *, now: datetime, limit: int = 50
    ) -> list[Design]:
        """The owner's designs not yet expired, newest first."""
        ...

    async def list_generating(self, *, created_before: datetime, limit: int) -> list[Design]:
        """Designs still generating that were created before `created_before`, oldest first."""
        ...

    async def count_for_owner_since(
        self, owner_id: UUID, since: datetime, statuses: Collection[DesignStatus]
    ) -> int:
        """How many of the owner's designs were created at or after `since` and are now in
        one of `statuses`, this unit of work's own additions included.

        Where the database has row locks (PostgreSQL) it also locks the owner against
        other counts until this unit of work ends, so a count followed by `add` in one
        unit of work is atomic per owner across processes.
        """
        ...


class UploadRepository(Protocol):
    async def add(self, upload: Upload) -> None: ...

    async def get(self, upload_id: UUID) -> Upload | None: ...


class UserRepository(Protocol):
    async def add(self, user: User) -> None:
        """Raises Conflict(code="email_taken") when the email is already registered."""
        ...

    async def get(self, user_id: UUID) -> User | None: ...

    async def get_by_email(self, email: str) -> User | None: ...

    async def get_by_google_subject(self, subject: str) -> User | None:
        """The user linked to this Google subject (`sub`); one user per subject."""
        ...

    async def save(self, user: User) -> None: ...


class JobRepository(Protocol):
    async def add(self, job: UpscaleJob) -> None: ...

    async def get(self, job_id: UUID) -> UpscaleJob | None: ...

    async def latest_for_variant(
        self, design_id: UUID, variant_index: int
    ) -> UpscaleJob | None: ...

    async def save(self, job: UpscaleJob) -> None: ...

    async def lease_next(
        self, worker: str, now: datetime, lease_seconds: float
    ) -> UpscaleJob | None:
        """Take the oldest due job whose lease is free or expired, leased to `worker`.

        Two callers never get the same job for the same lease.
        """
        ...

    async def extend_lease(self, job_id: UUID, worker: str, until: datetime) -> bool:
        """Push the lease of a job `worker` still holds to `until`, and commit at once.

        False when the worker no longer holds it (it expired and another took it, or
        the job ended): the caller must then stop working on the job.
        """
        ...


class RefreshTokenRepository(Protocol):
    """Refresh tokens by the SHA-256 digest of their value, grouped in families.

    Timestamps once set (consumed, revoked) are never cleared.
    """

    async def add(self, token: RefreshToken) -> None:
        """Raises Conflict(code="missing_reference") when the user does not exist."""
        ...

    async def get_by_hash(self, token_hash: str) -> RefreshToken | None: ...

    async def consume(self, token_hash: str, now: datetime) -> RefreshToken | None:
        """Mark the token consumed at `now` and return it, if it is live and no token of
        its family was revoked; None otherwise.

        Of two units of work consuming one token, at most one commits: the other's
        `consume` gives None, or its commit raises Conflict(code="token_spent").
        """
        ...

    async def revoke_family(self, family_id: UUID, now: datetime) -> int:
        """Revoke every token of the family not yet revoked; how many were."""
        ...

    async def revoke_all_for_user(self, user_id: UUID, now: datetime) -> int:
        """Revoke every token of every family of the user; how many were."""
        ...


class OneTimeTokenRepository(Protocol):
    """Password reset and email verification tokens, by the SHA-256 digest of their value."""

    async def add(self, token: OneTimeToken) -> None:
        """Raises Conflict(code="missing_reference") when the user does not exist."""
        ...

    async def void_for_user(self, user_id: UUID, purpose: TokenPurpose, now: datetime) -> int:
        """Mark used every redeemable token of the user and purpose; how many were."""
        ...

    async def consume(
        self, token_hash: str, purpose: TokenPurpose, now: datetime
    ) -> OneTimeToken | None:
        """Mark the token used at `now` and return it, if it has this purpose, is
        unused, unexpired and the newest of its user and purpose; None otherwise.

        Of two units of work consuming one token, at most one commits: the other's
        `consume` gives None, or its commit raises Conflict(code="token_spent").
        """
        ...


class UnitOfWork(Protocol):
    """One transaction over every repository; nothing is kept until `commit`."""

    phones: PhoneRepository
    designs: DesignRepository
    uploads: UploadRepository
    users: UserRepository
    jobs: JobRepository
    refresh_tokens: RefreshTokenRepository
    one_time_tokens: OneTimeTokenRepository

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Roll back whatever was not committed."""
        ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> UnitOfWork: ...


@dataclass(frozen=True, slots=True)
class ImageInfo:
    """A normalised image: 8-bit RGB or RGBA PNG bytes, upright, first frame only."""

    data: bytes
    width: int
    height: int


class ImageProcessor(Protocol):
    """Every pixel operation of the service. Runs off the event loop, with bounded concurrency."""

    async def normalise(self, data: bytes) -> ImageInfo:
        """Check the byte and pixel caps before decoding, then apply EXIF orientation, keep
        the first frame and convert any mode to RGB (RGBA where there is transparency).

        Raises ImageTooLarge over a cap or for a decompression bomb, and
        UnsupportedImage for bytes that are not an image it can read.
        """
        ...

    async def preview(
        self, artwork: bytes, phone: PhoneModel, kind: Kind, max_width: int
    ) -> ImageInfo:
        """Cover-crop to the exact aspect, scale to at most `max_width`, apply the mask:
        a WebP with alpha."""
        ...

    async def print_file(self, artwork: bytes, phone: PhoneModel, kind: Kind) -> ImageInfo:
        """The final file: for a skin, the masked artwork at the 300 DPI print size (PNG with
        transparency and its DPI set); for a wallpaper, the native screen resolution."""
        ...

    async def mask(self, phone: PhoneModel, kind: Kind, width: int) -> bytes:
        """The mask as a PNG (white, alpha 0 outside the outline and inside each cut-out).

        Cached per (phone, kind, width)."""
        ...


@dataclass(frozen=True, slots=True)
class GenerationRequest:
    prompt: str | None
    aspect_ratio: AspectRatio
    count: int
    seed: int
    source_image: bytes | None = None


class PredictionState(StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class GenerationOutcome:
    """Where a generation stands; `images` (raw bytes, copied from the provider) once it succeeded.

    Fewer images than asked for is a success. `blocked` is set when the provider's
    safety filter dropped every image.
    """

    state: PredictionState
    images: list[bytes] = field(default_factory=list)
    error: str | None = None
    blocked: bool = False


class ImageGenerator(Protocol):
    """Makes artwork in two steps, so that the provider's id is stored before anyone waits.

    `reference` is the design's id; the provider keeps it with the prediction, so a
    create whose answer was lost can be found again instead of being repeated.
    """

    name: str

    async def submit(self, request: GenerationRequest, reference: str) -> str:
        """Start a generation and return the provider's id for it.

        Raises ProviderBusy when the provider keeps refusing for load, SubmissionLost
        when the answer to the create never came, ProviderFailed otherwise.
        """
        ...

    async def find(self, reference: str) -> str | None:
        """The id of a generation already started for `reference`, if the provider has one."""
        ...

    async def outcome(
        self, prediction_id: str, request: GenerationRequest, wait_seconds: float
    ) -> GenerationOutcome:
        """The generation's state, waiting up to `wait_seconds` for it to end.

        `request` is given again so that a generator that keeps no state can finish it.
        """
        ...


@dataclass(frozen=True, slots=True)
class UpscaleOutcome:
    state: PredictionState
    image: bytes | None = None
    error: str | None = None


class Upscaler(Protocol):
    """Enlarges artwork in two steps, like the generator, so a dead worker costs no second run."""

    name: str

    async def submit(self, image: bytes, scale: int, reference: str) -> str:
        """Start enlarging `image` `scale` times (2 or 4); `reference` is the job's id.

        Raises ProviderBusy, SubmissionLost or ProviderFailed as the generator does.
        """
        ...

    async def find(self, reference: str) -> str | None: ...

    async def outcome(
        self, prediction_id: str, image: bytes, scale: int, wait_seconds: float
    ) -> UpscaleOutcome:
        """The upscale's state, waiting up to `wait_seconds`; the enlarged image once done."""
        ...


class ObjectStorage(Protocol):
    """Files under keys derived from ids; served to clients by signed, expiring URLs."""

    async def put(self, key: str, data: bytes, content_type: str) -> None: ...

    async def get(self, key: str) -> bytes:
        """Raises NotFound when the key holds nothing."""
        ...

    async def exists(self, key: str) -> bool: ...

    async def delete_prefix(self, prefix: str) -> int: ...

    async def signed_url(self, key: str, expires_in: int) -> str:
        """A URL that serves the file for `expires_in` seconds, then refuses."""
        ...


class PasswordHasher(Protocol):
    async def hash(self, password: str) -> str: ...

    async def verify(self, password_hash: str, password: str) -> bool: ...

    async def verify_dummy(self, password: str) -> None:
        """Spend the time a verification takes, for an account that does not exist."""
        ...

    def needs_rehash(self, password_hash: str) -> bool:
        """Whether the hash was made with other parameters than today's."""
        ...


class TokenIssuer(Protocol):
    def issue_access(self, user_id: UUID) -> tuple[str, int]:
        """A signed access token and its lifetime in seconds."""
        ...

    def verify_access(self, token: str) -> UUID:
        """The user id; raises Unauthorized for anything but a valid access token."""
        ...


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


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, aware, in UTC."""
        ...


class WorkerWakeup(Protocol):
    """Tells the upscale worker that a job is waiting, so it need not poll."""

    async def notify(self) -> None: ...

    async def wait(self, timeout: float) -> None:
        """Return at the next notification or after `timeout` seconds."""
        ...


@dataclass(frozen=True, slots=True)
class RateDecision:
    allowed: bool
    remaining: int
    retry_after_seconds: int


class RateLimiter(Protocol):
    """Fixed-window counters, atomic across processes."""

    async def hit(self, key: str, limit: int, window_seconds: int) -> RateDecision:
        """Count one event under `key`; allowed while the window holds at most `limit` events.

        The window's expiry is set with the first event and can never be lost, so a
        key never stays blocked for good.
        """
        ...


class WebhookLedger(Protocol):
    """Remembers which webhook deliveries were handled, so each is handled once."""

    async def first_delivery(self, webhook_id: str, ttl_seconds: int) -> bool:
        """True the first time `webhook_id` is seen within `ttl_seconds`, False after."""
        ...


class DesignStatusCache(Protocol):
    """A short-lived copy of designs' statuses, to spare the database on polls.

    The database stays the truth: a miss, or a cache that is down, means asking it.
    """

    async def get(self, design_id: UUID) -> str | None: ...

    async def put(self, design_id: UUID, status: str, ttl_seconds: int) -> None: ...
