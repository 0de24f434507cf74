"""Pixels and the image provider: normalising, masking, generating and upscaling."""

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from domain.geometry import AspectRatio, Kind
from domain.phones import PhoneModel


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

    async def artwork_with_preview(
        self, data: bytes, phone: PhoneModel, kind: Kind, max_width: int
    ) -> tuple[ImageInfo, ImageInfo]:
        """`normalise` and `preview` of its result in one pass, decoding `data` only once."""
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
