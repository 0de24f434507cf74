"""The provider's prediction object, decoded with msgspec, and what its status means here.

Only the fields the adapters use are declared; the rest are ignored. The status stays
a plain string because the provider adds values over time (`aborted` came after client
1.0.7 was written): anything that is neither running nor known is a terminal failure.
"""

import re
from datetime import datetime

import msgspec

STARTING = "starting"
PROCESSING = "processing"
SUCCEEDED = "succeeded"
FAILED = "failed"
CANCELED = "canceled"
ABORTED = "aborted"
RUNNING_STATUSES = frozenset({STARTING, PROCESSING})

# Prediction ids are lowercase base32-like strings; anything else never reaches a URL path.
_ID_PATTERN = re.compile(r"^[a-z0-9]{1,64}$")
# Python 3.11 parses at most six digits of a fraction; the provider sends up to nine.
_LONG_FRACTION = re.compile(r"(\.\d{6})\d+")


class Prediction(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    status: str
    model: str | None = None
    version: str | None = None
    output: object = None
    error: str | None = None
    data_removed: bool = False
    webhook: str | None = None
    created_at: str | None = None

    @property
    def running(self) -> bool:
        return self.status in RUNNING_STATUSES

    def created(self) -> datetime | None:
        """When the provider recorded the prediction, aware; None when absent or unreadable."""
        if not self.created_at:
            return None
        try:
            return datetime.fromisoformat(_LONG_FRACTION.sub(r"\1", self.created_at))
        except ValueError:
            return None

    def output_urls(self) -> list[str]:
        """The output files' URLs: image models answer a list, some a single URL."""
        if self.output is None:
            return []
        if isinstance(self.output, str):
            return [self.output]
        if isinstance(self.output, list) and all(isinstance(item, str) for item in self.output):
            return list(self.output)
        raise ValueError("the prediction's output is neither a URL nor a list of URLs")


class PredictionPage(msgspec.Struct, frozen=True, kw_only=True):
    results: list[Prediction]
    next: str | None = None


_prediction_decoder = msgspec.json.Decoder(Prediction)
_page_decoder = msgspec.json.Decoder(PredictionPage)


def decode_prediction(raw: bytes) -> Prediction:
    """Raises msgspec.DecodeError (or its ValidationError) for a body that is not a prediction."""
    return _prediction_decoder.decode(raw)


def decode_page(raw: bytes) -> PredictionPage:
    return _page_decoder.decode(raw)


def is_prediction_id(value: str) -> bool:
    return bool(_ID_PATTERN.match(value))
