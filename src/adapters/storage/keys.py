"""The rules every storage adapter applies to keys, prefixes and content types.

A key is a relative path of segments joined by `/`, such as
`designs/<uuid>/<n>/preview.webp`. The rules are conservative so that a key means
the same file on a local disk, in memory and in an S3 bucket, and can never
leave the storage root:

- only `A-Z a-z 0-9 . _ -` inside a segment, so no backslash, NUL, space or `%`;
- no empty segment, so no leading `/` (absolute path), trailing `/` or `//`;
- no segment starting with `.`, which refuses `.` and `..` as well as hidden
  files (temporary files of an atomic write start with a dot);
- at most 512 characters in all and 255 in a segment (the usual file-name cap).

A file is stored only under an extension the service serves, and the content
type it is served with is the one its extension names.
"""

import re

MAX_KEY_LENGTH = 512
# NAME_MAX on Linux, macOS and Windows file systems alike.
MAX_SEGMENT_LENGTH = 255

_SEGMENT = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*")

CONTENT_TYPES: dict[str, str] = {
    ".png": "image/png",
    ".webp": "image/webp",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}


def validate_key(key: str) -> str:
    """Return `key` unchanged when it follows the rules; raise ValueError otherwise."""
    if not isinstance(key, str) or not key or len(key) > MAX_KEY_LENGTH:
        raise ValueError("invalid storage key: empty, not text or too long")
    for segment in key.split("/"):
        if len(segment) > MAX_SEGMENT_LENGTH or not _SEGMENT.fullmatch(segment):
            raise ValueError(f"invalid storage key: {key[:80]!r}")
    return key


def validate_prefix(prefix: str) -> str:
    """A folder of keys: a valid key, with one trailing `/` tolerated and removed.

    An empty prefix is refused, so that no call can delete the whole storage.
    """
    if isinstance(prefix, str) and prefix.endswith("/"):
        prefix = prefix[:-1]
    return validate_key(prefix)


def content_type_for(key: str) -> str:
    """The content type a key is served with; ValueError for an extension not served."""
    dot = key.rfind(".")
    extension = key[dot:].lower() if dot > key.rfind("/") else ""
    try:
        return CONTENT_TYPES[extension]
    except KeyError:
        raise ValueError(f"unsupported file extension: {extension or 'none'!r}") from None


def check_content_type(key: str, content_type: str) -> str:
    """The content type of `key`, after checking the caller asked for that same type.

    Parameters such as `; charset=` are ignored and case does not matter. A
    mismatch is a programming error (a PNG stored as `.webp`), so ValueError.
    """
    expected = content_type_for(key)
    asked = content_type.split(";", 1)[0].strip().lower()
    if asked != expected:
        raise ValueError(f"content type {asked!r} does not match the key's type {expected!r}")
    return expected
