"""argon2id hashing: round trips, refusals that never raise, rehash detection."""

import asyncio

import pytest
from argon2 import PasswordHasher as Argon2Hasher
from argon2 import Type

from adapters.security.passwords import ArgonPasswordHasher

PASSWORD = "correct horse battery staple"


@pytest.fixture
def hasher() -> ArgonPasswordHasher:
    # Cheap parameters; production uses the OWASP defaults.
    return ArgonPasswordHasher(time_cost=1, memory_cost=8)


async def test_a_hash_verifies_its_password(hasher: ArgonPasswordHasher) -> None:
    password_hash = await hasher.hash(PASSWORD)

    assert password_hash.startswith("$argon2id$")
    assert PASSWORD not in password_hash
    assert await hasher.verify(password_hash, PASSWORD)


async def test_two_hashes_of_one_password_differ(hasher: ArgonPasswordHasher) -> None:
    assert await hasher.hash(PASSWORD) != await hasher.hash(PASSWORD)


async def test_a_wrong_password_is_false(hasher: ArgonPasswordHasher) -> None:
    password_hash = await hasher.hash(PASSWORD)

    assert not await hasher.verify(password_hash, PASSWORD + "!")
    assert not await hasher.verify(password_hash, "")


@pytest.mark.parametrize(
    ("typed_at_sign_up", "typed_at_login"),
    [
        ("Jose\u0301 secret words", "Jos\u00e9 secret words"),
        ("\uff30\uff41\uff53\uff53 phrase", "Pass phrase"),
    ],
    ids=["decomposed-vs-composed", "full-width-vs-ascii"],
)
async def test_one_password_whatever_its_unicode_form(
    hasher: ArgonPasswordHasher, typed_at_sign_up: str, typed_at_login: str
) -> None:
    password_hash = await hasher.hash(typed_at_sign_up)

    assert await hasher.verify(password_hash, typed_at_login)
    assert not await hasher.verify(password_hash, typed_at_login.upper())


async def test_a_hash_of_a_password_as_typed_before_normalising_still_matches(
    hasher: ArgonPasswordHasher,
) -> None:
    typed = "Cafe\u0301 au lait"
    # What the service stored before it normalised: argon2id of the password as typed.
    older_hash = Argon2Hasher(time_cost=1, memory_cost=8, parallelism=1, type=Type.ID).hash(typed)

    assert await hasher.verify(older_hash, typed)
    assert not await hasher.verify(older_hash, "Cafe au lait")


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "garbage",
        "$argon2id$v=19$m=8,t=1,p=1$bad",
        "$2b$12$abcdefghijklmnopqrstuv",
        "$argon2id$é",
    ],
)
async def test_an_unreadable_hash_is_false(hasher: ArgonPasswordHasher, stored: str) -> None:
    assert not await hasher.verify(stored, PASSWORD)


async def test_a_password_that_is_not_utf8_is_false(hasher: ArgonPasswordHasher) -> None:
    password_hash = await hasher.hash(PASSWORD)

    assert not await hasher.verify(password_hash, "\ud800")


async def test_a_hash_made_with_other_parameters_needs_rehash(
    hasher: ArgonPasswordHasher,
) -> None:
    stronger = ArgonPasswordHasher(time_cost=2, memory_cost=8)
    password_hash = await hasher.hash(PASSWORD)

    assert not hasher.needs_rehash(password_hash)
    assert stronger.needs_rehash(password_hash)
    assert await stronger.verify(password_hash, PASSWORD)


def test_an_unreadable_hash_needs_rehash(hasher: ArgonPasswordHasher) -> None:
    assert hasher.needs_rehash("garbage")


async def test_dummy_verification_runs_for_any_password(hasher: ArgonPasswordHasher) -> None:
    await hasher.verify_dummy(PASSWORD)
    await hasher.verify_dummy("")
    await hasher.verify_dummy("\ud800")


async def test_a_burst_beyond_the_concurrency_bound_all_completes() -> None:
    hasher = ArgonPasswordHasher(time_cost=1, memory_cost=8, concurrency=1)
    password_hash = await hasher.hash(PASSWORD)

    results = await asyncio.gather(*(hasher.verify(password_hash, PASSWORD) for _ in range(6)))

    assert results == [True] * 6


def test_a_concurrency_below_one_is_refused() -> None:
    with pytest.raises(ValueError):
        ArgonPasswordHasher(time_cost=1, memory_cost=8, concurrency=0)
