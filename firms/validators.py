"""Korean business registration number (사업자등록번호): 10 digits, the last a check digit."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)
_ALLOWED = re.compile(r"^\d{3}-?\d{2}-?\d{5}$")


def normalize_brn(value: str) -> str:
    """Strip the usual ``123-45-67890`` dashes and surrounding spaces."""
    return value.strip().replace("-", "")


def brn_check_digit(first_nine: str) -> int:
    """The National Tax Service algorithm.

    1. Multiply the first nine digits by 1,3,7,1,3,7,1,3,5 and add the products.
    2. Add the tens digit of (ninth digit × 5) once more.
    3. The check digit is (10 − total mod 10) mod 10.
    """
    digits = [int(c) for c in first_nine]
    total = sum(d * w for d, w in zip(digits, _WEIGHTS, strict=True))
    total += (digits[8] * 5) // 10
    return (10 - total % 10) % 10


def is_valid_brn(value: str) -> bool:
    if not _ALLOWED.match(value.strip()):
        return False
    digits = normalize_brn(value)
    return brn_check_digit(digits[:9]) == int(digits[9])


def validate_brn(value: str) -> None:
    if not _ALLOWED.match(value.strip()):
        raise ValidationError(
            _("A business registration number has 10 digits, written 123-45-67890 or 1234567890."),
            code="brn_format",
        )
    if not is_valid_brn(value):
        raise ValidationError(
            _(
                "This business registration number's check digit does not match. Please check it against your registration certificate."
            ),
            code="brn_checksum",
        )


def format_brn(value: str) -> str:
    digits = normalize_brn(value)
    return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}" if len(digits) == 10 else value


def normalize_email(email: str) -> str:
    """Addresses are compared case-insensitively everywhere: stored and looked up lower-cased."""
    return email.strip().lower()
