"""decision_request: applied now, or held for a manager's sign-off above the threshold; and
every refusal with a clear message and nothing changed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from applications.decisions.policy import decision_policy_for, decision_policy_set, granted_value_krw
from applications.decisions.services import DecisionOutcome, ScoresMissing, SignOffPending, decision_request
from applications.errors import (
    CapacityExceeded,
    InvalidInput,
    InvalidUnits,
    NoteRequired,
    NotPermitted,
    TransitionNotAllowed,
)
from applications.models import Allocation, DecisionSignOff, StatusChange, WaitlistEntry
from applications.workflow import ActorKind, Status
from notifications.models import Notification
from programs.models import Program
from tests.decisions.helpers import (
    application_in,
    booths,
    delegation,
    funding,
    lead_officer,
    manager,
    officer_of,
    policy,
    staff_of,
)
from tests.factories import firm_user

pytestmark = pytest.mark.django_db


def _snapshot(app):
    app.refresh_from_db()
    return (
        app.status,
        StatusChange.objects.filter(application=app).count(),
        Allocation.objects.filter(application=app).count(),
        Program.objects.get(pk=app.program_id).allocated,
        DecisionSignOff.objects.filter(application=app).count(),
    )


# --- Applied at once ---------------------------------------------------------------------------


def test_approval_below_the_threshold_is_applied_at_once_and_the_firm_is_told() -> None:
    program = booths(capacity=10)
    officer = lead_officer(program)
    app = application_in(program, units=2)  # 2 × 8,000,000 = 16,000,000 KRW ≤ 30,000,000

    outcome = decision_request(application=app, actor=officer, decision="approve", units=2, reason="Strong plan")

    assert isinstance(outcome, DecisionOutcome)
    assert outcome.applied and not outcome.awaiting_sign_off and outcome.sign_off is None
    app.refresh_from_db()
    assert app.status == Status.APPROVED
    assert app.decision_reason == "Strong plan"
    assert Allocation.objects.get(application=app).units == 2
    program.refresh_from_db()
    assert program.allocated == 2
    row = StatusChange.objects.filter(application=app).latest("at", "pk")
    assert (row.transition, row.actor, row.actor_kind, row.note) == (
        "approve",
        officer,
        ActorKind.OFFICER,
        "Strong plan",
    )
    note = Notification.objects.get(user=staff_of(app))
    assert note.kind == "decision_approve" and note.application == app and note.body == "Strong plan"


def test_units_default_to_what_the_firm_asked_for() -> None:
    program = booths(capacity=10)
    officer = lead_officer(program)
    app = application_in(program, units=3)
    decision_request(application=app, actor=officer, decision="approve", reason="Good")
    assert Allocation.objects.get(application=app).units == 3


def test_waitlist_puts_the_application_at_the_end_of_the_waitlist() -> None:
    program = booths()
    officer = lead_officer(program)
    first, second = application_in(program), application_in(program)
    decision_request(application=first, actor=officer, decision="waitlist", reason="Below the line")
    outcome = decision_request(application=second, actor=officer, decision="waitlist", reason="Below the line")
    assert outcome.applied
    assert outcome.application.status == Status.WAITLISTED
    assert list(WaitlistEntry.objects.filter(program=program).values_list("application_id", "rank")) == [
        (first.pk, 1),
        (second.pk, 2),
    ]
    assert Notification.objects.get(user=staff_of(second)).kind == "decision_waitlist"


def test_reject_applies_and_tells_the_firm() -> None:
    program = booths()
    officer = lead_officer(program)
    app = application_in(program)
    decision_request(application=app, actor=officer, decision="reject", reason="Outside the target sectors")
    app.refresh_from_db()
    assert app.status == Status.REJECTED
    assert Notification.objects.get(user=staff_of(app)).kind == "decision_reject"


def test_the_callers_instance_is_refreshed() -> None:
    program = booths()
    officer = lead_officer(program)
    app = application_in(program)
    decision_request(application=app, actor=officer, decision="reject", reason="No")
    assert app.status == Status.REJECTED


# --- Held for sign-off --------------------------------------------------------------------------


def test_approval_above_the_threshold_waits_for_sign_off_and_changes_nothing() -> None:
    program = booths(capacity=10)
    officer = lead_officer(program)
    boss, other_boss = manager(), manager()
    app = application_in(program, units=4)  # 32,000,000 KRW > 30,000,000
    before = app.status

    outcome = decision_request(application=app, actor=officer, decision="approve", units=4, reason="Big booth")

    assert not outcome.applied and outcome.awaiting_sign_off
    sign_off = outcome.sign_off
    assert (sign_off.decision, sign_off.units, sign_off.amount_krw, sign_off.threshold_krw) == (
        "approve",
        4,
        32_000_000,
        30_000_000,
    )
    assert (sign_off.requested_by, sign_off.status, sign_off.reason) == (officer, "pending", "Big booth")
    app.refresh_from_db()
    assert app.status == before == Status.UNDER_REVIEW
    assert not Allocation.objects.filter(application=app).exists()
    program.refresh_from_db()
    assert program.allocated == 0
    event = StatusChange.objects.get(application=app)
    assert (event.transition, event.from_status, event.to_status, event.actor) == (
        "sign_off_requested",
        Status.UNDER_REVIEW,
        Status.UNDER_REVIEW,
        officer,
    )
    assert "Big booth" in event.note
    told = set(Notification.objects.filter(kind="sign_off_requested").values_list("user_id", flat=True))
    assert told == {boss.pk, other_boss.pk}
    assert not Notification.objects.filter(user=staff_of(app)).exists()


def test_an_amount_equal_to_the_threshold_needs_no_sign_off() -> None:
    program = funding()
    officer = lead_officer(program)
    policy(program, sign_off_threshold_krw=20_000_000)
    app = application_in(program, units=20_000_000)
    assert decision_request(application=app, actor=officer, decision="approve", reason="OK").applied
    other = application_in(program, units=20_000_001)
    assert not decision_request(application=other, actor=officer, decision="approve", reason="OK").applied


def test_a_manager_asking_above_the_threshold_needs_another_managers_sign_off() -> None:
    program = booths()
    boss = manager()
    app = application_in(program, units=5)
    outcome = decision_request(application=app, actor=boss, decision="approve", reason="Big")
    assert outcome.awaiting_sign_off


def test_waitlist_and_reject_never_need_sign_off() -> None:
    program = booths()
    officer = lead_officer(program)
    policy(program, sign_off_threshold_krw=0)
    app = application_in(program, units=5)
    assert decision_request(application=app, actor=officer, decision="waitlist", reason="Later").applied


def test_a_second_decision_while_one_waits_for_sign_off_is_refused() -> None:
    program = booths()
    officer = lead_officer(program)
    app = application_in(program, units=5)
    decision_request(application=app, actor=officer, decision="approve", reason="Big")
    before = _snapshot(app)
    with translation.override("en"), pytest.raises(SignOffPending) as caught:
        decision_request(application=app, actor=officer, decision="reject", reason="Changed my mind")
    assert "sign-off" in str(caught.value)
    assert _snapshot(app) == before


# --- The value of a grant ------------------------------------------------------------------------


def test_value_of_units_per_kind_and_policy(settings) -> None:
    settings.DECISION_DEFAULT_UNIT_VALUE_KRW = 2_500_000
    assert granted_value_krw(program=funding(), units=12_345) == 12_345
    show = booths()
    assert granted_value_krw(program=show, units=3) == 24_000_000  # 3 × subsidy per booth
    seats = delegation()
    assert granted_value_krw(program=seats, units=2) == 5_000_000  # the agency's default seat value
    policy(seats, value_per_unit_krw=4_000_000)
    assert granted_value_krw(program=seats, units=2) == 8_000_000
    policy(show, value_per_unit_krw=1_000_000)
    assert granted_value_krw(program=show, units=3) == 3_000_000


def test_policy_defaults_come_from_settings(settings) -> None:
    settings.DECISION_SIGN_OFF_THRESHOLD_KRW = 111
    settings.WAITLIST_OFFER_DAYS = 9
    program = booths()
    resolved = decision_policy_for(program)
    assert (resolved.sign_off_threshold_krw, resolved.offer_days, resolved.requires_scores) == (111, 9, False)
    policy(program, sign_off_threshold_krw=222, offer_days=3, requires_scores=True)
    resolved = decision_policy_for(program)
    assert (resolved.sign_off_threshold_krw, resolved.offer_days, resolved.requires_scores) == (222, 3, True)


def test_only_a_manager_sets_the_policy() -> None:
    program = booths()
    officer = lead_officer(program)
    with pytest.raises(NotPermitted):
        decision_policy_set(program=program, actor=officer, sign_off_threshold_krw=1)
    row = decision_policy_set(program=program, actor=manager(), sign_off_threshold_krw=1, offer_days=2)
    assert (row.sign_off_threshold_krw, row.offer_days) == (1, 2)
    with translation.override("en"), pytest.raises(InvalidInput):
        decision_policy_set(program=program, actor=manager(), offer_days=0)


# --- Scores required -----------------------------------------------------------------------------


def test_deciding_without_a_score_where_the_program_requires_scores_is_refused(fake_scores) -> None:
    program = booths()
    officer = lead_officer(program)
    policy(program, requires_scores=True)
    app = application_in(program)
    for decision in ("approve", "waitlist", "reject"):
        before = _snapshot(app)
        with translation.override("en"), pytest.raises(ScoresMissing) as caught:
            decision_request(application=app, actor=officer, decision=decision, reason="A reason")
        assert "has not been scored yet" in str(caught.value)
        assert _snapshot(app) == before

    fake_scores[app.pk] = Decimal("81.5")
    assert decision_request(application=app, actor=officer, decision="approve", reason="Scored well").applied


def test_scores_are_not_needed_where_the_program_does_not_require_them(fake_scores) -> None:
    program = booths()
    officer = lead_officer(program)
    app = application_in(program)
    assert decision_request(application=app, actor=officer, decision="approve", reason="Fine").applied


# --- Refusals -------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["firm", "unassigned_officer", "other_firm"])
def test_people_who_may_not_decide_are_refused(who: str) -> None:
    program = booths()
    lead_officer(program)
    app = application_in(program)
    actor = {
        "firm": lambda: staff_of(app),
        "unassigned_officer": lambda: officer_of(booths()),
        "other_firm": lambda: firm_user(),
    }[who]()
    before = _snapshot(app)
    with translation.override("en"), pytest.raises(NotPermitted):
        decision_request(application=app, actor=actor, decision="approve", reason="Me")
    assert _snapshot(app) == before


def test_any_assigned_officer_may_decide() -> None:
    program = booths()
    lead_officer(program)
    app = application_in(program)
    assert decision_request(application=app, actor=officer_of(program), decision="reject", reason="No").applied


@pytest.mark.parametrize("reason", ["", "   \n"])
def test_a_reason_is_required(reason: str) -> None:
    program = booths()
    officer = lead_officer(program)
    app = application_in(program)
    before = _snapshot(app)
    with translation.override("en"), pytest.raises(NoteRequired) as caught:
        decision_request(application=app, actor=officer, decision="approve", reason=reason)
    assert "reason" in str(caught.value)
    assert _snapshot(app) == before


def test_an_unknown_decision_is_refused() -> None:
    program = booths()
    officer = lead_officer(program)
    app = application_in(program)
    with translation.override("en"), pytest.raises(InvalidInput) as caught:
        decision_request(application=app, actor=officer, decision="promote", reason="Why not")
    assert "promote" in str(caught.value)


def test_units_are_only_for_approvals() -> None:
    program = booths()
    officer = lead_officer(program)
    app = application_in(program)
    with pytest.raises(InvalidInput):
        decision_request(application=app, actor=officer, decision="reject", units=1, reason="No")


@pytest.mark.parametrize(
    ("units", "message"),
    [(3, "per-firm cap"), (0, "at least 1"), (5, "more than the"), ("2", "whole number")],
)
def test_bad_units_are_refused(units, message: str) -> None:
    program = booths(capacity=10, per_firm_cap=2)
    officer = lead_officer(program)
    app = application_in(program, units=4 if units == 5 else 2)
    if units == 5:
        program.per_firm_cap = 10
        program.save(update_fields=["per_firm_cap"])
    before = _snapshot(app)
    with translation.override("en"), pytest.raises(InvalidUnits) as caught:
        decision_request(application=app, actor=officer, decision="approve", units=units, reason="OK")
    assert message in str(caught.value)
    assert _snapshot(app) == before


def test_approval_beyond_capacity_is_refused_both_at_once_and_for_sign_off() -> None:
    program = booths(capacity=3)
    officer = lead_officer(program)
    small = application_in(program, units=2)
    decision_request(application=small, actor=officer, decision="approve", reason="First")
    at_once = application_in(program, units=2)
    before = _snapshot(at_once)
    with translation.override("en"), pytest.raises(CapacityExceeded) as caught:
        decision_request(application=at_once, actor=officer, decision="approve", reason="Second")
    assert "Only 1" in str(caught.value)
    assert _snapshot(at_once) == before

    policy(program, sign_off_threshold_krw=0)
    held = application_in(program, units=2)
    before = _snapshot(held)
    with pytest.raises(CapacityExceeded):
        decision_request(application=held, actor=officer, decision="approve", reason="Third")
    assert _snapshot(held) == before


def test_a_decision_the_workflow_does_not_allow_is_refused() -> None:
    program = booths()
    officer = lead_officer(program)
    app = application_in(program, Status.ELIGIBLE)
    with translation.override("en"), pytest.raises(TransitionNotAllowed) as caught:
        decision_request(application=app, actor=officer, decision="approve", reason="Early")
    assert "Eligible" in str(caught.value)
