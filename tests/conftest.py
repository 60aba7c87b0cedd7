from __future__ import annotations

from typing import Any

import pytest

from sme_support.roles import Role
from tests.factories import FirmFactory, ProgramFactory, assign_officer, firm_user, user_in_group


@pytest.fixture
def firm() -> Any:
    return FirmFactory()


@pytest.fixture
def firm_staff(firm: Any) -> Any:
    return firm_user(firm)


@pytest.fixture
def program() -> Any:
    return ProgramFactory()


@pytest.fixture
def officer(program: Any) -> Any:
    user = user_in_group(Role.OFFICER)
    assign_officer(program, user, lead=True)
    return user


@pytest.fixture
def manager() -> Any:
    return user_in_group(Role.MANAGER)
