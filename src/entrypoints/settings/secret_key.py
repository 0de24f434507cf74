"""SECRET_KEY: what production refuses, and the development key kept in the data folder."""

import os
import secrets
from pathlib import Path

MIN_SECRET_BYTES = 32
_KNOWN_DEFAULT_SECRETS = frozenset({"", "secret", "changeme", "change-me", "your-secret-key"})
# Words of the placeholders that sample configurations ship with.
_PLACEHOLDER_WORDS = ("change", "secret", "your", "example", "default", "password", "xxx")
# A random value of 32+ bytes uses far more distinct characters than this.
MIN_DISTINCT_SECRET_CHARACTERS = 12


def weak_secret(secret: str) -> bool:
    """A placeholder or a value with too little variety to have come from a random source."""
    lowered = secret.strip().lower()
    return (
        lowered in _KNOWN_DEFAULT_SECRETS
        or len(secret.encode()) < MIN_SECRET_BYTES
        or len(set(secret)) < MIN_DISTINCT_SECRET_CHARACTERS
        or any(word in lowered for word in _PLACEHOLDER_WORDS)
    )


def development_secret(data_dir: Path) -> str:
    """A random secret kept in the data folder, so tokens survive a restart on one machine."""
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value
