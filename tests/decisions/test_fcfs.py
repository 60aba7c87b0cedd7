"""First come, first served: screening decides an eligible application at once, as the system,
while capacity lasts; the backlog sweep decides those made eligible another way."""

from __future__ import annotations

import pytest

from applications import tasks
from applications.decisions.fcfs import fcfs_decide_backlog
from applications.eligibility.screening import application_screen
from applications.intake.services import application_submit
from applications.models import Allocation, Application, StatusChange, WaitlistEntry
from applications.workflow import ActorKind, Status
from notifications.models import Notification
from programs.models import Program, SelectionMode
from tests.decisions.helpers import assert_pool_consistent, booths, staff_of
from tests.factories import ApplicationFactory, FirmFactory, firm_user

pytestmark = pytest.mark.django_db


def _submitted(program: Program, units: int) -> Application:
    firm = FirmFactory()
    user = firm_user(firm)
    app = ApplicationFactory(program=program, firm=firm, requested_units=units)
    application_submit(application=app, actor=user)
    return app


def _screen(app: Application) -> Application:
    application_screen(application_id=app.pk)
    app.refresh_from_db()
    return app


def test_an_eligible_application_is_approved_by_the_system_while_capacity_lasts() -> None:
    program = booths(capacity=3, per_firm_cap=2, mode=SelectionMode.FCFS, closed=False)
    app = _screen(_submitted(program, 2))

    assert app.status == Status.APPROVED
    assert Allocation.objects.get(application=app).units == 2
    rows = list(StatusChange.objects.filter(application=app).order_by("at", "pk"))
    assert [r.transition for r in rows] == ["submit", "start_screening", "mark_eligible", "auto_review", "approve"]
    assert all((r.actor, r.actor_kind) == (None, ActorKind.SYSTEM) for r in rows[1:])
    assert "First come, first served" in rows[-1].note
    assert Notification.objects.get(user=staff_of(app)).kind == "decision_approve"
    assert_pool_consistent(program)


def test_when_the_rest_does_not_cover_the_request_it_is_waitlisted() -> None:
    program = booths(capacity=3, per_firm_cap=2, mode=SelectionMode.FCFS, closed=False)
    first = _screen(_submitted(program, 2))
    second = _screen(_submitted(program, 2))
    third = _screen(_submitted(program, 1))

    assert (first.status, second.status, third.status) == (Status.APPROVED, Status.WAITLISTED, Status.APPROVED)
    assert WaitlistEntry.objects.get(application=second).rank == 1
    assert "only 1 was left" in StatusChange.objects.filter(application=second).latest("at", "pk").note
    assert Notification.objects.get(user=staff_of(second)).kind == "decision_waitlist"
    program.refresh_from_db()
    assert program.allocated == program.capacity == 3
    assert_pool_consistent(program)


def test_a_ranked_program_leaves_the_eligible_application_for_review() -> None:
    program = booths(capacity=3, mode=SelectionMode.RANKED, closed=False)
    assert _screen(_submitted(program, 1)).status == Status.ELIGIBLE


def test_an_ineligible_application_is_not_decided() -> None:
    program = booths(capacity=3, mode=SelectionMode.FCFS, closed=False)
    app = _submitted(program, 1)
    import datetime as dt

    from django.utils import timezone

    app.firm.sanctioned_until = timezone.localdate() + dt.timedelta(days=30)
    app.firm.save(update_fields=["sanctioned_until"])
    assert _screen(app).status == Status.INELIGIBLE
    assert not Allocation.objects.exists()


def test_a_request_above_a_lowered_cap_is_left_under_review_for_an_officer() -> None:
    program = booths(capacity=5, per_firm_cap=3, mode=SelectionMode.FCFS, closed=False)
    app = _submitted(program, 3)
    # Screening would now find it ineligible (the per-firm cap rule); an officer overrode that.
    Application.objects.filter(pk=app.pk).update(status=Status.ELIGIBLE)
    Program.objects.filter(pk=program.pk).update(per_firm_cap=2)
    fcfs_decide_backlog()
    app.refresh_from_db()
    assert app.status == Status.UNDER_REVIEW
    assert not Allocation.objects.exists()


def test_rescreening_does_not_decide_twice() -> None:
    program = booths(capacity=3, mode=SelectionMode.FCFS, closed=False)
    app = _screen(_submitted(program, 1))
    _screen(app)
    assert StatusChange.objects.filter(application=app, transition="approve").count() == 1
    program.refresh_from_db()
    assert program.allocated == 1


def test_the_backlog_sweep_decides_eligible_applications_oldest_submission_first() -> None:
    program = booths(capacity=2, per_firm_cap=2, mode=SelectionMode.FCFS, closed=False)
    apps = [_submitted(program, u) for u in (2, 1)]
    # Made eligible without the screening hook (as an override or a rules re-check would).
    Application.objects.filter(pk__in=[a.pk for a in apps]).update(status=Status.ELIGIBLE)

    assert tasks.fcfs_decide_backlog.apply().get() == 2

    first, second = (Application.objects.get(pk=a.pk) for a in apps)
    assert (first.status, second.status) == (Status.APPROVED, Status.WAITLISTED)
    assert fcfs_decide_backlog() == 0  # nothing left: running it again is harmless
