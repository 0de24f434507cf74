"""Designs and their variants: what a user asked for and what came back."""

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

from domain.errors import InvalidInput
from domain.geometry import Kind

MAX_PROMPT_LENGTH = 1000
MIN_VARIANTS = 1
MAX_VARIANTS = 4
MAX_SEED = 2**31 - 1
DEFAULT_RETENTION = timedelta(hours=48)
# Predictions run for at most 30 minutes (the provider's documentation); past that
# a design still generating will never finish.
GENERATION_DEADLINE = timedelta(minutes=35)


# Unicode's control, format, surrogate and private-use characters, and the line and
# paragraph separators: nothing a one-line prompt needs.
_CONTROL_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})


class DesignStatus(StrEnum):
    GENERATING = "generating"
    READY = "ready"
    FAILED = "failed"


def clean_prompt(prompt: str) -> str:
    """The prompt with outer white space removed, or InvalidInput when it breaks a rule.

    Rules: not empty, at most 1000 characters, no control characters (tabs and
    newlines included: a prompt is one line of text).
    """
    text = prompt.strip()
    if not text:
        raise InvalidInput("The prompt is empty.", code="prompt_empty", field="prompt")
    if len(text) > MAX_PROMPT_LENGTH:
        raise InvalidInput(
            f"The prompt is longer than {MAX_PROMPT_LENGTH} characters.",
            code="prompt_too_long",
            field="prompt",
        )
    if any(unicodedata.category(ch) in _CONTROL_CATEGORIES for ch in text):
        raise InvalidInput(
            "The prompt contains control characters.",
            code="prompt_control_characters",
            field="prompt",
        )
    return text


def check_variants(count: int) -> int:
    if not MIN_VARIANTS <= count <= MAX_VARIANTS:
        raise InvalidInput(
            f"Variants must be from {MIN_VARIANTS} to {MAX_VARIANTS}.",
            code="variants_out_of_range",
            field="variants",
        )
    return count


def check_seed(seed: int) -> int:
    if not 0 <= seed <= MAX_SEED:
        raise InvalidInput(
            f"The seed must be from 0 to {MAX_SEED}.", code="seed_out_of_range", field="seed"
        )
    return seed


@dataclass(slots=True)
class Variant:
    """One image of a design: its artwork, its masked preview, and later its print file."""

    index: int
    artwork_key: str
    preview_key: str
    width_px: int
    height_px: int


@dataclass(slots=True)
class Design:
    """What a user asked for: a phone, a kind, a prompt or photo, and its variants."""

    id: UUID
    owner_id: UUID
    phone_slug: str
    kind: Kind
    prompt: str | None
    upload_id: UUID | None
    seed: int
    variant_count: int
    aspect_ratio: str
    status: DesignStatus
    created_at: datetime
    expires_at: datetime
    generator: str = ""
    failure: str | None = None
    variants: list[Variant] = field(default_factory=list)
    prediction_id: str | None = None

    def variant(self, index: int) -> Variant | None:
        return next((v for v in self.variants if v.index == index), None)

    def mark_ready(self, variants: list[Variant]) -> None:
        self.variants = sorted(variants, key=lambda v: v.index)
        self.status = DesignStatus.READY
        self.failure = None

    def mark_failed(self, reason: str) -> None:
        self.status = DesignStatus.FAILED
        self.failure = reason

    def record_submission(self, generator: str, prediction_id: str) -> None:
        """The provider's id, kept before anything waits on it, so no second paid run is needed."""
        self.generator = generator
        self.prediction_id = prediction_id

    @property
    def finished(self) -> bool:
        return self.status is not DesignStatus.GENERATING


@dataclass(frozen=True, slots=True)
class Upload:
    """A photo a user brought, normalised and stored, ready to become artwork."""

    id: UUID
    owner_id: UUID
    key: str
    width_px: int
    height_px: int
    created_at: datetime


def artwork_key(design_id: UUID, index: int) -> str:
    return f"designs/{design_id}/{index}/artwork.png"


def preview_key(design_id: UUID, index: int) -> str:
    return f"designs/{design_id}/{index}/preview.webp"


def print_file_key(design_id: UUID, index: int, kind: Kind) -> str:
    name = "skin.png" if kind is Kind.SKIN else "wallpaper.png"
    return f"designs/{design_id}/{index}/{name}"


def upload_key(upload_id: UUID) -> str:
    return f"uploads/{upload_id}/source.png"
