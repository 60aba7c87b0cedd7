"""Submitting: the call must be open and the request within the cap; the submission gets a
receipt number; screening is enqueued only once the submission is committed, a broker outage
does not lose the submission, and screening twice is harmless."""

from __future__ import annotations

import datetime as dt
import logging
import re

import pytest
import time_machine
from django.utils import timezone, translation

from applications.eligibility.screening import application_screen
from applications.errors import CallClosed, InvalidUnits, TransitionNotAllowed
from applications.intake.services import application_create, application_submit, application_update_draft
from applications.models import Application, StatusChange
from applications.tasks import screen_application
from applications.workflow import Status
from tests.applications.workflow_driver import FAST_HASHERS, Cast, drive_to, make_cast, put_in_state
from tests.factories import firm_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture
def cast() -> Cast:
    return make_cast()


@pytest.fixture
def enqueued(monkeypatch) -> list[int]:
    """Stand in for the broker: record what would have been sent to the worker."""
    sent: list[int] = []
    monkeypatch.setattr(screen_application, "delay", lambda application_id: sent.append(application_id))
    return sent


def _history(app: Application) -> list[tuple[str, str, str]]:
    return list(
        StatusChange.objects.filter(application=app)
        .order_by("at", "pk")
        .values_list("transition", "from_status", "to_status")
    )


# --- Receipt number --------------------------------------------------------------------------


def test_submit_assigns_a_receipt_number_and_submission_time(cast: Cast) -> None:
    app = cast.new_application()
    assert app.receipt_number is None
    started = timezone.now()
    application_submit(application=app, actor=cast.firm_staff)
    app.refresh_from_db()
    assert app.receipt_number == f"R{cast.program.fiscal_year}-{app.pk:07d}"
    assert started <= app.submitted_at <= timezone.now()
    assert app.status == Status.SUBMITTED
    assert str(app) == app.receipt_number


def test_receipt_numbers_differ_between_applications(cast: Cast) -> None:
    first = cast.new_application()
    other_firm = make_cast().firm
    second = cast.new_application(firm=other_firm)
    application_submit(application=first, actor=cast.firm_staff)
    application_submit(application=second, actor=firm_user(other_firm))
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.receipt_number and second.receipt_number
    assert first.receipt_number != second.receipt_number
    assert all(re.fullmatch(r"R\d{4}-\d{7}", a.receipt_number) for a in (first, second))


def test_caller_instance_sees_the_committed_state(cast: Cast) -> None:
    app = cast.new_application()
    returned = application_submit(application=app, actor=cast.firm_staff)
    assert app.status == returned.status == Status.SUBMITTED
    assert app.receipt_number == returned.receipt_number


# --- The call window ------------------------------------------------------------------------


def test_submit_is_refused_once_the_call_has_closed(cast: Cast) -> None:
    app = cast.new_application()
    closes = timezone.now() - dt.timedelta(hours=1)
    type(cast.program).objects.filter(pk=cast.program.pk).update(
        opens_at=closes - dt.timedelta(days=30), closes_at=closes
    )
    with translation.override("en"), pytest.raises(CallClosed) as caught:
        application_submit(application=app, actor=cast.firm_staff)
    assert "closed" in str(caught.value)
    assert timezone.localtime(closes).strftime("%Y-%m-%d %H:%M") in str(caught.value)
    app.refresh_from_db()
    assert (app.status, app.receipt_number, app.submitted_at) == (Status.DRAFT, None, None)
    assert _history(app) == []


def test_submit_is_refused_before_the_call_opens(cast: Cast) -> None:
    app = cast.new_application()
    opens = timezone.now() + dt.timedelta(days=2)
    type(cast.program).objects.filter(pk=cast.program.pk).update(
        opens_at=opens, closes_at=opens + dt.timedelta(days=30)
    )
    with translation.override("en"), pytest.raises(CallClosed) as caught:
        application_submit(application=app, actor=cast.firm_staff)
    assert "opens" in str(caught.value)
    assert timezone.localtime(opens).strftime("%Y-%m-%d %H:%M") in str(caught.value)
    app.refresh_from_db()
    assert app.status == Status.DRAFT


def test_call_closes_exactly_at_its_closing_time(cast: Cast) -> None:
    closes_at = cast.program.closes_at
    early, late = cast.new_application(), cast.new_application(firm=make_cast().firm)
    with time_machine.travel(closes_at - dt.timedelta(microseconds=1), tick=False):
        application_submit(application=early, actor=cast.firm_staff)
    with time_machine.travel(closes_at, tick=False), pytest.raises(CallClosed):
        application_submit(application=late, actor=firm_user(late.firm))
    early.refresh_from_db()
    late.refresh_from_db()
    assert (early.status, late.status) == (Status.SUBMITTED, Status.DRAFT)


def test_drafts_cannot_be_started_on_a_closed_call(cast: Cast) -> None:
    type(cast.program).objects.filter(pk=cast.program.pk).update(
        opens_at=timezone.now() - dt.timedelta(days=30), closes_at=timezone.now() - dt.timedelta(days=1)
    )
    cast.program.refresh_from_db()
    with pytest.raises(CallClosed):
        application_create(program=cast.program, firm=cast.firm, actor=cast.firm_staff, requested_units=1)


# --- Units ------------------------------------------------------------------------------------


@pytest.mark.parametrize("units", [0, -5])
def test_create_refuses_units_below_one(units: int, cast: Cast) -> None:
    with pytest.raises(InvalidUnits):
        application_create(program=cast.program, firm=cast.firm, actor=cast.firm_staff, requested_units=units)
    assert not Application.objects.filter(program=cast.program).exists()


def test_create_accepts_exactly_the_cap_and_refuses_one_more(cast: Cast) -> None:
    cap = cast.program.per_firm_cap
    with translation.override("en"), pytest.raises(InvalidUnits) as caught:
        application_create(program=cast.program, firm=cast.firm, actor=cast.firm_staff, requested_units=cap + 1)
    assert str(cap) in str(caught.value)
    app = application_create(program=cast.program, firm=cast.firm, actor=cast.firm_staff, requested_units=cap)
    assert (app.status, app.requested_units, app.created_by) == (Status.DRAFT, cap, cast.firm_staff)


def test_update_draft_refuses_units_over_the_cap(cast: Cast) -> None:
    app = cast.new_application(requested_units=5)
    with pytest.raises(InvalidUnits):
        application_update_draft(application=app, actor=cast.firm_staff, requested_units=cast.program.per_firm_cap + 1)
    app.refresh_from_db()
    assert app.requested_units == 5


def test_submit_refuses_units_over_the_cap(cast: Cast) -> None:
    """The cap can be lowered after a draft was saved; submission checks again."""
    app = cast.new_application(requested_units=cast.program.per_firm_cap)
    type(cast.program).objects.filter(pk=cast.program.pk).update(per_firm_cap=cast.program.per_firm_cap - 1)
    with translation.override("en"), pytest.raises(InvalidUnits) as caught:
        application_submit(application=app, actor=cast.firm_staff)
    assert str(cast.program.per_firm_cap - 1) in str(caught.value)
    app.refresh_from_db()
    assert (app.status, app.receipt_number) == (Status.DRAFT, None)
    assert _history(app) == []


def test_only_a_draft_can_be_edited(cast: Cast) -> None:
    app = drive_to(cast.new_application(requested_units=5), Status.SUBMITTED, cast)
    with pytest.raises(TransitionNotAllowed):
        application_update_draft(application=app, actor=cast.firm_staff, requested_units=6)
    app.refresh_from_db()
    assert app.requested_units == 5


# --- Screening is enqueued on commit ----------------------------------------------------------


def test_submit_enqueues_screening_only_when_the_transaction_commits(
    cast: Cast, enqueued: list[int], django_capture_on_commit_callbacks
) -> None:
    app = cast.new_application()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        application_submit(application=app, actor=cast.firm_staff)
        assert enqueued == []
    assert enqueued == [], "enqueued before the commit"
    assert len(callbacks) == 1
    callbacks[0]()
    assert enqueued == [app.pk]


def test_submit_enqueues_screening_once_on_commit(
    cast: Cast, enqueued: list[int], django_capture_on_commit_callbacks
) -> None:
    app = cast.new_application()
    with django_capture_on_commit_callbacks(execute=True):
        application_submit(application=app, actor=cast.firm_staff)
    assert enqueued == [app.pk]


def test_refused_submission_enqueues_nothing(
    cast: Cast, enqueued: list[int], django_capture_on_commit_callbacks
) -> None:
    app = put_in_state(cast.new_application(), Status.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(TransitionNotAllowed):
        application_submit(application=app, actor=cast.firm_staff)
    assert callbacks == []
    assert enqueued == []


def test_broker_outage_does_not_fail_the_submission(
    cast: Cast, monkeypatch, caplog, django_capture_on_commit_callbacks
) -> None:
    attempts: list[int] = []

    def broker_down(application_id: int) -> None:
        attempts.append(application_id)
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(screen_application, "delay", broker_down)
    app = cast.new_application()
    with (
        caplog.at_level(logging.WARNING, logger="sme_support.queue"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        returned = application_submit(application=app, actor=cast.firm_staff)
    assert attempts == [app.pk]
    assert returned.status == Status.SUBMITTED
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED
    assert app.receipt_number
    assert [t for t, _, _ in _history(app)] == ["submit"]
    assert any(str(app.pk) in r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)


# --- Screening is idempotent -----------------------------------------------------------------


def test_screening_twice_writes_one_set_of_history_rows(cast: Cast) -> None:
    app = drive_to(cast.new_application(), Status.SUBMITTED, cast)
    application_screen(application_id=app.pk)
    app.refresh_from_db()
    checked_at, results = app.eligibility_checked_at, app.eligibility_results
    assert app.status == Status.ELIGIBLE
    assert results and all(r["passed"] for r in results)

    again = application_screen(application_id=app.pk)

    assert again.status == Status.ELIGIBLE
    app.refresh_from_db()
    assert (app.eligibility_checked_at, app.eligibility_results) == (checked_at, results)
    assert _history(app) == [
        ("submit", "draft", "submitted"),
        ("start_screening", "submitted", "screening"),
        ("mark_eligible", "screening", "eligible"),
    ]


def test_redelivered_screening_task_is_harmless(cast: Cast) -> None:
    app = drive_to(cast.new_application(), Status.SUBMITTED, cast)
    assert screen_application.apply(args=[app.pk]).get() == Status.ELIGIBLE
    assert screen_application.apply(args=[app.pk]).get() == Status.ELIGIBLE
    assert len(_history(app)) == 3


def test_screening_resumes_an_application_left_in_screening(cast: Cast) -> None:
    app = drive_to(cast.new_application(), Status.SCREENING, cast)
    application_screen(application_id=app.pk)
    app.refresh_from_db()
    assert app.status == Status.ELIGIBLE
    assert [t for t, _, _ in _history(app)] == ["submit", "mark_eligible"]


def test_screening_marks_a_failing_application_ineligible_with_reasons(cast: Cast) -> None:
    app = drive_to(cast.new_application(), Status.INELIGIBLE, cast)
    failed = [r for r in app.eligibility_results if not r["passed"]]
    assert [r["rule"] for r in failed] == ["not_sanctioned"]
    assert failed[0]["reason"]["en"] and failed[0]["reason"]["ko"]
