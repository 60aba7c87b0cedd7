"""Every officer action, asked the same forbidden things at every door, refuses the same way.

One table of actions (what each door calls, how to arrange an application the action
succeeds on, what it changes) and one of refusals (a declared conflict of interest, the
wrong state, another program's application, more than the capacity left, a ranked call
before it closes, the four-eyes rule). For each (action, door, refusal) the door must show
exactly the message the service itself gives — computed by calling the service directly in
a rolled-back transaction — and change nothing; an application outside the user's scope is
not found at every door. For each (action, door) the success leaves the same effects: the
status, the history row, the firm's notification.

Adding a door adds a row to ``doors.DOORS``; adding an action adds a row to ``ACTIONS``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from applications.casework.services import (
    application_override_eligibility,
    application_request_info,
    application_start_review,
)
from applications.decisions.grants import application_cancel, application_complete, application_reduce_grant
from applications.decisions.moves import application_approve
from applications.decisions.services import decision_request, decision_sign_off
from applications.models import (
    Allocation,
    Application,
    DecisionPolicy,
    DecisionSignOff,
    OutcomeFollowUp,
    OutcomeReport,
    StatusChange,
)
from applications.outcomes.services import (
    outcome_followup_accept,
    outcome_followup_return,
    outcome_report_accept,
    outcome_report_return,
)
from applications.workflow import Status
from notifications.models import Notification
from programs.models import Program, SelectionMode
from reviews.models import ConflictOfInterest
from sme_support.errors import DomainError
from tests.factories import ApplicationFactory
from tests.parity.conftest import Cast
from tests.parity.doors import DOORS, NOTE, SIGN_OFF, WORKFLOW, Call, Outcome

pytestmark = pytest.mark.django_db

APPLICATIONS = "applications/application"


# --- Arranging an application in the state an action starts from ---------------------------------


def placed(cast: Cast, status: str, *, program: Program | None = None, units: int = 9_000_000) -> Application:
    """An application of the cast's firm put straight into ``status`` (how it got there is not
    what these tests are about)."""
    program = program or cast.funding
    application = ApplicationFactory(program=program, firm=cast.firm, requested_units=units)
    Application.objects.filter(pk=application.pk).update(
        status=status,
        submitted_at=timezone.now() - dt.timedelta(days=3),
        receipt_number=f"R{program.fiscal_year}-{application.pk:07d}",
    )
    application.refresh_from_db()
    return application


def approved(cast: Cast, *, program: Program | None = None, units: int = 9_000_000) -> Application:
    application = placed(cast, Status.UNDER_REVIEW, program=program, units=units)
    application_approve(application=application, actor=None, units=units, reason="Selected")
    application.refresh_from_db()
    return application


def waiting_for_sign_off(cast: Cast) -> Application:
    DecisionPolicy.objects.filter(program=cast.funding).update(sign_off_threshold_krw=1_000_000)
    application = placed(cast, Status.UNDER_REVIEW)
    decision_request(application=application, actor=cast.manager, decision="approve", reason="Strong")
    return application


def reported(cast: Cast) -> Application:
    application = approved(cast, program=cast.show, units=1)
    OutcomeReport.objects.create(
        application=application,
        status=OutcomeReport.ReportStatus.SUBMITTED,
        due_on=timezone.localdate() + dt.timedelta(days=10),
        buyer_meetings=4,
        submitted_at=timezone.now(),
    )
    application.refresh_from_db()
    return application


def followed_up(cast: Cast) -> Application:
    application = reported(cast)
    report = application.outcome_report
    OutcomeReport.objects.filter(pk=report.pk).update(status=OutcomeReport.ReportStatus.ACCEPTED)
    Application.objects.filter(pk=application.pk).update(status=Status.COMPLETED)
    OutcomeFollowUp.objects.create(
        report=report,
        months=6,
        due_on=timezone.localdate(),
        contracts_usd=50_000,
        status=OutcomeFollowUp.FollowUpStatus.SUBMITTED,
        submitted_at=timezone.now(),
    )
    application.refresh_from_db()
    return application


def pending(application: Application) -> DecisionSignOff:
    return DecisionSignOff.objects.get(application=application, status=DecisionSignOff.State.PENDING)


def followup_of(application: Application) -> OutcomeFollowUp:
    return OutcomeFollowUp.objects.get(report__application=application, months=6)


def units_field(application: Application, units: int) -> dict[str, Any]:
    return {f"units_{application.pk}": str(units)}


# --- The actions ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OfficerAction:
    name: str
    call: Callable[[Application], Call]
    arrange: Callable[[Cast], Application]
    # The same action, called on the service directly: what every door must refuse with.
    service: Callable[[Application, Any], Any]
    # What success leaves: the status, the history row, the firm's notification (or None).
    moved_to: str
    history: str
    firm_told: str | None
    actor: Callable[[Cast], Any] = lambda cast: cast.lead
    # A status the action is refused in (None: no such case for this action).
    wrong_state: str | None = None
    # The row a success changes besides the application (for the "nothing changed" check).
    extra_state: Callable[[Application], Any] = lambda application: None


REASON = "Reviewed against the program's criteria"

ACTIONS: tuple[OfficerAction, ...] = (
    OfficerAction(
        "start_review",
        lambda a: Call("reviews:start_review", api="applications/{pk}/start-review/",
                       admin=(APPLICATIONS, "start_review", WORKFLOW)),
        lambda cast: placed(cast, Status.ELIGIBLE),
        lambda a, actor: application_start_review(application=a, actor=actor),
        Status.UNDER_REVIEW, "start_review", "review_started", wrong_state=Status.INELIGIBLE,
    ),
    OfficerAction(
        "request_info",
        lambda a: Call("reviews:request_info", {"message": "Send the quotation"},
                       api="applications/{pk}/request-info/", api_data={"message": "Send the quotation"},
                       admin=(APPLICATIONS, "request_info", WORKFLOW),
                       admin_data=lambda a: {"message": "Send the quotation", "due_on": ""}),
        lambda cast: placed(cast, Status.UNDER_REVIEW),
        lambda a, actor: application_request_info(application=a, actor=actor, message="Send the quotation"),
        Status.INFO_REQUESTED, "request_info", "info_requested", wrong_state=Status.ELIGIBLE,
    ),
    OfficerAction(
        "override_eligibility",
        lambda a: Call("reviews:override", {"justification": REASON},
                       api="applications/{pk}/override-eligibility/", api_data={"justification": REASON},
                       admin=(APPLICATIONS, "override_eligibility", WORKFLOW),
                       admin_data=lambda a: {"justification": REASON}),
        lambda cast: placed(cast, Status.INELIGIBLE),
        lambda a, actor: application_override_eligibility(application=a, actor=actor, justification=REASON),
        Status.ELIGIBLE, "override_eligibility", "eligibility_override", wrong_state=Status.UNDER_REVIEW,
    ),
    OfficerAction(
        "approve",
        lambda a: Call("reviews:decide", {"decision": "approve", "units": "9000000", "reason": REASON},
                       api="applications/{pk}/approve/", api_data={"units": 9_000_000, "reason": REASON},
                       admin=(APPLICATIONS, "approve", WORKFLOW),
                       admin_data=lambda a: {"reason": REASON, **units_field(a, 9_000_000)}),
        lambda cast: placed(cast, Status.UNDER_REVIEW),
        lambda a, actor: decision_request(application=a, actor=actor, decision="approve", units=9_000_000,
                                          reason=REASON),
        Status.APPROVED, "approve", "decision_approve", wrong_state=Status.ELIGIBLE,
        extra_state=lambda a: (Program.objects.get(pk=a.program_id).allocated, Allocation.objects.count()),
    ),
    OfficerAction(
        "waitlist",
        lambda a: Call("reviews:decide", {"decision": "waitlist", "reason": REASON},
                       api="applications/{pk}/waitlist/", api_data={"reason": REASON},
                       admin=(APPLICATIONS, "waitlist", WORKFLOW), admin_data=lambda a: {"reason": REASON}),
        lambda cast: placed(cast, Status.UNDER_REVIEW),
        lambda a, actor: decision_request(application=a, actor=actor, decision="waitlist", reason=REASON),
        Status.WAITLISTED, "waitlist", "decision_waitlist", wrong_state=Status.ELIGIBLE,
    ),
    OfficerAction(
        "reject",
        lambda a: Call("reviews:decide", {"decision": "reject", "reason": REASON},
                       api="applications/{pk}/reject/", api_data={"reason": REASON},
                       admin=(APPLICATIONS, "reject", WORKFLOW), admin_data=lambda a: {"reason": REASON}),
        lambda cast: placed(cast, Status.UNDER_REVIEW),
        lambda a, actor: decision_request(application=a, actor=actor, decision="reject", reason=REASON),
        Status.REJECTED, "reject", "decision_reject", wrong_state=Status.ELIGIBLE,
    ),
    OfficerAction(
        "cancel",
        lambda a: Call("reviews:cancel_grant", {"reason": REASON},
                       api="applications/{pk}/cancel/", api_data={"reason": REASON},
                       admin=(APPLICATIONS, "cancel", WORKFLOW), admin_data=lambda a: {"reason": REASON}),
        lambda cast: approved(cast),
        lambda a, actor: application_cancel(application=a, actor=actor, reason=REASON),
        Status.CANCELLED, "cancel", "grant_cancelled", wrong_state=Status.UNDER_REVIEW,
        extra_state=lambda a: Program.objects.get(pk=a.program_id).allocated,
    ),
    OfficerAction(
        "complete",
        lambda a: Call("reviews:complete", {"note": ""}, api="applications/{pk}/complete/",
                       admin=(APPLICATIONS, "complete", WORKFLOW), admin_data=lambda a: {"note": ""}),
        lambda cast: approved(cast),
        lambda a, actor: application_complete(application=a, actor=actor),
        Status.COMPLETED, "complete", "application_completed", wrong_state=Status.UNDER_REVIEW,
    ),
    OfficerAction(
        "reduce_grant",
        lambda a: Call("reviews:reduce_grant", {"units": "5000000", "reason": REASON},
                       api="applications/{pk}/reduce-grant/", api_data={"units": 5_000_000, "reason": REASON},
                       admin=(APPLICATIONS, "reduce_grant", WORKFLOW),
                       admin_data=lambda a: {"reason": REASON, **units_field(a, 5_000_000)}),
        lambda cast: approved(cast),
        lambda a, actor: application_reduce_grant(application=a, actor=actor, units=5_000_000, reason=REASON),
        Status.APPROVED, "reduce_grant", "grant_reduced", wrong_state=Status.UNDER_REVIEW,
        extra_state=lambda a: Allocation.objects.filter(application=a).values_list("units", flat=True).first(),
    ),
    OfficerAction(
        "sign_off",
        lambda a: Call("reviews:sign_off", {"verdict": "sign", "note": ""},
                       api="applications/{pk}/sign-off/", api_data={"approve": True},
                       admin=("applications/decisionsignoff", "sign_off", SIGN_OFF),
                       admin_data=lambda a: {"verdict": "sign", "note": ""}, admin_row=pending),
        waiting_for_sign_off,
        lambda a, actor: decision_sign_off(sign_off=pending(a), actor=actor, approve=True),
        Status.APPROVED, "approve", "decision_approve",
        actor=lambda cast: cast.second_manager,
        extra_state=lambda a: DecisionSignOff.objects.filter(application=a).values_list("status", flat=True).first(),
    ),
    OfficerAction(
        "accept_outcome_report",
        lambda a: Call("reviews:outcome_review", {"decision": "accept", "note": ""},
                       api="outcome-reports/{report}/accept/",
                       admin=("applications/outcomereport", "accept_reports", NOTE),
                       admin_data=lambda a: {"note": ""}, admin_row=lambda a: a.outcome_report),
        reported,
        lambda a, actor: outcome_report_accept(report=a.outcome_report, actor=actor),
        Status.COMPLETED, "complete", "outcome_report_accepted",
        extra_state=lambda a: OutcomeReport.objects.get(application=a).status,
    ),
    OfficerAction(
        "return_outcome_report",
        lambda a: Call("reviews:outcome_review", {"decision": "return", "note": "Add the buyers' countries"},
                       api="outcome-reports/{report}/return/", api_data={"note": "Add the buyers' countries"},
                       admin=("applications/outcomereport", "return_reports", NOTE),
                       admin_data=lambda a: {"note": "Add the buyers' countries"},
                       admin_row=lambda a: a.outcome_report),
        reported,
        lambda a, actor: outcome_report_return(report=a.outcome_report, actor=actor, note="Add the buyers' countries"),
        Status.APPROVED, "", "outcome_report_returned",
        extra_state=lambda a: OutcomeReport.objects.get(application=a).status,
    ),
    OfficerAction(
        "accept_followup",
        lambda a: Call("reviews:followup_review", {"followup6-decision": "accept", "followup6-note": ""},
                       page_args=(6,), api="outcome-reports/{report}/follow-ups/6/accept/",
                       admin=("applications/outcomefollowup", "accept_followups", NOTE),
                       admin_data=lambda a: {"note": ""}, admin_row=followup_of),
        followed_up,
        lambda a, actor: outcome_followup_accept(followup=followup_of(a), actor=actor),
        Status.COMPLETED, "", "outcome_followup_accepted",
        extra_state=lambda a: followup_of(a).status,
    ),
    OfficerAction(
        "return_followup",
        lambda a: Call("reviews:followup_review", {"followup6-decision": "return", "followup6-note": "Which buyer?"},
                       page_args=(6,), api="outcome-reports/{report}/follow-ups/6/return/",
                       api_data={"note": "Which buyer?"},
                       admin=("applications/outcomefollowup", "return_followups", NOTE),
                       admin_data=lambda a: {"note": "Which buyer?"}, admin_row=followup_of),
        followed_up,
        lambda a, actor: outcome_followup_return(followup=followup_of(a), actor=actor, note="Which buyer?"),
        Status.COMPLETED, "", "outcome_followup_returned",
        extra_state=lambda a: followup_of(a).status,
    ),
)  # fmt: skip

BY_NAME = {action.name: action for action in ACTIONS}


# --- What a refusal must leave alone --------------------------------------------------------------


def state_of(action: OfficerAction, application: Application) -> tuple[Any, ...]:
    application.refresh_from_db()
    return (
        application.status,
        StatusChange.objects.filter(application=application).count(),
        Notification.objects.filter(application=application).count(),
        action.extra_state(application),
    )


def expected_refusal(action: OfficerAction, application: Application, actor: Any) -> str:
    """What the service itself says to ``actor`` for this action now (nothing is kept)."""
    try:
        with transaction.atomic():
            action.service(application, actor)
            raise AssertionError(f"{action.name}: the service did not refuse")  # pragma: no cover
    except DomainError as refusal:
        return refusal.message


# --- The refusals ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    name: str
    # Bend the arranged world so that the action must be refused; returns the actor.
    arrange: Callable[[OfficerAction, Cast, Application], Any]
    applies_to: Callable[[OfficerAction], bool] = lambda action: True
    not_found: bool = False


def _conflict(action: OfficerAction, cast: Cast, application: Application) -> Any:
    actor = action.actor(cast)
    ConflictOfInterest.objects.create(reviewer=actor, firm=cast.firm, reason="My brother runs this firm")
    return actor


def _wrong_state(action: OfficerAction, cast: Cast, application: Application) -> Any:
    assert action.wrong_state is not None
    Application.objects.filter(pk=application.pk).update(status=action.wrong_state)
    return action.actor(cast)


def _capacity_used_up(action: OfficerAction, cast: Cast, application: Application) -> Any:
    Program.objects.filter(pk=application.program_id).update(capacity=95_000_000, allocated=90_000_000)
    return action.actor(cast)


def _ranked_call_open(action: OfficerAction, cast: Cast, application: Application) -> Any:
    Program.objects.filter(pk=application.program_id).update(selection_mode=SelectionMode.RANKED)
    return action.actor(cast)


def _own_request(action: OfficerAction, cast: Cast, application: Application) -> Any:
    return cast.manager  # the manager who asked for the decision


REFUSALS: tuple[Refusal, ...] = (
    Refusal("conflict_of_interest", _conflict),
    Refusal("wrong_state", _wrong_state, applies_to=lambda action: action.wrong_state is not None),
    Refusal("another_program", lambda action, cast, application: cast.stranger, not_found=True),
    Refusal("capacity_used_up", _capacity_used_up, applies_to=lambda action: action.name == "approve"),
    Refusal("ranked_call_open", _ranked_call_open, applies_to=lambda action: action.name in ("approve", "waitlist")),
    Refusal("four_eyes", _own_request, applies_to=lambda action: action.name == "sign_off"),
)

CASES = [
    pytest.param(action, door, refusal, id=f"{action.name}-{door.name}-{refusal.name}")
    for action in ACTIONS
    for refusal in REFUSALS
    if refusal.applies_to(action)
    for door in DOORS
]


@pytest.mark.parametrize(("action", "door", "refusal"), CASES)
def test_every_door_refuses_the_same_way(cast: Cast, action: OfficerAction, door: Any, refusal: Refusal) -> None:
    application = action.arrange(cast)
    actor = refusal.arrange(action, cast, application)
    before = state_of(action, application)
    expected = None if refusal.not_found else expected_refusal(action, application, actor)

    outcome: Outcome = door.run(action.call(application), application, actor)

    assert state_of(action, application) == before, f"{door.name} changed something: {outcome}"
    if refusal.not_found:
        assert outcome.not_found, f"{door.name} should not find it: {outcome}"
    else:
        assert not outcome.applied and not outcome.not_found, f"{door.name}: {outcome}"
        assert outcome.message == expected, f"{door.name} said {outcome.message!r}, the service {expected!r}"


SUCCESSES = [pytest.param(action, door, id=f"{action.name}-{door.name}") for action in ACTIONS for door in DOORS]


@pytest.mark.parametrize(("action", "door"), SUCCESSES)
def test_every_door_has_the_same_effects(cast: Cast, action: OfficerAction, door: Any) -> None:
    application = action.arrange(cast)
    actor = action.actor(cast)
    history_before = StatusChange.objects.filter(application=application).count()

    outcome = door.run(action.call(application), application, actor)

    assert outcome.applied, f"{door.name}: {outcome}"
    application.refresh_from_db()
    assert application.status == action.moved_to
    if action.history:
        last = StatusChange.objects.filter(application=application).latest("at", "pk")
        assert (last.transition, last.actor_id) == (action.history, actor.pk)
        assert StatusChange.objects.filter(application=application).count() > history_before
    told = Notification.objects.filter(application=application, user=cast.staff)
    assert action.firm_told in set(told.values_list("kind", flat=True)), (action.firm_told, list(told))


def test_the_tables_cover_every_door_and_refusal() -> None:
    """A new door or refusal needs no new test, only a row; this keeps the rows honest."""
    assert {door.name for door in DOORS} == {"workspace", "api-session", "api-token", "admin"}
    covered = {(c.values[0].name, c.values[2].name) for c in CASES}
    assert all((action.name, "conflict_of_interest") in covered for action in ACTIONS)
    assert all((action.name, "another_program") in covered for action in ACTIONS)
    assert len(CASES) == len(DOORS) * len({(a, r) for a, r in covered})
