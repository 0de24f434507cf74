import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.designs import check_seed, check_variants, clean_prompt
from domain.errors import InvalidInput
from domain.phones import phone_slug, slugify
from domain.users import check_password, normalise_email


def test_prompt_is_trimmed() -> None:
    assert clean_prompt("  a red fox  ") == "a red fox"


@pytest.mark.parametrize(
    ("prompt", "code"),
    [
        ("", "prompt_empty"),
        ("   ", "prompt_empty"),
        ("x" * 1001, "prompt_too_long"),
        ("red\x00fox", "prompt_control_characters"),
        ("red\nfox", "prompt_control_characters"),
        ("red\u200efox", "prompt_control_characters"),
    ],
)
def test_bad_prompts_are_refused_with_their_code(prompt: str, code: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        clean_prompt(prompt)

    assert caught.value.code == code
    assert caught.value.field == "prompt"


def test_a_prompt_of_exactly_1000_characters_is_accepted() -> None:
    assert len(clean_prompt("y" * 1000)) == 1000


@given(st.text(min_size=1, max_size=1000).filter(lambda t: t.strip()))
def test_an_accepted_prompt_has_no_control_characters(text: str) -> None:
    try:
        cleaned = clean_prompt(text)
    except InvalidInput:
        return
    assert cleaned and len(cleaned) <= 1000
    refused = {"Cc", "Cf", "Cs", "Co", "Zl", "Zp"}
    assert not any(unicodedata.category(ch) in refused for ch in cleaned)


@pytest.mark.parametrize("count", [0, 5, -1, 100])
def test_variants_outside_one_to_four_are_refused(count: int) -> None:
    with pytest.raises(InvalidInput):
        check_variants(count)


@pytest.mark.parametrize("count", [1, 2, 3, 4])
def test_variants_one_to_four_are_accepted(count: int) -> None:
    assert check_variants(count) == count


def test_negative_seed_is_refused() -> None:
    with pytest.raises(InvalidInput):
        check_seed(-1)


@pytest.mark.parametrize(
    ("brand", "model", "slug"),
    [
        ("Apple", "iPhone 15 Pro", "apple-iphone-15-pro"),
        ("Samsung", "Galaxy S24 Ultra", "samsung-galaxy-s24-ultra"),
        ("Samsung", "Galaxy S23+", "samsung-galaxy-s23-plus"),
        ("OnePlus", "OnePlus 12", "oneplus-12"),
        ("Nothing", "Phone (2)", "nothing-phone-2"),
    ],
)
def test_phone_slugs_are_brand_and_model_in_lower_case_with_hyphens(
    brand: str, model: str, slug: str
) -> None:
    assert phone_slug(brand, model) == slug


def test_slugify_folds_symbols() -> None:
    assert slugify("  Hello,  World!! ") == "hello-world"


def test_emails_are_lower_cased_and_checked() -> None:
    assert normalise_email(" Ada@Example.COM ") == "ada@example.com"
    with pytest.raises(InvalidInput):
        normalise_email("not-an-email")


@pytest.mark.parametrize("email", ["a\x00@example.com", "a\u202e@example.com", "a\tb@example.com"])
def test_emails_with_control_characters_are_refused(email: str) -> None:
    with pytest.raises(InvalidInput):
        normalise_email(email)


@pytest.mark.parametrize(
    "email",
    [
        "Jos\u0065\u0301@example.com",
        "Jos\u00e9@example.com",
        "zoe@ex\u00e4mple.com",
        "victim@example.com,x.y",
        "victim@example.com>x.y",
        "a b@example.com",
        '"quoted"@example.com',
        "a..b@example.com",
        ".a@example.com",
        "a@-example.com",
        "a@example",
        "a@@example.com",
        "=?utf-8?q?x?=@example.com",
        "a=?b@example.com",
        "x" * 65 + "@example.com",
    ],
)
def test_an_address_a_mail_header_cannot_carry_as_it_is_is_refused(email: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        normalise_email(email)
    assert refused.value.code == "email_invalid"


@pytest.mark.parametrize(
    "email",
    ["o'brien+tag@example.co.uk", "a.b-c_d@xn--exmple-cua.com", "x@sub.domain-1.example"],
)
def test_plain_addresses_are_accepted(email: str) -> None:
    assert normalise_email(email) == email


@pytest.mark.parametrize("length", [7, 257])
def test_passwords_outside_8_to_256_characters_are_refused(length: int) -> None:
    with pytest.raises(InvalidInput):
        check_password("p" * length)


def test_passwords_may_hold_any_characters() -> None:
    assert check_password("pässwörd 🔑\t\x00") == "pässwörd 🔑\t\x00"


def test_a_password_is_measured_in_the_form_it_is_hashed_in() -> None:
    with pytest.raises(InvalidInput):
        check_password("e\u0301" * 4)
    assert check_password("e\u0301" * 8) == "e\u0301" * 8
