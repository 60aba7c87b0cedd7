from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from firms.validators import brn_check_digit, format_brn, is_valid_brn, validate_brn


@pytest.mark.parametrize("value", ["1248100998", "124-81-00998", " 220-81-62517 ", "2208162517"])
def test_valid_numbers_pass(value: str) -> None:
    assert is_valid_brn(value)
    validate_brn(value)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("1248100997", "brn_checksum"),
        ("220-81-62518", "brn_checksum"),
        ("101812061", "brn_format"),
        ("10181206160", "brn_format"),
        ("10-181-20616", "brn_format"),
        ("101 81 20616", "brn_format"),
        ("abcdefghij", "brn_format"),
        ("", "brn_format"),
    ],
)
def test_invalid_numbers_are_refused_with_a_reason(value: str, code: str) -> None:
    with pytest.raises(ValidationError) as exc:
        validate_brn(value)
    assert exc.value.code == code


def test_check_digit_includes_the_carry_of_the_ninth_digit() -> None:
    # 9th digit 9: 9*5=45, the tens digit 4 is added once more.
    assert brn_check_digit("123456789") == 1
    assert is_valid_brn("1234567891")


def test_format_inserts_dashes() -> None:
    assert format_brn("1248100998") == "124-81-00998"
