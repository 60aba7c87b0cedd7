from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine

from tests.eligibility.helpers import NOW


@pytest.fixture(autouse=True)
def _fixed_day() -> Iterator[None]:
    # Founding ages, sanctions, overdue reports and approval windows all count from today.
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def _fast_passwords(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
