"""First come, first served.

When screening finds an application eligible in an FCFS program, ``fcfs_on_eligible`` (called
by ``applications.eligibility.screening.application_screen`` in its transaction) takes it into review as
the system and approves what it asked for if the capacity left covers it, else waitlists it.
What is guaranteed: capacity is never exceeded (the allocation's conditional UPDATE) and each
application is decided exactly once (its row lock). Applications are decided in the order
their screening finishes, which follows submission order as the queue delivers it; two
screenings finishing at the same moment race for the last units, and the earlier submission
is not guaranteed to win. Applications made eligible another way (an officer's override, a
rules re-check) are decided by the ``fcfs_decide_backlog`` sweep, oldest submission first.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from applications.decisions.moves import application_approve, application_waitlist
from applications.errors import CapacityExceeded
from applications.models import Application
from applications.notices import notify_firm_of_decision
from applications.transitions import apply_transition, lock_application
from applications.workflow import Status
from programs.models import Program, SelectionMode


def fcfs_on_eligible(*, application: Application) -> str | None:
    """Decide a just-eligible application of an FCFS program as the system; returns the
    decision taken (``None`` when there is nothing to do). The caller holds the application's
    row lock and its transaction."""
    program = application.program
    if program.selection_mode != SelectionMode.FCFS or application.status != Status.ELIGIBLE:
        return None
    apply_transition(
        application=application,
        name="auto_review",
        actor=None,
        note=_("First come, first served: taken into review as soon as it was found eligible."),
    )
    units = application.requested_units
    if units > program.per_firm_cap:
        # The cap was lowered after submission: an officer decides how much to grant.
        return None
    try:
        # A savepoint: a refused claim must not undo the move into review.
        with transaction.atomic():
            application_approve(
                application=application,
                actor=None,
                units=units,
                reason=_("First come, first served: approved in order of arrival while capacity lasted."),
            )
        decision, reason = "approve", application.decision_reason
    except CapacityExceeded:
        left = Program.objects.filter(pk=program.pk).values_list("capacity", "allocated").get()
        reason = _(
            "First come, first served: only %(left)s was left, less than the %(units)s requested; the "
            "application waits on the waitlist for a place to free up."
        ) % {"left": f"{left[0] - left[1]:,}", "units": f"{units:,}"}
        application_waitlist(application=application, actor=None, reason=reason)
        decision = "waitlist"
    notify_firm_of_decision(application=application, decision=decision, reason=reason)
    return decision


def fcfs_decide_backlog(*, limit: int = 500) -> int:
    """Decide eligible applications of FCFS programs that no screening decided (made eligible
    by an override or a rules re-check), oldest submission first, each in its own
    transaction; returns how many were decided."""
    ids = list(
        Application.objects.filter(status=Status.ELIGIBLE, program__selection_mode=SelectionMode.FCFS)
        .order_by("submitted_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    decided = 0
    for pk in ids:
        with transaction.atomic():
            application = lock_application(pk)
            if fcfs_on_eligible(application=application) is not None:
                decided += 1
    return decided
