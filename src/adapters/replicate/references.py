"""Where a prediction carries the caller's `reference`: the webhook URL's query.

The provider keeps the `webhook` URL with the prediction and documents query
parameters on it as the way to pass metadata along; the list endpoint returns it, so
a prediction whose create answer was lost can be found again by its reference.
The parameter is `reference`; the webhook handler reads the same parameter.
"""

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

REFERENCE_PARAMETER = "reference"


def checked_webhook_url(webhook_url: str) -> str:
    """The URL itself when it is absolute http(s); ValueError otherwise (a configuration error)."""
    parts = urlsplit(webhook_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("the webhook URL must be an absolute http(s) URL")
    return webhook_url


def webhook_with_reference(webhook_url: str, reference: str) -> str:
    """`webhook_url` with `reference=<reference>` added (replacing any earlier one)."""
    parts = urlsplit(checked_webhook_url(webhook_url))
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != REFERENCE_PARAMETER]
    query.append((REFERENCE_PARAMETER, reference))
    return urlunsplit(parts._replace(query=urlencode(query)))


def reference_of(webhook_url: str | None) -> str | None:
    """The reference carried by a prediction's webhook URL, if any."""
    if not webhook_url:
        return None
    for key, value in parse_qsl(urlsplit(webhook_url).query):
        if key == REFERENCE_PARAMETER:
            return value
    return None
