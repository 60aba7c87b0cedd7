"""Set-up for the officer workspace tests: a program with a rubric, its officers (a lead and
two reviewers), an officer of another program, a manager, and applications brought into a
state through the real services."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from applications.casework.services import (
    application_override_eligibility,
    application_request_info,
    application_start_review,
)
from applications.decisions.moves import application_approve, application_reject, application_waitlist
from applications.eligibility.screening import application_screen
from applications.intake.services import application_submit
from applications.models import Application
from applications.workflow import Status
from firms.models import Firm
from programs.models import Program
from reviews.models import RubricCriterion
from sme_support.roles import Role
from tests.factories import ApplicationFactory, FirmFactory, ProgramFactory, assign_officer, firm_user, user_in_group


@pytest.fixture(autouse=True)
def _english(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    # reverse() gives /en/… URLs and pages are read in English unless a test says otherwise.
    with translation.override("en"):
        yield


def add_rubric(program: Program) -> list[RubricCriterion]:
    """Three criteria with different weights and scales, so the weighting shows."""
    return [
        RubricCriterion.objects.create(
            program=program,
            code="market",
            label_en="Market potential",
            label_ko="시장 잠재력",
            weight=Decimal("3"),
            scale_max=5,
            position=1,
        ),
        RubricCriterion.objects.create(
            program=program,
            code="plan",
            label_en="Quality of the export plan",
            label_ko="수출 계획의 질",
            weight=Decimal("1"),
            scale_max=10,
            position=2,
        ),
        RubricCriterion.objects.create(
            program=program,
            code="capacity",
            label_en="Capacity to deliver",
            label_ko="수행 역량",
            weight=Decimal("2"),
            scale_max=4,
            position=3,
        ),
    ]


@dataclass
class World:
    program: Program
    other_program: Program
    criteria: list[RubricCriterion]
    lead: Any
    reviewer: Any
    second_reviewer: Any
    plain_officer: Any
    outsider: Any
    manager: Any


def officer_on(program: Program, *, lead: bool = False, **kwargs: Any) -> Any:
    user = user_in_group(Role.OFFICER, **kwargs)
    assign_officer(program, user, lead=lead)
    return user


@pytest.fixture
def world() -> World:
    program = ProgramFactory(title_en="Design export voucher", title_ko="디자인 수출바우처")
    other_program = ProgramFactory(title_en="Games market entry", title_ko="게임 해외진출")
    return World(
        program=program,
        other_program=other_program,
        criteria=add_rubric(program),
        lead=officer_on(program, lead=True, username="lead", first_name="Lena", last_name="Lead"),
        reviewer=officer_on(program, username="rita", first_name="Rita", last_name="Reviewer"),
        second_reviewer=officer_on(program, username="sam", first_name="Sam", last_name="Second"),
        plain_officer=officer_on(program, username="paul"),
        outsider=officer_on(other_program, username="olga"),
        manager=user_in_group(Role.MANAGER, username="mona"),
    )


def application_in(
    program: Program,
    status: str,
    *,
    firm: Firm | None = None,
    actor: Any = None,
    requested_units: int = 10_000_000,
) -> Application:
    """An application of ``firm`` (a new one by default) moved to ``status`` by the services."""
    firm = firm or FirmFactory()
    staff = firm.memberships.first().user if firm.memberships.exists() else firm_user(firm)
    actor = actor or user_in_group(Role.MANAGER)
    application = ApplicationFactory(program=program, firm=firm, requested_units=requested_units)
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
        if status == Status.INELIGIBLE and application.status != Status.INELIGIBLE:
            raise AssertionError("the factory firm passed screening; make it fail first")
        application.refresh_from_db()
        return application
    application_start_review(application=application, actor=actor)
    if status == Status.UNDER_REVIEW:
        return application
    if status == Status.INFO_REQUESTED:
        application_request_info(application=application, actor=actor, message="More please")
        return application
    if status == Status.REJECTED:
        application_reject(application=application, actor=actor, reason="set-up")
        return application
    if status == Status.WAITLISTED:
        application_waitlist(application=application, actor=actor, reason="set-up")
        return application
    if status == Status.APPROVED:
        application_approve(application=application, actor=actor, units=requested_units, reason="set-up")
        return application
    raise AssertionError(f"no set-up path to {status}")


def ineligible_application(program: Program) -> Application:
    """Screening fails: the firm is under a sanction."""
    import datetime as dt

    firm = FirmFactory(sanctioned_until=dt.date(2099, 1, 1), sanction_reason="Misused a grant")
    return application_in(program, Status.INELIGIBLE, firm=firm)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def firm_staff_of(application: Application) -> Any:
    return application.firm.memberships.first().user


def text_of(response: Any) -> str:
    """The page's HTML with entities decoded, for asserting on messages with quotes."""
    import html

    return html.unescape(response.content.decode())
