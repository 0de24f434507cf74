"""Reading a number another server declares in a header, without trusting it."""

# Enough digits for any length worth reading; more only say "too large".
_MAX_DIGITS = 20


def declares_more_than(declared: str | None, limit: int) -> bool:
    """Whether a Content-Length-like value is a plain number above `limit`.

    Only ASCII digits count (latin-1 superscripts pass str.isdigit) and at most 20 of
    them are converted; anything else declares nothing, and the body's own size is
    checked while it is read.
    """
    if declared is None or not declared.isascii() or not declared.isdigit():
        return False
    digits = declared.lstrip("0")
    return len(digits) > _MAX_DIGITS or int(digits or "0") > limit
