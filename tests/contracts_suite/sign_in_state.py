"""What every SignInStateStore must do: keep a value for its time to live, give it once."""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest

from application.google_sign_in import SignInStateStore


@dataclass
class SignInStateHarness:
    store: SignInStateStore
    # Moves the store's time forward by so many seconds.
    advance: Callable[[float], Awaitable[None]]


class SignInStateStoreContract:
    async def test_a_value_is_taken_once(self, states: SignInStateHarness) -> None:
        await states.store.put("state:a", '{"nonce": "n"}', 600)

        first = await states.store.take("state:a")
        second = await states.store.take("state:a")

        assert first == '{"nonce": "n"}'
        assert second is None

    async def test_an_unknown_key_gives_nothing(self, states: SignInStateHarness) -> None:
        assert await states.store.take("state:never-put") is None

    async def test_a_value_expires_with_its_time_to_live(self, states: SignInStateHarness) -> None:
        await states.store.put("state:short", "v", 60)
        await states.store.put("state:long", "w", 600)

        await states.advance(61)

        assert await states.store.take("state:short") is None
        assert await states.store.take("state:long") == "w"

    async def test_keys_are_kept_apart(self, states: SignInStateHarness) -> None:
        await states.store.put("state:a", "one", 600)
        await states.store.put("code:a", "two", 60)

        assert await states.store.take("code:a") == "two"
        assert await states.store.take("state:a") == "one"

    async def test_of_concurrent_takes_exactly_one_gets_the_value(
        self, states: SignInStateHarness
    ) -> None:
        await states.store.put("state:raced", "v", 600)

        taken = await asyncio.gather(*(states.store.take("state:raced") for _ in range(10)))

        assert taken.count("v") == 1
        assert taken.count(None) == 9

    async def test_a_time_to_live_under_one_second_is_refused(
        self, states: SignInStateHarness
    ) -> None:
        with pytest.raises(ValueError):
            await states.store.put("state:a", "v", 0)
