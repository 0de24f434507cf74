"""What a prediction's status means for the service.

Rules:
- starting, processing: RUNNING.
- succeeded with output URLs: SUCCEEDED with those URLs (fewer than asked is fine).
- succeeded after the provider removed its data (`data_removed`), or with no output:
  FAILED, since nothing is left to copy.
- failed because the safety filter dropped every image: FAILED and `blocked`.
- failed, canceled, aborted, or any status this code does not know: FAILED with why.
"""

from dataclasses import dataclass, field

from adapters.replicate.predictions import (
    ABORTED,
    CANCELED,
    FAILED,
    SUCCEEDED,
    Prediction,
)
from application.ports import PredictionState

# flux models fail with "All generated images contained NSFW content..." when every image
# is dropped; the marker is matched case-insensitively.
_SAFETY_MARKER = "nsfw"


@dataclass(frozen=True, slots=True)
class Settlement:
    state: PredictionState
    urls: list[str] = field(default_factory=list)
    error: str | None = None
    blocked: bool = False


def settle(prediction: Prediction) -> Settlement:
    if prediction.running:
        return Settlement(PredictionState.RUNNING)
    if prediction.status == SUCCEEDED:
        return _succeeded(prediction)
    if prediction.status == FAILED:
        error = prediction.error or "The provider's prediction failed."
        blocked = _SAFETY_MARKER in error.lower()
        return Settlement(PredictionState.FAILED, error=error, blocked=blocked)
    return Settlement(PredictionState.FAILED, error=_ended(prediction))


def _succeeded(prediction: Prediction) -> Settlement:
    if prediction.data_removed:
        return Settlement(
            PredictionState.FAILED,
            error="The provider removed the prediction's files before they were copied.",
        )
    try:
        urls = prediction.output_urls()
    except ValueError:
        return Settlement(PredictionState.FAILED, error="The provider's output is malformed.")
    if not urls:
        return Settlement(PredictionState.FAILED, error="The provider returned no image.")
    return Settlement(PredictionState.SUCCEEDED, urls=urls)


def _ended(prediction: Prediction) -> str:
    if prediction.status == ABORTED:
        return "The provider aborted the prediction before it started (deadline passed)."
    if prediction.status == CANCELED:
        return "The prediction was canceled (deadline passed or canceled by request)."
    return f"The prediction ended with an unknown status {prediction.status!r}."
