from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from sme_support.roles import Role, agency_user_create, is_manager, is_officer

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [Role.OFFICER, Role.MANAGER])
def test_agency_users_are_staff_in_their_group(role: Role, client) -> None:
    user = agency_user_create(username=f"a-{role}", email="a@example.test", role=role, password="s3cret-Passw0rd")
    assert user.is_staff and not user.is_superuser
    assert is_officer(user)
    assert is_manager(user) == (role == Role.MANAGER)
    client.force_login(user)
    assert client.get("/en/admin/").status_code == 200


def test_firm_staff_cannot_be_created_as_agency_users() -> None:
    with pytest.raises(ValueError):
        agency_user_create(username="x", email="x@example.test", role=Role.SME_STAFF)


def test_duplicate_username_is_refused() -> None:
    agency_user_create(username="dup", email="d@example.test", role=Role.OFFICER)
    with pytest.raises(ValidationError):
        agency_user_create(username="dup", email="d@example.test", role=Role.OFFICER)


def test_command_creates_an_officer_and_reports_errors(capsys) -> None:
    call_command("create_agency_user", "off1", "--email", "o@example.test", "--role", "officer", "--no-password")
    assert "Created officer off1" in capsys.readouterr().out
    with pytest.raises(CommandError, match="username"):
        call_command("create_agency_user", "off1", "--email", "o@example.test", "--role", "officer", "--no-password")
