"""The application's history as the firm reads it.

The history (``StatusChange``) holds two kinds of row: moves between statuses, and events
that happened without a move (a place offered, a grant reduced, a sign-off asked for), whose
``from_status`` equals ``to_status``. A move is shown as the status reached; an event by its
name, so the firm does not read the same status twice.

What the firm does not see: the agency's internal steps (a manager's sign-off of a decision
still being taken would tell the firm a decision before it is made), events this module does
not know (an event added later stays internal until someone decides the firm should read it),
and the notes of officers' internal moves (starting a review, overriding a check).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from applications.models import Application, StatusChange
from applications.workflow import TRANSITIONS, Status

# Notes the firm reads: decisions' reasons, the exchanges it took part in, and what the
# system did on its own (re-checks after a rules change, first come first served).
FIRM_VISIBLE_NOTES = frozenset(
    {
        "approve",
        "waitlist",
        "reject",
        "cancel",
        "request_info",
        "answer_info",
        "withdraw",
        "complete",
        "recheck_eligible",
        "recheck_ineligible",
        "auto_review",
        "accept_offer",
        "waitlist_offer",
        "reduce_grant",
    }
)

# Moves whose workflow label says more than the status reached does.
LABELLED_MOVES = frozenset({"recheck_eligible", "recheck_ineligible", "accept_offer"})

# Events recorded without a move (applications.transitions.record_event) that the firm
# reads. Their names are not workflow transitions, so their labels live here.
FIRM_EVENTS: dict[str, str | Promise] = {
    "waitlist_offer": _("A place was offered from the waitlist"),
    "reduce_grant": _("Grant reduced"),
}
# Firm-facing wording for moves in LABELLED_MOVES whose workflow label is an officer's command.
MOVE_LABELS: dict[str, str | Promise] = {
    "accept_offer": _("Approved: you accepted the offered place"),
}


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    # "status" for a move (``status`` is the status reached), "event" for an event.
    kind: str
    status: str
    title: str | Promise
    note: str


def _entry(change: StatusChange) -> TimelineEntry | None:
    note = change.note if change.transition in FIRM_VISIBLE_NOTES else ""
    if change.from_status == change.to_status:
        label = FIRM_EVENTS.get(change.transition)
        if label is None and change.transition in TRANSITIONS:
            # A workflow transition that left the status as it was: its own label says what happened.
            label = TRANSITIONS[change.transition].label
        if label is None:
            return None
        return TimelineEntry(at=change.at, kind="event", status=change.to_status, title=label, note=note)
    title: str | Promise = Status(change.to_status).label if change.to_status in Status.values else change.to_status
    if change.transition in LABELLED_MOVES:
        title = MOVE_LABELS.get(change.transition) or TRANSITIONS[change.transition].label
    return TimelineEntry(at=change.at, kind="status", status=change.to_status, title=title, note=note)


def firm_timeline(application: Application) -> list[TimelineEntry]:
    """The history rows the firm may read, oldest first (one query)."""
    entries = (_entry(change) for change in application.history.all())
    return [entry for entry in entries if entry is not None]
