"""The provider's JSON answers, read within a size limit and a deadline.

A provider that answers slowly, endlessly or hugely costs one sign-in a clean error,
never the worker's memory or an open-ended wait.
"""

import asyncio
import json
import logging
from typing import Any

import httpx

from adapters.system.headers import declares_more_than
from domain.errors import ProviderFailed

logger = logging.getLogger(__name__)

# Google's discovery document, key set and token answer are each under 4 KiB.
MAX_ANSWER_BYTES = 64 * 1024
# Whole exchange, connection to last byte; the client's own timeout bounds each read.
ANSWER_DEADLINE_SECONDS = 15.0
ACCEPT_JSON = {"Accept": "application/json"}


class AnswerTooLarge(ValueError):
    """The provider sent more than MAX_ANSWER_BYTES."""


def unavailable() -> ProviderFailed:
    return ProviderFailed(
        "Google sign-in is unavailable; try again later.", code="google_unavailable"
    )


async def read_json(answer: httpx.Response) -> object:
    """The body of a streamed answer as JSON; ValueError when too large or not JSON."""
    if declares_more_than(answer.headers.get("Content-Length"), MAX_ANSWER_BYTES):
        raise AnswerTooLarge("declared")
    body = bytearray()
    async for chunk in answer.aiter_bytes():
        body += chunk
        if len(body) > MAX_ANSWER_BYTES:
            raise AnswerTooLarge(len(body))
    try:
        return json.loads(body)
    except RecursionError as error:
        raise ValueError("nested too deeply") from error


async def fetch_document(http: httpx.AsyncClient, url: str) -> dict[str, Any]:
    """A JSON object the provider publishes; ProviderFailed (502) when it cannot be had."""
    try:
        async with (
            asyncio.timeout(ANSWER_DEADLINE_SECONDS),
            http.stream("GET", url, headers=ACCEPT_JSON) as answer,
        ):
            answer.raise_for_status()
            document = await read_json(answer)
    except (httpx.HTTPError, ValueError, TimeoutError) as error:
        logger.warning("google provider document unavailable: %s", type(error).__name__)
        raise unavailable() from error
    if not isinstance(document, dict):
        logger.warning("google provider document is not a JSON object")
        raise unavailable()
    return document
