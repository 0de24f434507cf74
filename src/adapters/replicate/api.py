"""ReplicateApi: the few provider endpoints the adapters call, over the client's HTTP client.

The `replicate` client (1.0.7) supplies the token, the base URL, timeouts and its
retry of GETs on 429, 503 and 504. Its typed methods are not used: its Prediction
model refuses the `aborted` status, `create` cannot send the Cancel-After header, and
its errors drop the response headers that carry Retry-After. So requests go through
the client's own `httpx.AsyncClient` and answers are decoded here with msgspec.
Known limit: `_async_client` is the client's private attribute, pinned by the tests.
"""

import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx
import msgspec
from replicate.client import Client

from adapters.replicate.predictions import (
    Prediction,
    PredictionPage,
    decode_page,
    decode_prediction,
    is_prediction_id,
)

logger = logging.getLogger(__name__)

LIST_PATH = "/v1/predictions"
# Every waiting request of the process shares these few connections (the pool scans
# them all for each request, so more cost CPU in a burst). All are kept alive,
# so a burst of polls reuses them instead of opening and closing one per call.
API_CONNECTIONS = httpx.Limits(max_connections=16, max_keepalive_connections=16)


def api_transport() -> httpx.AsyncHTTPTransport:
    """The transport to give the `replicate` client (as `transport=`): its own default
    keeps only 20 connections alive. Async only: the client's sync side is never used."""
    return httpx.AsyncHTTPTransport(limits=API_CONNECTIONS)


class ApiError(Exception):
    """The provider answered with a 4xx or 5xx status."""

    def __init__(self, status: int, detail: str, headers: httpx.Headers, body: bytes) -> None:
        super().__init__(f"provider answered {status}: {detail}")
        self.status = status
        self.detail = detail
        self.headers = headers
        self.body = body


class MalformedAnswer(Exception):
    """The provider answered 2xx with a body that is not what the endpoint returns."""


class _Secret(msgspec.Struct, frozen=True):
    key: str


class ReplicateApi:
    """Create, get, list and the webhook secret; every call async, the token never logged."""

    def __init__(self, client: Client) -> None:
        self._client = client

    @property
    def _http(self) -> httpx.AsyncClient:
        http: Any = self._client._async_client
        if not isinstance(http, httpx.AsyncClient):
            raise TypeError("the replicate client no longer exposes an httpx.AsyncClient")
        return http

    async def create(
        self,
        path: str,
        body: Mapping[str, object],
        *,
        headers: Mapping[str, str],
        timeout_seconds: float,
    ) -> Prediction:
        """POST a create; the client never retries it, and neither does this method."""
        response = await self._http.post(
            path, json=dict(body), headers=dict(headers), timeout=timeout_seconds
        )
        return _prediction(_checked(response))

    async def get(self, prediction_id: str) -> Prediction:
        response = await self._http.get(f"{LIST_PATH}/{_safe_id(prediction_id)}")
        return _prediction(_checked(response))

    async def cancel(self, prediction_id: str) -> Prediction:
        response = await self._http.post(f"{LIST_PATH}/{_safe_id(prediction_id)}/cancel")
        return _prediction(_checked(response))

    async def page(self, cursor: str | None = None) -> PredictionPage:
        """One page of predictions, newest first; `cursor` is a page's `next` as given."""
        response = await self._http.get(_list_target(cursor))
        raw = _checked(response)
        try:
            return decode_page(raw)
        except msgspec.DecodeError as exc:
            raise MalformedAnswer("the prediction list is malformed") from exc

    async def webhook_secret(self) -> str:
        """The account's webhook signing secret (`whsec_...`); keep it out of logs."""
        response = await self._http.get("/v1/webhooks/default/secret")
        try:
            return msgspec.json.decode(_checked(response), type=_Secret).key
        except msgspec.DecodeError as exc:
            raise MalformedAnswer("the webhook secret answer is malformed") from exc

    async def aclose(self) -> None:
        """Close the client's HTTP connections; call once, when the process stops."""
        await self._http.aclose()


def _safe_id(prediction_id: str) -> str:
    if not is_prediction_id(prediction_id):
        raise ValueError("not a prediction id")
    return prediction_id


def _list_target(cursor: str | None) -> str:
    """The list path with the cursor's query, always relative to the client's own base URL.

    Only the query of `next` is kept, so a page can never steer the token to another host.
    """
    if cursor is None:
        return LIST_PATH
    query = urlsplit(cursor).query
    return f"{LIST_PATH}?{query}" if query else LIST_PATH


def _checked(response: httpx.Response) -> bytes:
    if response.status_code < 400:
        return response.content
    raise ApiError(response.status_code, _detail(response), response.headers, response.content)


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.reason_phrase
    if isinstance(body, dict) and isinstance(body.get("detail"), str):
        return str(body["detail"])[:300]
    return response.reason_phrase


def _prediction(raw: bytes) -> Prediction:
    try:
        return decode_prediction(raw)
    except msgspec.DecodeError as exc:
        raise MalformedAnswer("the prediction is malformed") from exc
