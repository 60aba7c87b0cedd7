"""Set-up for the admin tests: applications brought into a state through the real services,
and clients signed in as each role."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from applications.casework.services import (
    application_override_eligibility,
    application_request_info,
    application_start_review,
)
from applications.decisions.grants import application_cancel, application_complete
from applications.decisions.moves import application_approve, application_reject, application_waitlist
from applications.eligibility.screening import application_screen
from applications.intake.services import application_submit
from applications.models import Application
from applications.workflow import Status
from programs.models import Program
from sme_support.roles import Role
from tests.factories import ApplicationFactory, FirmFactory, ProgramFactory, firm_user, user_in_group

APPROVED_UNITS = 5_000_000


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def application_in(program: Program, status: str, *, actor: Any = None) -> Application:
    """An application of a new firm in ``program``, moved to ``status`` by the services.

    ``actor`` fires the officer's transitions (a manager by default). It asks for the
    per-firm cap when that is below the factory's default, and approval grants at most
    ``APPROVED_UNITS``."""
    firm = FirmFactory()
    staff = firm_user(firm)
    actor = actor or user_in_group(Role.MANAGER)
    application = ApplicationFactory(program=program, firm=firm, requested_units=min(program.per_firm_cap, 10_000_000))
    if status == Status.DRAFT:
        return application
    application_submit(application=application, actor=staff)
    if status == Status.SUBMITTED:
        return application
    application_screen(application_id=application.pk)
    application.refresh_from_db()
    if application.status == Status.INELIGIBLE and status != Status.INELIGIBLE:
        application_override_eligibility(application=application, actor=actor, justification="set-up")
    if status in (Status.ELIGIBLE, Status.INELIGIBLE):
        application.refresh_from_db()
        assert application.status == status, application.eligibility_results
        return application
    application_start_review(application=application, actor=actor)
    if status == Status.UNDER_REVIEW:
        return application
    if status == Status.INFO_REQUESTED:
        application_request_info(application=application, actor=actor, message="More please")
        return application
    if status in (Status.WAITLISTED, Status.REJECTED):
        call = application_waitlist if status == Status.WAITLISTED else application_reject
        call(application=application, actor=actor, reason="set-up")
        return application
    application_approve(
        application=application, actor=actor, units=min(APPROVED_UNITS, application.requested_units), reason="set-up"
    )
    if status == Status.APPROVED:
        return application
    if status == Status.COMPLETED:
        application_complete(application=application, actor=actor)
        return application
    if status == Status.CANCELLED:
        application_cancel(application=application, actor=actor, reason="set-up")
        return application
    raise AssertionError(f"no set-up path to {status}")


@pytest.fixture
def other_program() -> Program:
    return ProgramFactory()


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def officer_client(officer: Any) -> Client:
    return client_for(officer)


@pytest.fixture
def manager_client(manager: Any) -> Client:
    return client_for(manager)


@pytest.fixture
def superuser() -> Any:
    return get_user_model().objects.create_superuser("root", "root@example.test", "correct horse battery staple")


@pytest.fixture
def superuser_client(superuser: Any) -> Client:
    return client_for(superuser)
