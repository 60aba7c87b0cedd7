"""After a decision: the firm withdrawing, an officer cancelling, reducing or completing a
grant. Units that come back return to the program's pool and are offered to the waitlist in
the same transaction (``decisions.waitlist.units_returned``); the firm is told of every
change an officer makes to its grant.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from applications.decisions.capacity import allocation_release
from applications.decisions.waitlist import application_left_waitlist, units_returned
from applications.errors import InvalidUnits, NoteRequired, TransitionNotAllowed
from applications.models import Allocation, Application
from applications.notices import notify_firm
from applications.transitions import (
    apply_transition,
    check_transition,
    hand_back,
    lock_application,
    officer_of,
    record_event,
)
from applications.workflow import Status
from programs.models import OUTCOME_REPORTING_KINDS, Program


@transaction.atomic
def application_withdraw(*, application: Application, actor: User, note: str = "") -> Application:
    """The firm pulls out, before or after a decision; an approval's units return to the pool,
    a waitlist offer it held passes to the next in line."""
    locked = lock_application(application.pk)
    was_approved = locked.status == Status.APPROVED
    was_waitlisted = locked.status == Status.WAITLISTED
    apply_transition(application=locked, name="withdraw", actor=actor, note=note)
    if was_approved:
        allocation_release(application=locked)
        units_returned(program_id=locked.program_id)
    elif was_waitlisted:
        application_left_waitlist(application=locked, actor=actor, declined=True)
    return hand_back(application, locked)


@transaction.atomic
def application_cancel(*, application: Application, actor: User, reason: str) -> Application:
    """An officer cancels an approval: its units return to the pool, the firm is told why."""
    locked = lock_application(application.pk)
    apply_transition(application=locked, name="cancel", actor=actor, note=reason)
    allocation_release(application=locked)
    notify_firm(
        application=locked,
        kind="grant_cancelled",
        title=lambda: _("Your grant for %(application)s was cancelled") % {"application": locked},
        body=lambda: reason,
    )
    units_returned(program_id=locked.program_id)
    return hand_back(application, locked)


@transaction.atomic
def application_complete(*, application: Application, actor: User, note: str = "") -> Application:
    """An officer marks an approved application completed (its support delivered). A trade
    show or a delegation completes when its outcome report is accepted instead."""
    locked = lock_application(application.pk)
    check_transition(application=locked, name="complete", actor=actor, note=note)
    if locked.program.kind in OUTCOME_REPORTING_KINDS:
        raise TransitionNotAllowed(
            _(
                "A %(kind)s is completed by accepting the firm's outcome report, once the event is over; "
                "review the report instead."
            )
            % {"kind": locked.program.get_kind_display().lower()}
        )
    apply_transition(application=locked, name="complete", actor=actor, note=note)
    notify_firm(
        application=locked,
        kind="application_completed",
        title=lambda: _("Your application %(application)s is completed") % {"application": locked},
        body=lambda: note,
    )
    return hand_back(application, locked)


@transaction.atomic
def application_reduce_grant(*, application: Application, actor: User, units: int, reason: str) -> Application:
    """Lower an approved application's grant to ``units`` — the new, smaller total — and give
    the difference back to the pool, where the waitlist is offered it.

    1. Lock the application, then its live allocation.
    2. Shrink the allocation and the program's counter in the same transaction (the counter
       moves by an F() expression, so concurrent claims and releases keep it exact).
    3. Record it in the history, tell the firm, and offer the freed units to the waitlist.
    """
    reason = (reason or "").strip()
    locked = lock_application(application.pk)
    officer_of(
        actor=actor, application=locked, refusal=_("Only the program's officers and managers can change a grant.")
    )
    if not reason:
        raise NoteRequired(_("Please say why the grant is reduced; the firm will read it."))
    if locked.status != Status.APPROVED:
        raise TransitionNotAllowed(
            _("Only an approved application's grant can be reduced; this one is “%(status)s”.")
            % {"status": Status(locked.status).label}
        )
    allocation = Allocation.objects.select_for_update().filter(application=locked, released_at=None).first()
    if allocation is None:
        raise TransitionNotAllowed(_("This application holds no grant to reduce."))
    if isinstance(units, bool) or not isinstance(units, int) or units < 1:
        raise InvalidUnits(_("The new grant must be a whole number of at least 1; to take it all back, cancel."))
    if units >= allocation.units:
        raise InvalidUnits(
            _("The new grant must be smaller than the current %(current)s.") % {"current": f"{allocation.units:,}"}
        )
    returned = allocation.units - units
    previous = allocation.units
    allocation.units = units
    allocation.save(update_fields=["units"])
    Program.objects.filter(pk=locked.program_id).update(allocated=F("allocated") - returned)
    note = _("Grant reduced from %(old)s to %(new)s: %(reason)s") % {
        "old": f"{previous:,}",
        "new": f"{units:,}",
        "reason": reason,
    }
    record_event(application=locked, event="reduce_grant", actor=actor, note=note)
    notify_firm(
        application=locked,
        kind="grant_reduced",
        title=lambda: _("Your grant for %(application)s was reduced") % {"application": locked},
        body=lambda: note,
    )
    units_returned(program_id=locked.program_id)
    return hand_back(application, locked)
