"""Repositories over plain dicts, for the embedded mode and the tests, one module per
entity; the rules they share are in adapters.memory.store."""

from adapters.memory.designs import InMemoryDesignRepository, InMemoryUploadRepository
from adapters.memory.jobs import ALREADY_QUEUED, InMemoryJobRepository
from adapters.memory.one_time_tokens import InMemoryOneTimeTokenRepository
from adapters.memory.phones import InMemoryPhoneRepository
from adapters.memory.sessions import InMemoryRefreshTokenRepository
from adapters.memory.store import InMemoryStore
from adapters.memory.users import InMemoryUserRepository

__all__ = [
    "ALREADY_QUEUED",
    "InMemoryDesignRepository",
    "InMemoryJobRepository",
    "InMemoryOneTimeTokenRepository",
    "InMemoryPhoneRepository",
    "InMemoryRefreshTokenRepository",
    "InMemoryStore",
    "InMemoryUploadRepository",
    "InMemoryUserRepository",
]
