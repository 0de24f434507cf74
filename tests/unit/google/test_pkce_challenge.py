"""The S256 challenge the sign-in sends is the one Authlib, on the provider's side, expects."""

import string

from authlib.oauth2.rfc7636 import create_s256_code_challenge
from hypothesis import given
from hypothesis import strategies as st

from application.google_sign_in import code_challenge

# RFC 7636, section 4.1: unreserved characters, 43 to 128 of them.
UNRESERVED = string.ascii_letters + string.digits + "-._~"


@given(st.text(alphabet=UNRESERVED, min_size=43, max_size=128))
def test_the_challenge_is_the_one_authlib_computes(verifier: str) -> None:
    assert code_challenge(verifier) == create_s256_code_challenge(verifier)
