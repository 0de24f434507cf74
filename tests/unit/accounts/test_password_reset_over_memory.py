"""Password reset and email verification over the in-memory adapters and a fake clock."""

from datetime import timedelta

import pytest

from account_world import API, FRONTEND, PASSWORD, AccountWorld, make_world, token_in
from application.accounts import EnsureLocalOwner
from domain.errors import InvalidInput, InvalidToken, RateLimited, Unauthorized
from domain.one_time_tokens import TokenPurpose

NEW_PASSWORD = "a brand new passphrase"


def reset_tokens(world: AccountWorld) -> list[object]:
    tokens = world.store.one_time_tokens.values()
    return [t for t in tokens if t.purpose is TokenPurpose.PASSWORD_RESET]


@pytest.fixture
async def world() -> AccountWorld:
    world = make_world()
    await world.signed_up("ann@example.com")
    world.mailer.sent.clear()
    return world


async def test_forgot_mails_a_link_to_the_configured_frontend(world: AccountWorld) -> None:
    token = await world.reset_token("ann@example.com")

    mail = world.mailer.sent[-1]
    assert mail.to == "ann@example.com"
    assert mail.kind == "password_reset"
    assert f"{FRONTEND}/reset-password#token={token}" in mail.text
    assert len(token) == 43


async def test_forgot_does_its_work_after_the_answer(world: AccountWorld) -> None:
    await world.forgot().execute("ann@example.com", "198.51.100.7")

    assert world.mailer.sent == []
    assert reset_tokens(world) == []
    assert [name for name, _ in world.background.queued] == ["password-reset-mail"]


async def test_forgot_for_an_unknown_or_malformed_address_sends_nothing(
    world: AccountWorld,
) -> None:
    await world.forgot().execute("nobody@example.com", "198.51.100.7")
    await world.forgot().execute("not an address", "198.51.100.7")
    await world.background.run()

    assert world.mailer.sent == []
    assert reset_tokens(world) == []


async def test_reset_sets_the_password_and_ends_every_session(world: AccountWorld) -> None:
    phone = await world.log_in().execute("ann@example.com", PASSWORD)
    laptop = await world.log_in().execute("ann@example.com", PASSWORD)
    token = await world.reset_token("ann@example.com")

    await world.reset().execute(token, NEW_PASSWORD)

    for grant in (phone, laptop):
        with pytest.raises(Unauthorized):
            await world.refresh().execute(grant.refresh_token)
        with pytest.raises(Unauthorized) as ended:
            await world.authenticate().execute(grant.access_token)
        assert ended.value.code == "session_revoked"
    with pytest.raises(Unauthorized):
        await world.log_in().execute("ann@example.com", PASSWORD)
    assert await world.log_in().execute("ann@example.com", NEW_PASSWORD)
    assert (await world.user("ann@example.com")).verified


async def test_a_reset_token_works_once(world: AccountWorld) -> None:
    token = await world.reset_token("ann@example.com")
    await world.reset().execute(token, NEW_PASSWORD)

    with pytest.raises(InvalidToken):
        await world.reset().execute(token, "yet another passphrase")

    assert await world.log_in().execute("ann@example.com", NEW_PASSWORD)


async def test_an_older_token_is_refused_after_a_newer_one(world: AccountWorld) -> None:
    older = await world.reset_token("ann@example.com")
    newer = await world.reset_token("ann@example.com")

    with pytest.raises(InvalidToken):
        await world.reset().execute(older, NEW_PASSWORD)

    await world.reset().execute(newer, NEW_PASSWORD)


async def test_a_reset_token_expires_after_thirty_minutes(world: AccountWorld) -> None:
    token = await world.reset_token("ann@example.com")

    world.clock.advance(timedelta(minutes=30))

    with pytest.raises(InvalidToken):
        await world.reset().execute(token, NEW_PASSWORD)
    assert await world.log_in().execute("ann@example.com", PASSWORD)


async def test_a_reset_token_still_works_just_before_it_expires(world: AccountWorld) -> None:
    token = await world.reset_token("ann@example.com")

    world.clock.advance(timedelta(minutes=29, seconds=59))

    await world.reset().execute(token, NEW_PASSWORD)


async def test_every_refusal_is_the_same_error(world: AccountWorld) -> None:
    used = await world.reset_token("ann@example.com")
    await world.reset().execute(used, NEW_PASSWORD)
    older = await world.reset_token("ann@example.com")
    expired = await world.reset_token("ann@example.com")
    world.clock.advance(timedelta(hours=1))

    refusals = []
    for token in (used, older, expired, "A" * 43, "not-a-token"):
        with pytest.raises(InvalidToken) as refused:
            await world.reset().execute(token, "one more passphrase")
        refusals.append((refused.value.code, refused.value.detail))

    assert len(set(refusals)) == 1
    assert refusals[0][0] == "token_invalid"


async def test_a_bad_new_password_does_not_spend_the_token(world: AccountWorld) -> None:
    token = await world.reset_token("ann@example.com")

    with pytest.raises(InvalidInput):
        await world.reset().execute(token, "short")

    await world.reset().execute(token, NEW_PASSWORD)


async def test_forgot_is_limited_per_address(world: AccountWorld) -> None:
    for n in range(3):
        await world.forgot().execute("ann@example.com", f"198.51.100.{n}")

    with pytest.raises(RateLimited) as limited:
        await world.forgot().execute("ANN@example.com", "198.51.100.9")

    assert limited.value.code == "rate_limited"
    assert 1 <= limited.value.retry_after_seconds <= 3600


async def test_forgot_is_limited_per_caller(world: AccountWorld) -> None:
    for n in range(5):
        await world.forgot().execute(f"user{n}@example.com", "198.51.100.7")

    with pytest.raises(RateLimited) as limited:
        await world.forgot().execute("ann@example.com", "198.51.100.7")

    assert 1 <= limited.value.retry_after_seconds <= 900


async def test_a_verification_token_is_not_a_reset_token(world: AccountWorld) -> None:
    await world.signed_up("bob@example.com")
    verification = token_in(world.mailer.sent[-1].text)

    with pytest.raises(InvalidToken):
        await world.reset().execute(verification, NEW_PASSWORD)


async def test_sign_up_mails_a_verification_link_to_the_api(world: AccountWorld) -> None:
    await world.signed_up("bob@example.com")

    mail = world.mailer.sent[-1]
    token = token_in(mail.text)
    assert mail.to == "bob@example.com"
    assert f"{API}/v1/auth/verify?token={token}" in mail.text


async def test_the_verification_link_verifies_the_address_once(world: AccountWorld) -> None:
    bob = await world.signed_up("bob@example.com")
    token = token_in(world.mailer.sent[-1].text)
    assert not bob.verified

    await world.verify().execute(token)

    assert (await world.user("bob@example.com")).verified
    with pytest.raises(InvalidToken):
        await world.verify().execute(token)


async def test_a_reset_token_does_not_verify_an_address(world: AccountWorld) -> None:
    token = await world.reset_token("ann@example.com")

    with pytest.raises(InvalidToken):
        await world.verify().execute(token)


async def test_sign_up_of_a_taken_address_sends_no_mail(world: AccountWorld) -> None:
    await world.sign_up().execute("ann@example.com", "another passphrase")
    await world.background.run()

    assert world.mailer.sent == []


async def test_the_services_own_accounts_get_no_reset_token(world: AccountWorld) -> None:
    owner = await EnsureLocalOwner(world.uow, world.clock).execute()

    await world.forgot().execute(owner.email, "198.51.100.7")
    await world.background.run()

    assert world.mailer.sent == []
    assert reset_tokens(world) == []


async def test_the_owner_is_told_by_mail_that_the_password_changed(world: AccountWorld) -> None:
    token = await world.reset_token("ann@example.com")

    await world.reset().execute(token, NEW_PASSWORD)
    await world.background.run()

    notice = world.mailer.sent[-1]
    assert (notice.to, notice.kind) == ("ann@example.com", "password_changed")
    assert token not in notice.text
