"""The HMAC signature behind every local signed URL."""

import pytest

from adapters.storage.signing import UrlSigner

KEY = "designs/d/0/preview.webp"
EXPIRES = 2_000_000_000


@pytest.fixture
def signer() -> UrlSigner:
    return UrlSigner(b"0123456789abcdef0123456789abcdef")


def test_signature_is_urlsafe_base64_without_padding(signer: UrlSigner) -> None:
    signature = signer.sign(KEY, EXPIRES)

    assert len(signature) == 43
    assert set(signature) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_signature_verifies_until_the_expiry_second(signer: UrlSigner) -> None:
    signature = signer.sign(KEY, EXPIRES)

    assert signer.verify(KEY, EXPIRES, signature, EXPIRES - 1)
    assert signer.verify(KEY, str(EXPIRES), signature, EXPIRES - 0.5)
    assert not signer.verify(KEY, EXPIRES, signature, EXPIRES)


def test_another_secret_does_not_verify(signer: UrlSigner) -> None:
    other = UrlSigner(b"x" * 32)

    assert not other.verify(KEY, EXPIRES, signer.sign(KEY, EXPIRES), 0)


@pytest.mark.parametrize(
    ("expires", "signature"),
    [
        ("", None),
        ("abc", None),
        ("-5", None),
        ("1e10", None),
        (" 2000000000", None),
        ("\uff12000000000", None),
        (True, None),
        (EXPIRES, "short"),
        (EXPIRES, "é" * 43),
        (EXPIRES, "A" * 43),
    ],
)
def test_malformed_input_is_refused_without_raising(
    signer: UrlSigner, expires: int | str, signature: str | None
) -> None:
    candidate = signature if signature is not None else signer.sign(KEY, EXPIRES)

    assert not signer.verify(KEY, expires, candidate, 0)


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(ValueError):
        UrlSigner(b"too short")


def test_a_derived_signer_differs_from_one_over_the_raw_secret() -> None:
    secret_key = "a-service-secret-key-of-forty-characters!"

    derived = UrlSigner.from_secret_key(secret_key)
    raw = UrlSigner(secret_key.encode())

    assert derived.sign(KEY, EXPIRES) != raw.sign(KEY, EXPIRES)
