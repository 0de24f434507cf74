"""The sign-in state contract on the in-process store, plus its bound."""

import pytest

from adapters.memory.sign_in_state import InMemorySignInStateStore
from contracts_suite.coordination import FakeClock
from contracts_suite.sign_in_state import SignInStateHarness, SignInStateStoreContract


@pytest.fixture
def states() -> SignInStateHarness:
    clock = FakeClock()

    async def advance(seconds: float) -> None:
        clock.advance(seconds)

    return SignInStateHarness(InMemorySignInStateStore(clock), advance)


class TestInMemorySignInStateStore(SignInStateStoreContract):
    pass


async def test_a_full_store_drops_expired_then_oldest_entries() -> None:
    clock = FakeClock()
    store = InMemorySignInStateStore(clock, max_entries=3)
    await store.put("old", "1", 10)
    await store.put("a", "2", 600)
    await store.put("b", "3", 600)
    clock.advance(11)

    await store.put("c", "4", 600)
    await store.put("d", "5", 600)

    assert len(store) == 3
    assert await store.take("old") is None
    assert await store.take("a") is None
    assert [await store.take(k) for k in ("b", "c", "d")] == ["3", "4", "5"]
