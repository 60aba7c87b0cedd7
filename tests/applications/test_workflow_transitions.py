"""Every transition of the workflow table, from every state: allowed moves go through the
service and leave exactly one history row; every other move is refused with a message that
names the current state and the states that would allow it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone, translation

from applications.eligibility.screening import application_screen
from applications.errors import TransitionNotAllowed
from applications.models import Allocation, StatusChange
from applications.workflow import DECIDED, TERMINAL, TRANSITIONS, Status, transitions_from
from firms.models import Firm
from tests.applications.workflow_driver import (
    ACTOR_KIND_OF_SIDE,
    FAST_HASHERS,
    FIRINGS,
    allowed_pairs,
    default_actor,
    drive_to,
    make_cast,
    pair_id,
    put_in_state,
    refused_pairs,
)

pytestmark = pytest.mark.django_db

SCREENING_TRANSITIONS = {"start_screening", "mark_eligible", "mark_ineligible"}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture
def cast():
    return make_cast()


def _label(status: str) -> str:
    return str(Status(status).label)


def _names(label: str, message: str) -> bool:
    # Whole words, case-sensitive: "Eligible" must not match inside "Ineligible".
    return re.search(rf"(?<!\w){re.escape(label)}(?!\w)", message) is not None


# --- The table itself ----------------------------------------------------------------------

# The design's diagram, edge by edge. Editing the table without the design breaks this.
DESIGN_EDGES = {
    ("draft", "submitted"),
    ("submitted", "screening"),
    ("screening", "eligible"),
    ("screening", "ineligible"),
    ("ineligible", "eligible"),
    ("eligible", "ineligible"),  # a rules change re-checks applications not yet in review
    ("eligible", "under_review"),
    ("under_review", "info_requested"),
    ("info_requested", "under_review"),
    ("under_review", "approved"),
    ("under_review", "waitlisted"),
    ("under_review", "rejected"),
    ("waitlisted", "approved"),
    ("waitlisted", "rejected"),
    ("ineligible", "rejected"),  # the bulk "reject ineligible" closes them out
    ("approved", "withdrawn"),
    ("approved", "cancelled"),
    ("approved", "completed"),
    *{
        (s, "withdrawn")
        for s in (
            "draft",
            "submitted",
            "screening",
            "eligible",
            "ineligible",
            "under_review",
            "info_requested",
            "waitlisted",
        )
    },
}


def test_table_has_exactly_the_designed_edges() -> None:
    edges = {(source, t.target) for t in TRANSITIONS.values() for source in t.sources}
    assert edges == DESIGN_EDGES


@pytest.mark.parametrize("status", sorted(TERMINAL))
def test_no_transition_leaves_a_terminal_state(status: str) -> None:
    assert transitions_from(status) == []


def test_pairs_cover_the_whole_matrix() -> None:
    assert len(allowed_pairs()) + len(refused_pairs()) == len(TRANSITIONS) * len(Status.values)


# --- Allowed moves ----------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "source"), allowed_pairs(), ids=[pair_id(p) for p in allowed_pairs()])
def test_allowed_transition_moves_the_application_and_writes_one_history_row(name: str, source: str, cast) -> None:
    transition = TRANSITIONS[name]
    firing = FIRINGS[name]
    app = drive_to(cast.new_application(), source, cast)
    actor = default_actor(firing.side, cast)
    note = f"Why {name}: because." if firing.takes_note else ""
    known = set(app.history.values_list("pk", flat=True))

    started = timezone.now()
    if name in SCREENING_TRANSITIONS:
        # The worker's service decides which screening move to make.
        if name == "mark_ineligible":
            Firm.objects.filter(pk=app.firm_id).update(sanctioned_until=dt.date(2099, 1, 1))
        application_screen(application_id=app.pk)
    else:
        firing.call(app, actor, note)
    finished = timezone.now()

    app.refresh_from_db()
    new_rows = list(StatusChange.objects.filter(application=app).exclude(pk__in=known).order_by("at", "pk"))
    rows = [r for r in new_rows if r.transition == name]
    assert len(rows) == 1, [(r.transition, r.from_status, r.to_status) for r in new_rows]
    row = rows[0]
    assert row.from_status == source
    assert row.to_status == transition.target
    assert row.actor == actor
    assert row.actor_kind == ACTOR_KIND_OF_SIDE[firing.side]
    assert started <= row.at <= finished
    assert row.note == note

    if name == "start_screening":
        # Submitted → screening → eligible happen in one worker run: two rows, in order.
        assert [r.transition for r in new_rows] == ["start_screening", "mark_eligible"]
        assert app.status == Status.ELIGIBLE
    else:
        assert len(new_rows) == 1
        assert app.status == transition.target
    assert app.status_changed_at == new_rows[-1].at


DECISION_PAIRS = [p for p in allowed_pairs() if TRANSITIONS[p[0]].target in DECIDED]


@pytest.mark.parametrize(("name", "source"), DECISION_PAIRS, ids=[pair_id(p) for p in DECISION_PAIRS])
def test_decisions_record_when_and_why(name: str, source: str, cast) -> None:
    app = drive_to(cast.new_application(), source, cast)
    FIRINGS[name].call(app, default_actor(FIRINGS[name].side, cast), "The panel's reason")
    app.refresh_from_db()
    assert app.decision_reason == "The panel's reason"
    assert app.decided_at is not None


# --- Refused moves ----------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "source"), refused_pairs(), ids=[pair_id(p) for p in refused_pairs()])
def test_transition_from_a_state_it_does_not_leave_is_refused_and_explained(name: str, source: str, cast) -> None:
    transition = TRANSITIONS[name]
    firing = FIRINGS[name]
    app = put_in_state(cast.new_application(), source)

    with translation.override("en"), pytest.raises(TransitionNotAllowed) as caught:
        firing.call(app, default_actor(firing.side, cast), "A reason")

    message = str(caught.value)
    # The labels in the language the message was written in.
    with translation.override("en"):
        assert str(transition.label) in message
        # The action's own name may contain a state's word ("Eligible after a rules change").
        message = re.sub(rf"(?<!\w){re.escape(str(transition.label))}(?!\w)", "", message)
        assert _names(_label(source), message), message
        for status in Status.values:
            if status in transition.sources:
                assert _names(_label(status), message), (status, message)
            elif status != source:
                assert not _names(_label(status), message), (status, message)

    app.refresh_from_db()
    assert app.status == source
    assert not StatusChange.objects.filter(application=app).exists()
    assert not Allocation.objects.filter(application=app).exists()
    cast.program.refresh_from_db()
    assert cast.program.allocated == 0


@pytest.mark.parametrize("status", [s for s in Status.values if s not in (Status.SUBMITTED, Status.SCREENING)])
def test_screening_leaves_any_other_state_alone(status: str, cast) -> None:
    """A re-delivered screening task must not move an application that has moved on."""
    app = put_in_state(cast.new_application(), status)
    assert application_screen(application_id=app.pk).status == status
    app.refresh_from_db()
    assert app.status == status
    assert not StatusChange.objects.filter(application=app).exists()
    assert app.eligibility_checked_at is None


def test_screening_an_unknown_application_is_a_no_op(cast) -> None:
    assert application_screen(application_id=987_654_321) is None
