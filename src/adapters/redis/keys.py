"""Checks of the names and numbers the Redis adapters are given."""


def check_name(name: str) -> str:
    """A key prefix or a channel: keys live under it, so several deployments can share
    one Redis."""
    if not name or name != name.strip():
        raise ValueError("a Redis key prefix or channel must be non-empty, without spaces around")
    return name


def positive(name: str, value: int) -> int:
    if value < 1:
        raise ValueError(f"{name} must be at least 1, got {value}")
    return value
