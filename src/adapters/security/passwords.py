"""PasswordHasher with argon2id (argon2-cffi).

Defaults follow OWASP's argon2id profile: 19 MiB of memory, 2 passes, one lane.
Hashing and verifying run in worker threads behind a semaphore, so a burst of
logins queues instead of taking every thread of the loop's executor.
`verify` answers False for a wrong password and for a stored hash it cannot
read; it never raises for what a caller typed. A password is hashed and checked in
its Unicode NFKC form (NIST SP 800-63B), so "é" typed as one character or as "e"
and an accent is the same password. `verify_dummy` spends the same
time against a hash of a random password, so an unknown email costs what a
known one costs.

Known limits: the first `verify_dummy` also computes the dummy hash; one
instance serves one event loop, since its semaphore binds to the loop it
first waits in; hashes of other schemes (bcrypt, PBKDF2) are not read.
"""

import asyncio
import logging
import secrets
import unicodedata

from argon2 import PasswordHasher as Argon2Hasher
from argon2 import Type
from argon2.exceptions import InvalidHashError, VerificationError

logger = logging.getLogger(__name__)

# OWASP Password Storage Cheat Sheet, argon2id: m=19 MiB, t=2, p=1.
OWASP_TIME_COST = 2
OWASP_MEMORY_COST_KIB = 19456
OWASP_PARALLELISM = 1
DEFAULT_CONCURRENCY = 2


def _normalised(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


class ArgonPasswordHasher:
    """argon2id hashes; `needs_rehash` tells when a stored hash used other parameters."""

    def __init__(
        self,
        time_cost: int = OWASP_TIME_COST,
        memory_cost: int = OWASP_MEMORY_COST_KIB,
        parallelism: int = OWASP_PARALLELISM,
        concurrency: int = DEFAULT_CONCURRENCY,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self._argon = Argon2Hasher(
            time_cost=time_cost,
            memory_cost=memory_cost,
            parallelism=parallelism,
            type=Type.ID,
        )
        self._slots = asyncio.Semaphore(concurrency)
        self._dummy_hash: str | None = None

    async def hash(self, password: str) -> str:
        async with self._slots:
            return await asyncio.to_thread(self._argon.hash, _normalised(password))

    async def verify(self, password_hash: str, password: str) -> bool:
        """True only when `password` matches; False on a mismatch or an unreadable hash.

        A hash made before passwords were normalised matches the password as it was
        typed then: when the NFKC form does not match and differs, that form is tried.
        """
        normalised = _normalised(password)
        async with self._slots:
            if await asyncio.to_thread(self._verify, password_hash, normalised):
                return True
            if normalised == password:
                return False
            return await asyncio.to_thread(self._verify, password_hash, password)

    async def verify_dummy(self, password: str) -> None:
        async with self._slots:
            if self._dummy_hash is None:
                self._dummy_hash = await asyncio.to_thread(
                    self._argon.hash, secrets.token_urlsafe(32)
                )
            await asyncio.to_thread(self._verify, self._dummy_hash, _normalised(password))

    def needs_rehash(self, password_hash: str) -> bool:
        """True when the hash was made with other parameters or cannot be read at all."""
        try:
            return self._argon.check_needs_rehash(password_hash)
        except (InvalidHashError, ValueError):
            return True

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._argon.verify(password_hash, password)
        except VerificationError:
            return False
        except (InvalidHashError, ValueError):
            # ValueError also covers text that is not ASCII (hash) or UTF-8 (password).
            logger.warning("password hash could not be read; verification refused")
            return False
