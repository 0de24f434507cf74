"""Finding the prediction made for a reference, newest first, within a bounded look-back.

Rules: pages are read newest first until a prediction older than `lookback_seconds`
or `max_pages` pages; the first prediction whose webhook URL carries the reference and
whose model or version is one of the targets wins. An error while listing raises
ProviderFailed, never None: None tells the caller that creating again is safe.
Known limit: without a webhook URL the provider keeps no reference, so nothing is found.
"""

import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx

from adapters.replicate.api import ApiError, MalformedAnswer, ReplicateApi
from adapters.replicate.predictions import Prediction
from adapters.replicate.references import reference_of
from domain.errors import ProviderFailed

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LookupWindow:
    # Predictions run at most 30 minutes and lost answers are looked up within minutes.
    lookback_seconds: float = 2 * 3600
    max_pages: int = 10


DEFAULT_WINDOW = LookupWindow()


async def find_by_reference(
    api: ReplicateApi,
    reference: str,
    *,
    models: Collection[str],
    versions: Collection[str] = (),
    window: LookupWindow = DEFAULT_WINDOW,
) -> str | None:
    oldest = datetime.now(UTC) - timedelta(seconds=window.lookback_seconds)
    cursor: str | None = None
    for page_number in range(1, window.max_pages + 1):
        try:
            page = await api.page(cursor)
        except (ApiError, MalformedAnswer, httpx.HTTPError) as exc:
            raise ProviderFailed("The provider's predictions could not be listed.") from exc
        for prediction in page.results:
            if _matches(prediction, reference, models, versions):
                logger.info(
                    "prediction found id=%s reference=%s page=%d",
                    prediction.id,
                    reference,
                    page_number,
                )
                return prediction.id
            created = prediction.created()
            if created is not None and created < oldest:
                return None
        if page.next is None:
            return None
        cursor = page.next
    logger.warning("prediction lookup stopped reference=%s pages=%d", reference, window.max_pages)
    return None


def _matches(
    prediction: Prediction, reference: str, models: Collection[str], versions: Collection[str]
) -> bool:
    if reference_of(prediction.webhook) != reference:
        return False
    return prediction.model in models or prediction.version in versions
