"""phone_slug always gives a slug the catalog accepts."""

from hypothesis import given
from hypothesis import strategies as st

from adapters.catalog.rows import SLUG_PATTERN
from domain.phones import phone_slug

ALPHANUMERIC = st.sampled_from("abcxyzABCXYZ0123456789")
TEXT = st.text(min_size=0, max_size=30)


def _with_alphanumeric(text: str, char: str, at: int) -> str:
    cut = at % (len(text) + 1)
    return text[:cut] + char + text[cut:]


@given(
    brand=TEXT,
    model=TEXT,
    brand_char=ALPHANUMERIC,
    model_char=ALPHANUMERIC,
    brand_at=st.integers(0, 30),
    model_at=st.integers(0, 30),
)
def test_phone_slug_is_lower_case_words_joined_by_single_hyphens(
    brand: str, model: str, brand_char: str, model_char: str, brand_at: int, model_at: int
) -> None:
    slug = phone_slug(
        _with_alphanumeric(brand, brand_char, brand_at),
        _with_alphanumeric(model, model_char, model_at),
    )

    assert SLUG_PATTERN.fullmatch(slug), slug


@given(brand=TEXT, model=TEXT)
def test_phone_slug_of_any_text_with_an_ascii_letter_or_digit_matches(
    brand: str, model: str
) -> None:
    if not any(c.isascii() and c.isalnum() for c in brand + model):
        return

    slug = phone_slug(brand, model)

    assert SLUG_PATTERN.fullmatch(slug), slug


def test_brand_already_in_the_model_name_is_not_repeated() -> None:
    assert phone_slug("OnePlus", "OnePlus 12") == "oneplus-12"
    assert phone_slug("Samsung", "Galaxy S23+") == "samsung-galaxy-s23-plus"
    assert phone_slug("Nothing", "Phone (2)") == "nothing-phone-2"
