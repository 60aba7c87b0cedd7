"""Set-up for the decision tests: programs in a given mode and state, and applications placed
in a status directly (how they got there is not what these tests are about), plus the real
services where the path matters."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.utils import timezone

from applications.decisions.moves import application_approve, application_waitlist
from applications.models import Allocation, Application, DecisionPolicy
from applications.workflow import Status
from programs.models import Program, ProgramKind, SelectionMode
from sme_support.roles import Role
from tests.factories import ApplicationFactory, FirmFactory, ProgramFactory, assign_officer, firm_user, user_in_group

BASE = timezone.make_aware(dt.datetime(2026, 3, 2, 9, 0))


def booths(
    *, capacity: int = 10, per_firm_cap: int = 5, mode: str = SelectionMode.RANKED, closed: bool = True, **kwargs: Any
) -> Program:
    """A trade show (units are booths, each worth the 8,000,000 KRW subsidy)."""
    now = timezone.now()
    window = (
        {"opens_at": now - dt.timedelta(days=30), "closes_at": now - dt.timedelta(days=1)}
        if closed
        else {"opens_at": now - dt.timedelta(days=5), "closes_at": now + dt.timedelta(days=5)}
    )
    return ProgramFactory(
        trade_show=True, capacity=capacity, per_firm_cap=per_firm_cap, selection_mode=mode, **window, **kwargs
    )


def funding(*, capacity: int = 100_000_000, per_firm_cap: int = 50_000_000, **kwargs: Any) -> Program:
    return ProgramFactory(capacity=capacity, per_firm_cap=per_firm_cap, **kwargs)


def delegation(*, capacity: int = 20, per_firm_cap: int = 4) -> Program:
    return ProgramFactory(
        kind=ProgramKind.BUSINESS_DELEGATION,
        capacity=capacity,
        per_firm_cap=per_firm_cap,
        co_funding_share=None,
        eligible_expenses=[],
        event_name="Content delegation",
        event_city="Hanoi",
        event_country_id="FR",
        event_starts_on=timezone.localdate() + dt.timedelta(days=40),
        event_ends_on=timezone.localdate() + dt.timedelta(days=44),
    )


def lead_officer(program: Program) -> Any:
    user = user_in_group(Role.OFFICER)
    assign_officer(program, user, lead=True)
    return user


def officer_of(program: Program) -> Any:
    user = user_in_group(Role.OFFICER)
    assign_officer(program, user)
    return user


def manager() -> Any:
    return user_in_group(Role.MANAGER)


def policy(program: Program, **fields: Any) -> DecisionPolicy:
    row, _ = DecisionPolicy.objects.update_or_create(program=program, defaults=fields)
    return row


def application_in(
    program: Program,
    status: str = Status.UNDER_REVIEW,
    *,
    units: int = 1,
    submitted_at: dt.datetime | None = None,
    firm: Any = None,
    with_user: bool = True,
) -> Application:
    """An application placed straight into ``status``, with a portal user for its firm."""
    firm = firm or FirmFactory()
    if with_user and not firm.memberships.exists():
        firm_user(firm)
    app = ApplicationFactory(program=program, firm=firm, requested_units=units)
    Application.objects.filter(pk=app.pk).update(
        status=status,
        submitted_at=submitted_at or BASE + dt.timedelta(minutes=app.pk),
        receipt_number=f"R{program.fiscal_year}-{app.pk:07d}",
    )
    app.refresh_from_db()
    return app


def staff_of(application: Application) -> Any:
    return application.firm.memberships.select_related("user").first().user


def approved(program: Program, officer: Any, *, units: int = 1, **kwargs: Any) -> Application:
    app = application_in(program, units=units, **kwargs)
    application_approve(application=app, actor=officer, units=units, reason="Strong plan")
    app.refresh_from_db()
    return app


def waitlisted(program: Program, officer: Any, *, units: int = 1, **kwargs: Any) -> Application:
    app = application_in(program, units=units, **kwargs)
    application_waitlist(application=app, actor=officer, reason="Below the line")
    app.refresh_from_db()
    return app


def live_units(program: Program) -> int:
    return Allocation.objects.filter(program=program, released_at=None).aggregate(s=Sum("units"))["s"] or 0


def assert_pool_consistent(program: Program) -> None:
    program.refresh_from_db()
    assert 0 <= program.allocated <= program.capacity
    assert program.allocated == live_units(program)


def scores(*pairs: tuple[Application, str]) -> dict[int, Decimal]:
    return {app.pk: Decimal(value) for app, value in pairs}
