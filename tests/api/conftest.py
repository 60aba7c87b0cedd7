"""Set-up for the API tests: two programs (one assigned to the officer), three firms, their
applications and outcome reports, and a signed-in client per role."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from applications.models import Allocation, Application, OutcomeReport
from applications.workflow import Status
from firms.models import Firm, Sector
from programs.models import Program
from sme_support.roles import Role
from tests.factories import ApplicationFactory, FirmFactory, ProgramFactory, assign_officer, firm_user, user_in_group


@pytest.fixture(autouse=True)
def _api_test_environment(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.LANGUAGE_CODE = "en"
    # The throttle counts in the cache; each test starts from zero.
    cache.clear()


def client_for(user: Any | None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def decide(application: Application, status: str, *, days_after_submit: float = 5.0, units: int | None = None) -> None:
    """Put ``application`` in a decided state directly (set-up only; the write paths are
    tested through the services elsewhere)."""
    submitted = application.submitted_at or timezone.now() - dt.timedelta(days=30)
    Application.objects.filter(pk=application.pk).update(
        status=status,
        submitted_at=submitted,
        decided_at=submitted + dt.timedelta(days=days_after_submit),
        status_changed_at=timezone.now(),
        receipt_number=f"R{application.program.fiscal_year}-{application.pk:07d}",
    )
    if units is not None:
        Allocation.objects.create(
            application=application,
            program=application.program,
            units=units,
            granted_at=submitted + dt.timedelta(days=days_after_submit),
            released_at=None if status in (Status.APPROVED, Status.COMPLETED) else timezone.now(),
        )
    application.refresh_from_db()


def report(application: Application, **values: Any) -> OutcomeReport:
    values.setdefault("status", OutcomeReport.ReportStatus.ACCEPTED)
    values.setdefault("due_on", timezone.localdate() + dt.timedelta(days=30))
    return OutcomeReport.objects.create(application=application, **values)


@dataclass
class World:
    program_a: Program  # assigned to the officer
    program_b: Program  # not assigned to the officer
    firm_a: Firm
    firm_b: Firm
    firm_c: Firm
    user_a: Any  # staff of firm A
    user_b: Any
    user_c: Any
    officer: Any
    manager: Any
    app_aa: Application  # firm A → program A, a draft
    app_ba: Application  # firm B → program A, under review
    app_cb: Application  # firm C → program B, completed, with an allocation and a report
    report_aa: OutcomeReport
    report_cb: OutcomeReport

    def client(self, role: str) -> APIClient:
        return client_for(
            {"firm": self.user_a, "officer": self.officer, "manager": self.manager, "anonymous": None}[role]
        )


@pytest.fixture
def world(db: Any) -> World:
    program_a = ProgramFactory(code="alpha", capacity=100_000_000)
    program_a.target_countries.set(["FR", "JP"])
    program_b = ProgramFactory(code="bravo", trade_show=True)
    program_b.target_countries.set(["DE"])
    firm_a, firm_b = FirmFactory(sector=Sector.GAMES), FirmFactory(sector=Sector.MUSIC)
    firm_c = FirmFactory(sector=Sector.FILM)
    firm_a.markets_of_interest.set(["FR"])
    officer = user_in_group(Role.OFFICER)
    assign_officer(program_a, officer, lead=True)
    app_aa = ApplicationFactory(program=program_a, firm=firm_a)
    app_ba = ApplicationFactory(program=program_a, firm=firm_b)
    Application.objects.filter(pk=app_ba.pk).update(
        status=Status.UNDER_REVIEW, submitted_at=timezone.now() - dt.timedelta(days=3)
    )
    app_ba.refresh_from_db()
    app_cb = ApplicationFactory(program=program_b, firm=firm_c, requested_units=2)
    decide(app_cb, Status.COMPLETED, units=2)
    return World(
        program_a=program_a,
        program_b=program_b,
        firm_a=firm_a,
        firm_b=firm_b,
        firm_c=firm_c,
        user_a=firm_user(firm_a),
        user_b=firm_user(firm_b),
        user_c=firm_user(firm_c),
        officer=officer,
        manager=user_in_group(Role.MANAGER),
        app_aa=app_aa,
        app_ba=app_ba,
        app_cb=app_cb,
        report_aa=report(app_aa, status=OutcomeReport.ReportStatus.DRAFT),
        report_cb=report(app_cb, buyer_meetings=4, consultation_usd=50_000, contracts_usd=20_000),
    )


def error_of(response: Any) -> dict[str, Any]:
    """The error body, checked for the API's one shape."""
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "fields"}, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]
