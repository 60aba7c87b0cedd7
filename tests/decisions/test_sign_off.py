"""decision_sign_off: four eyes — a manager, never the one who asked — and what signing,
refusing and a lapsed request do."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from applications.decisions.grants import application_withdraw
from applications.decisions.selectors import sign_off_list, sign_offs_awaiting
from applications.decisions.services import SignOffClosed, decision_request, decision_sign_off
from applications.errors import CapacityExceeded, NoteRequired, NotPermitted
from applications.models import Allocation, DecisionSignOff, StatusChange
from applications.workflow import ActorKind, Status
from notifications.models import Notification
from tests.decisions.helpers import application_in, booths, lead_officer, manager, officer_of, staff_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    program = booths(capacity=10)
    officer = lead_officer(program)
    app = application_in(program, units=5)  # 40,000,000 KRW: above the default threshold
    outcome = decision_request(application=app, actor=officer, decision="approve", reason="Large but strong")
    assert outcome.awaiting_sign_off
    return program, officer, app, outcome.sign_off


def test_a_manager_signs_off_and_the_decision_is_applied(case) -> None:
    program, officer, app, sign_off = case
    boss = manager()

    outcome = decision_sign_off(sign_off=sign_off, actor=boss, approve=True, note="Budget confirmed")

    assert outcome.applied
    sign_off.refresh_from_db()
    assert (sign_off.status, sign_off.signed_by, sign_off.note) == ("signed", boss, "Budget confirmed")
    assert sign_off.signed_at is not None
    app.refresh_from_db()
    assert app.status == Status.APPROVED
    assert app.decision_reason == "Large but strong"
    assert Allocation.objects.get(application=app).units == 5
    program.refresh_from_db()
    assert program.allocated == 5
    rows = list(StatusChange.objects.filter(application=app).order_by("at", "pk"))
    assert [(r.transition, r.actor) for r in rows] == [
        ("sign_off_requested", officer),
        ("sign_off_signed", boss),
        ("approve", boss),
    ]
    assert rows[-1].actor_kind == ActorKind.OFFICER
    assert Notification.objects.get(user=staff_of(app)).kind == "decision_approve"
    assert Notification.objects.get(user=officer).kind == "sign_off_signed"


def test_the_manager_who_asked_cannot_sign_off_their_own_decision() -> None:
    program = booths(capacity=10)
    boss = manager()
    app = application_in(program, units=5)
    sign_off = decision_request(application=app, actor=boss, decision="approve", reason="Mine").sign_off
    with translation.override("en"), pytest.raises(NotPermitted) as caught:
        decision_sign_off(sign_off=sign_off, actor=boss, approve=True)
    assert "four-eyes" in str(caught.value)
    sign_off.refresh_from_db()
    assert sign_off.status == "pending"
    app.refresh_from_db()
    assert app.status == Status.UNDER_REVIEW
    # Another manager may.
    assert decision_sign_off(sign_off=sign_off, actor=manager(), approve=True).applied


@pytest.mark.parametrize("who", ["requesting_officer", "other_officer", "firm"])
def test_only_managers_sign_off(case, who: str) -> None:
    program, officer, app, sign_off = case
    actor = {"requesting_officer": officer, "other_officer": officer_of(program), "firm": staff_of(app)}[who]
    with translation.override("en"), pytest.raises(NotPermitted) as caught:
        decision_sign_off(sign_off=sign_off, actor=actor, approve=True)
    assert "manager" in str(caught.value)
    sign_off.refresh_from_db()
    assert sign_off.status == "pending"
    assert not Allocation.objects.filter(application=app).exists()


def test_the_database_refuses_a_sign_off_by_the_requester(case) -> None:
    _program, officer, _app, sign_off = case
    with pytest.raises(IntegrityError), transaction.atomic():
        DecisionSignOff.objects.filter(pk=sign_off.pk).update(
            status="signed", signed_by=officer, signed_at=timezone.now()
        )


def test_the_database_allows_only_one_pending_request_per_application(case) -> None:
    _program, officer, app, _sign_off = case
    with pytest.raises(IntegrityError), transaction.atomic():
        DecisionSignOff.objects.create(
            application=app,
            decision="approve",
            units=1,
            reason="Again",
            requested_by=officer,
            requested_at=timezone.now(),
        )


def test_a_refusal_needs_a_note_and_leaves_the_application_under_review(case) -> None:
    _program, officer, app, sign_off = case
    boss = manager()
    with translation.override("en"), pytest.raises(NoteRequired):
        decision_sign_off(sign_off=sign_off, actor=boss, approve=False, note=" ")

    outcome = decision_sign_off(sign_off=sign_off, actor=boss, approve=False, note="Too much for one firm")

    assert not outcome.applied
    sign_off.refresh_from_db()
    assert (sign_off.status, sign_off.signed_by, sign_off.note) == ("refused", boss, "Too much for one firm")
    app.refresh_from_db()
    assert app.status == Status.UNDER_REVIEW
    assert not Allocation.objects.filter(application=app).exists()
    last = StatusChange.objects.filter(application=app).latest("at", "pk")
    assert (last.transition, last.actor) == ("sign_off_refused", boss)
    assert Notification.objects.get(user=officer).kind == "sign_off_refused"
    # The officer can decide again, e.g. a smaller grant below the threshold.
    assert decision_request(application=app, actor=officer, decision="approve", units=3, reason="Smaller").applied


def test_a_closed_request_cannot_be_signed_again(case) -> None:
    _program, _officer, _app, sign_off = case
    decision_sign_off(sign_off=sign_off, actor=manager(), approve=False, note="No")
    with translation.override("en"), pytest.raises(SignOffClosed) as caught:
        decision_sign_off(sign_off=sign_off, actor=manager(), approve=True)
    assert "Refused" in str(caught.value)


def test_signing_when_the_capacity_is_gone_is_refused_and_the_request_stays_pending(case) -> None:
    program, officer, app, sign_off = case
    other = application_in(program, units=5)
    decision_request(application=other, actor=officer, decision="approve", units=3, reason="Took it")
    program.capacity = 5
    program.save(update_fields=["capacity"])
    with translation.override("en"), pytest.raises(CapacityExceeded):
        decision_sign_off(sign_off=sign_off, actor=manager(), approve=True)
    sign_off.refresh_from_db()
    assert sign_off.status == "pending"
    app.refresh_from_db()
    assert app.status == Status.UNDER_REVIEW


def test_a_request_whose_application_was_withdrawn_lapses(case) -> None:
    _program, _officer, app, sign_off = case
    application_withdraw(application=app, actor=staff_of(app))
    outcome = decision_sign_off(sign_off=sign_off, actor=manager(), approve=True)
    assert not outcome.applied
    sign_off.refresh_from_db()
    assert sign_off.status == "lapsed"
    app.refresh_from_db()
    assert app.status == Status.WITHDRAWN


def test_the_managers_queue_lists_what_they_can_act_on(case) -> None:
    _program, officer, app, sign_off = case
    boss = manager()
    assert list(sign_offs_awaiting(user=boss)) == [sign_off]
    assert list(sign_offs_awaiting(user=officer)) == []
    assert list(sign_off_list(user=officer)) == [sign_off]
    assert list(sign_off_list(user=officer_of(booths()))) == []
    assert list(sign_off_list(user=staff_of(app))) == []
