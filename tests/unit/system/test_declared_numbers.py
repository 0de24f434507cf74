"""A length another server declares is read as plain ASCII digits, bounded."""

import pytest

from adapters.system.headers import declares_more_than


@pytest.mark.parametrize(
    ("declared", "too_large"),
    [
        (None, False),
        ("", False),
        ("1000", False),
        ("1001", True),
        ("0001001", True),
        ("00000000000000000000000000000000000042", False),
        ("9" * 5000, True),
        ("\u00b2\u00b3", False),
        ("-5", False),
        ("1e9", False),
        (" 2000", False),
    ],
)
def test_only_a_plain_number_over_the_limit_declares_too_much(
    declared: str | None, too_large: bool
) -> None:
    assert declares_more_than(declared, 1000) is too_large
