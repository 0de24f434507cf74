"""The fake provider's predictions: models, timing, statuses, outputs and signatures.

A prediction's status is a function of time: `starting` until its start, then
`processing`, then its terminal status at the earliest of its natural end, its
Cancel-After deadline (`aborted` if it never started, else `canceled`) or a cancel.
"""

import asyncio
import base64
import contextlib
import hashlib
import hmac
import io
import math
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from PIL import Image, ImageDraw

from fakes.replicate_fake_http import LOOPBACK

REAL_ESRGAN = "nightmareai/real-esrgan"
REAL_ESRGAN_VERSION = "f121d640bd286e1fdc67f9799164c1d5be36ff74576ee11c803ae5b665dd46aa"
FLUX_SCHNELL = "black-forest-labs/flux-schnell"
FLUX_DEV = "black-forest-labs/flux-dev"
OFFICIAL_MODELS = (FLUX_SCHNELL, FLUX_DEV)
NSFW_ERROR = (
    "All generated images contained NSFW content. Try running it again with a different prompt."
)
OUT_OF_MEMORY_ERROR = "CUDA out of memory: the input image is too large for the GPU."
MAX_ESRGAN_PIXELS = 2_096_704
FLUX_SIZES = {
    "1:1": (1024, 1024),
    "2:3": (832, 1216),
    "3:4": (896, 1152),
    "4:5": (896, 1088),
    "9:16": (768, 1344),
    "9:21": (640, 1536),
    "3:2": (1216, 832),
    "4:3": (1152, 896),
    "5:4": (1088, 896),
    "16:9": (1344, 768),
    "21:9": (1536, 640),
}
WEBHOOK_EVENTS = frozenset({"start", "output", "logs", "completed"})
TERMINAL = frozenset({"succeeded", "failed", "canceled", "aborted"})
CONTENT_TYPES = {"png": "image/png", "webp": "image/webp", "jpg": "image/jpeg"}
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)")


@dataclass(frozen=True)
class Behaviour:
    """How the next prediction runs; None keeps the fake's default."""

    start_seconds: float | None = None
    run_seconds: float | None = None
    blocked: int = 0
    error: str | None = None
    output_base: str | None = None


@dataclass
class FakePrediction:
    id: str
    model: str
    version: str
    input: dict[str, object]
    output_format: str
    wanted: int
    created_wall: datetime
    created: float
    start_at: float
    end_at: float
    deadline_at: float | None
    behaviour: Behaviour
    output_base: str
    webhook: str | None = None
    events: frozenset[str] = WEBHOOK_EVENTS
    source_size: tuple[int, int] | None = None
    source: bytes | None = None
    canceled_at: float | None = None
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def natural_end(self) -> tuple[str, str | None]:
        if self.behaviour.error is not None:
            return "failed", self.behaviour.error
        if self.model == REAL_ESRGAN:
            if self.source_size is None:
                return "failed", "The fake reads image inputs given as data URIs only."
            if self.source_size[0] * self.source_size[1] > MAX_ESRGAN_PIXELS:
                return "failed", OUT_OF_MEMORY_ERROR
            return "succeeded", None
        if self.wanted - self.behaviour.blocked <= 0:
            return "failed", NSFW_ERROR
        return "succeeded", None

    def terminal(self) -> tuple[float, str, str | None]:
        status, error = self.natural_end()
        ends = [(self.end_at, status, error)]
        if self.deadline_at is not None and self.deadline_at < self.end_at:
            late = "aborted" if self.deadline_at < self.start_at else "canceled"
            ends.append((self.deadline_at, late, None))
        if self.canceled_at is not None and self.canceled_at < self.end_at:
            ends.append((self.canceled_at, "canceled", None))
        return min(ends, key=lambda end: end[0])

    def status_at(self, now: float) -> str:
        ends_at, status, _ = self.terminal()
        if now >= ends_at:
            return status
        return "processing" if now >= self.start_at else "starting"

    def output_count(self) -> int:
        if self.model == REAL_ESRGAN:
            return 1
        return max(0, self.wanted - self.behaviour.blocked)

    def output_urls(self) -> list[str]:
        ext = self.output_format
        return [f"{self.output_base}/files/{self.id}/{i}.{ext}" for i in range(self.output_count())]

    def wall(self, moment: float) -> str:
        when = self.created_wall + timedelta(seconds=moment - self.created)
        return when.isoformat().replace("+00:00", "Z")

    def as_json(self, now: float, base_url: str, removed_after: float | None) -> dict[str, object]:
        ends_at, _, error = self.terminal()
        current = self.status_at(now)
        ended = current in TERMINAL
        removed = ended and removed_after is not None and now >= ends_at + removed_after
        started = now >= self.start_at and current != "aborted"
        output: object = None
        if current == "succeeded" and not removed:
            urls = self.output_urls()
            output = urls[0] if self.model == REAL_ESRGAN else urls
        body: dict[str, object] = {
            "id": self.id,
            "model": self.model,
            "version": self.version,
            "input": {} if removed else self.input,
            "output": output,
            "error": error if ended else None,
            "logs": None if removed else "",
            "status": current,
            "source": "api",
            "created_at": self.wall(self.created),
            "started_at": self.wall(self.start_at) if started else None,
            "completed_at": self.wall(ends_at) if ended else None,
            "data_removed": removed,
            "metrics": {"predict_time": round(ends_at - self.start_at, 3)} if ended else {},
            "urls": {
                "get": f"{base_url}/v1/predictions/{self.id}",
                "cancel": f"{base_url}/v1/predictions/{self.id}/cancel",
                "web": f"{base_url}/p/{self.id}",
            },
        }
        if self.webhook is not None:
            body["webhook"] = self.webhook
            body["webhook_events_filter"] = sorted(self.events)
        return body


class InputError(Exception):
    def __init__(self, field_name: str, description: str) -> None:
        super().__init__(description)
        self.field_name = field_name
        self.description = description


def parse_duration(text: str) -> float:
    """`90s`, `1m30s`, `250ms`, `2h` or a bare number of seconds."""
    value = text.strip()
    with contextlib.suppress(ValueError):
        return float(value)
    parts = _DURATION_PART.findall(value)
    if not parts or "".join(n + u for n, u in parts) != value:
        raise ValueError(f"not a duration: {text!r}")
    scale = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
    return sum(float(number) * scale[unit] for number, unit in parts)


def sign(secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` value for a delivery, as the provider computes it."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    content = f"{webhook_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()


def data_uri_image(value: object) -> tuple[bytes, tuple[int, int]] | None:
    if not isinstance(value, str) or not value.startswith("data:") or "," not in value:
        return None
    header, encoded = value.split(",", 1)
    if not header.endswith(";base64"):
        return None
    data = base64.b64decode(encoded)
    with Image.open(io.BytesIO(data)) as image:
        return data, image.size


def _seeded_colour(seed: str) -> tuple[int, int, int]:
    digest = hashlib.sha256(seed.encode()).digest()
    return digest[0], digest[1], digest[2]


def _encode(image: Image.Image, ext: str) -> bytes:
    buffer = io.BytesIO()
    if ext == "png":
        image.save(buffer, format="PNG", compress_level=1)
    elif ext == "webp":
        image.save(buffer, format="WEBP", quality=80)
    else:
        image.convert("RGB").save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def render_output(prediction: FakePrediction, index: int) -> bytes:
    """An image of the size the model would return. Blocking: called in a thread."""
    if prediction.model == REAL_ESRGAN and prediction.source is not None:
        scale = float(prediction.input.get("scale", 4))  # type: ignore[arg-type]
        with Image.open(io.BytesIO(prediction.source)) as source:
            size = (round(source.width * scale), round(source.height * scale))
            image = source.convert("RGB").resize(size, Image.Resampling.BILINEAR)
        return _encode(image, prediction.output_format)
    size = flux_size(prediction)
    image = Image.new("RGB", size, _seeded_colour(f"{prediction.id}/{index}"))
    band = (0, size[1] // 3, size[0], 2 * size[1] // 3)
    ImageDraw.Draw(image).rectangle(band, fill=_seeded_colour(f"{prediction.id}/{index}/band"))
    return _encode(image, prediction.output_format)


def flux_size(prediction: FakePrediction) -> tuple[int, int]:
    if prediction.source_size is not None:
        width, height = prediction.source_size
        factor = math.sqrt(1024 * 1024 / (width * height))
        return max(16, round(width * factor / 16) * 16), max(16, round(height * factor / 16) * 16)
    width, height = FLUX_SIZES[str(prediction.input.get("aspect_ratio", "1:1"))]
    if prediction.input.get("megapixels") == "0.25":
        return width // 2, height // 2
    return width, height


def new_prediction_id() -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(secrets.choice(alphabet) for _ in range(26))


def check_flux(model_input: dict[str, object]) -> None:
    prompt = model_input.get("prompt")
    if not isinstance(prompt, str) or not prompt:
        raise InputError("prompt", "prompt is required.")
    if model_input.get("aspect_ratio", "1:1") not in FLUX_SIZES:
        raise InputError("aspect_ratio", "aspect_ratio must be one of the listed ratios.")
    outputs = model_input.get("num_outputs", 1)
    if not isinstance(outputs, int) or not 1 <= outputs <= 4:
        raise InputError("num_outputs", "num_outputs must be between 1 and 4.")
    if model_input.get("output_format", "webp") not in CONTENT_TYPES:
        raise InputError("output_format", "output_format must be webp, jpg or png.")
    if not isinstance(model_input.get("go_fast", True), bool):
        raise InputError("go_fast", "go_fast must be a boolean.")
    if not isinstance(model_input.get("seed", 0), int):
        raise InputError("seed", "seed must be an integer.")
    if model_input.get("megapixels", "1") not in ("1", "0.25"):
        raise InputError("megapixels", "megapixels must be '1' or '0.25'.")


def output_format_of(model: str, model_input: dict[str, object]) -> str:
    if model == REAL_ESRGAN:
        return "png"
    return str(model_input.get("output_format", "webp"))


def wanted_outputs(model: str, model_input: dict[str, object]) -> int:
    if model == REAL_ESRGAN:
        return 1
    value = model_input.get("num_outputs", 1)
    return value if isinstance(value, int) else 1


def webhook_of(body: dict[str, object]) -> tuple[str | None, frozenset[str]]:
    webhook = body.get("webhook")
    events = body.get("webhook_events_filter")
    if webhook is None:
        return None, WEBHOOK_EVENTS
    if not isinstance(webhook, str):
        raise InputError("webhook", "webhook must be a URL.")
    parts = urlsplit(webhook)
    loopback = parts.scheme == "http" and parts.hostname in (LOOPBACK, "localhost")
    if parts.scheme != "https" and not loopback:
        raise InputError("webhook", "webhook must be an HTTPS URL.")
    if events is None:
        return webhook, WEBHOOK_EVENTS
    if not isinstance(events, list) or not set(events) <= WEBHOOK_EVENTS:
        raise InputError("webhook_events_filter", "unknown webhook event.")
    return webhook, frozenset(str(event) for event in events)
