"""Who may fire what: a firm acts only on its own applications and only as the firm; officers
only on programs they are assigned to; managers on any program; the system only where the
table says. Decisions and overrides need a reason."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from applications.decisions.grants import application_withdraw
from applications.decisions.moves import application_approve
from applications.errors import NoteRequired, NotPermitted
from applications.intake.services import application_create, application_submit, application_update_draft
from applications.models import Allocation, Application, StatusChange
from applications.workflow import TRANSITIONS, ActorKind, Status
from programs.models import Program
from tests.applications.workflow_driver import (
    APPROVED_UNITS,
    FAST_HASHERS,
    FIRINGS,
    Cast,
    drive_to,
    make_cast,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture
def cast() -> Cast:
    return make_cast()


def _first_source(name: str) -> str:
    return next(s for s in Status.values if s in TRANSITIONS[name].sources)


def _snapshot(app: Application) -> tuple[Any, ...]:
    app = Application.objects.get(pk=app.pk)
    return (
        app.status,
        app.requested_units,
        app.answers,
        app.receipt_number,
        StatusChange.objects.filter(application=app).count(),
        Allocation.objects.filter(application=app, released_at=None).count(),
        Program.objects.get(pk=app.program_id).allocated,
    )


OFFICER_ONLY = sorted(
    n for n, t in TRANSITIONS.items() if ActorKind.FIRM not in t.actors and ActorKind.OFFICER in t.actors
)
FIRM_ONLY = sorted(n for n, t in TRANSITIONS.items() if t.actors == {ActorKind.FIRM})
SYSTEM_ONLY = sorted(n for n, t in TRANSITIONS.items() if t.actors == {ActorKind.SYSTEM})
OFFICER_NOT_SYSTEM = sorted(n for n, t in TRANSITIONS.items() if t.actors == {ActorKind.OFFICER})
SYSTEM_DECISIONS = sorted(n for n, t in TRANSITIONS.items() if t.actors == {ActorKind.OFFICER, ActorKind.SYSTEM})
NEEDS_NOTE = sorted(n for n, t in TRANSITIONS.items() if t.needs_note)


def test_role_lists_match_the_design() -> None:
    assert FIRM_ONLY == ["accept_offer", "answer_info", "submit", "withdraw"]
    assert SYSTEM_ONLY == [
        "auto_review",
        "mark_eligible",
        "mark_ineligible",
        "recheck_eligible",
        "recheck_ineligible",
        "start_screening",
    ]
    assert SYSTEM_DECISIONS == ["approve", "reject", "waitlist"]
    assert OFFICER_NOT_SYSTEM == ["cancel", "complete", "override_eligibility", "request_info", "start_review"]


# --- A firm acts only for itself ---------------------------------------------------------------


def _firm_action(action: str) -> tuple[str, Any]:
    if action == "update_draft":
        return Status.DRAFT, lambda app, user: application_update_draft(
            application=app, actor=user, requested_units=1, answers={"plan": "theirs"}
        )
    return _first_source(action), lambda app, user: FIRINGS[action].call(app, user, "An answer")


FIRM_ACTIONS = ["submit", "withdraw", "answer_info", "update_draft"]


@pytest.mark.parametrize("action", FIRM_ACTIONS)
def test_staff_of_another_firm_may_not_act_on_the_application(action: str, cast: Cast) -> None:
    source, act = _firm_action(action)
    app = drive_to(cast.new_application(), source, cast)
    before = _snapshot(app)
    with translation.override("en"), pytest.raises(NotPermitted):
        act(app, cast.other_firm_staff)
    assert _snapshot(app) == before


def test_staff_of_another_firm_may_not_withdraw_an_approved_application(cast: Cast) -> None:
    app = drive_to(cast.new_application(), Status.APPROVED, cast)
    before = _snapshot(app)
    with pytest.raises(NotPermitted):
        application_withdraw(application=app, actor=cast.other_firm_staff)
    assert _snapshot(app) == before


def test_staff_of_another_firm_may_not_start_an_application_for_this_firm(cast: Cast) -> None:
    with pytest.raises(NotPermitted):
        application_create(program=cast.program, firm=cast.firm, actor=cast.other_firm_staff, requested_units=1)
    assert not Application.objects.filter(firm=cast.firm).exists()


@pytest.mark.parametrize("action", FIRM_ACTIONS)
def test_own_firm_staff_may_do_the_firm_actions(action: str, cast: Cast) -> None:
    source, act = _firm_action(action)
    app = drive_to(cast.new_application(), source, cast)
    act(app, cast.firm_staff)
    app.refresh_from_db()
    if action == "update_draft":
        assert (app.status, app.requested_units, app.answers) == (Status.DRAFT, 1, {"plan": "theirs"})
    else:
        assert app.status == TRANSITIONS[action].target


@pytest.mark.parametrize("name", OFFICER_ONLY)
def test_firm_staff_may_not_fire_officer_transitions(name: str, cast: Cast) -> None:
    app = drive_to(cast.new_application(), _first_source(name), cast)
    before = _snapshot(app)
    with translation.override("en"), pytest.raises(NotPermitted) as caught:
        FIRINGS[name].call(app, cast.firm_staff, "We approve ourselves")
    assert "officer" in str(caught.value)
    # The label in the language the message was written in.
    with translation.override("en"):
        assert str(TRANSITIONS[name].label) in str(caught.value)
    assert _snapshot(app) == before


@pytest.mark.parametrize("name", SYSTEM_ONLY)
def test_firm_staff_may_not_fire_screening_transitions(name: str, cast: Cast) -> None:
    app = drive_to(cast.new_application(), _first_source(name), cast)
    before = _snapshot(app)
    with translation.override("en"), pytest.raises(NotPermitted) as caught:
        FIRINGS[name].call(app, cast.firm_staff, "")
    assert "system" in str(caught.value)
    assert _snapshot(app) == before


# --- Officers act only on their programs; managers on any ------------------------------------


@pytest.mark.parametrize("action", FIRM_ACTIONS)
def test_officer_may_not_fire_firm_actions(action: str, cast: Cast) -> None:
    source, act = _firm_action(action)
    app = drive_to(cast.new_application(), source, cast)
    before = _snapshot(app)
    with translation.override("en"), pytest.raises(NotPermitted):
        act(app, cast.officer)
    assert _snapshot(app) == before


@pytest.mark.parametrize("name", OFFICER_ONLY)
def test_officer_not_assigned_to_the_program_is_refused(name: str, cast: Cast) -> None:
    app = drive_to(cast.new_application(), _first_source(name), cast)
    before = _snapshot(app)
    with pytest.raises(NotPermitted):
        FIRINGS[name].call(app, cast.unassigned_officer, "A reason")
    assert _snapshot(app) == before


@pytest.mark.parametrize("name", OFFICER_ONLY)
def test_manager_may_act_on_any_program(name: str, cast: Cast) -> None:
    app = drive_to(cast.new_application(), _first_source(name), cast)
    assert not cast.program.officer_assignments.filter(user=cast.manager).exists()
    FIRINGS[name].call(app, cast.manager, "Manager's reason")
    app.refresh_from_db()
    assert app.status == TRANSITIONS[name].target
    row = StatusChange.objects.filter(application=app).latest("at", "pk")
    assert (row.transition, row.actor, row.actor_kind) == (name, cast.manager, ActorKind.OFFICER)


@pytest.mark.parametrize("name", OFFICER_NOT_SYSTEM)
def test_system_may_not_fire_officer_only_transitions(name: str, cast: Cast) -> None:
    app = drive_to(cast.new_application(), _first_source(name), cast)
    before = _snapshot(app)
    with pytest.raises(NotPermitted):
        FIRINGS[name].call(app, None, "A reason")
    assert _snapshot(app) == before


@pytest.mark.parametrize("name", SYSTEM_DECISIONS)
def test_system_may_take_decisions_for_selection(name: str, cast: Cast) -> None:
    app = drive_to(cast.new_application(), Status.UNDER_REVIEW, cast)
    FIRINGS[name].call(app, None, "Ranked by score")
    app.refresh_from_db()
    assert app.status == TRANSITIONS[name].target
    row = StatusChange.objects.filter(application=app).latest("at", "pk")
    assert (row.actor, row.actor_kind, row.note) == (None, ActorKind.SYSTEM, "Ranked by score")


def test_inactive_user_is_refused_even_on_their_own_firm(cast: Cast) -> None:
    app = cast.new_application()
    cast.firm_staff.is_active = False
    cast.firm_staff.save(update_fields=["is_active"])
    before = _snapshot(app)
    with translation.override("en"), pytest.raises(NotPermitted):
        application_submit(application=app, actor=cast.firm_staff)
    assert _snapshot(app) == before


# --- Reasons -------------------------------------------------------------------------------------


def test_needs_note_list_matches_the_design() -> None:
    assert NEEDS_NOTE == [
        "answer_info",
        "approve",
        "cancel",
        "override_eligibility",
        "reject",
        "request_info",
        "waitlist",
    ]


@pytest.mark.parametrize("blank", ["", "  \n\t "])
@pytest.mark.parametrize("name", NEEDS_NOTE)
def test_transition_that_needs_a_note_refuses_a_blank_one(name: str, blank: str, cast: Cast) -> None:
    firing = FIRINGS[name]
    app = drive_to(cast.new_application(), _first_source(name), cast)
    actor = cast.firm_staff if firing.side == "firm" else cast.officer
    before = _snapshot(app)
    with translation.override("en"), pytest.raises(NoteRequired) as caught:
        firing.call(app, actor, blank)
    # The label in the language the message was written in.
    with translation.override("en"):
        assert str(TRANSITIONS[name].label) in str(caught.value)
    assert _snapshot(app) == before


def test_approval_with_a_reason_is_recorded_with_it(cast: Cast) -> None:
    app = drive_to(cast.new_application(), Status.UNDER_REVIEW, cast)
    application_approve(application=app, actor=cast.officer, units=APPROVED_UNITS, reason="Strong plan")
    row = StatusChange.objects.get(application=app, transition="approve")
    assert row.note == "Strong plan"
