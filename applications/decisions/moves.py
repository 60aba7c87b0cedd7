"""The three decisions as moves of the workflow: approve (with its allocation), waitlist,
reject — each in one transaction, with its effect on capacity and on the waitlist.

These are the building blocks of the decision paths, not entry points: an officer's
decision goes through ``decisions.services.decision_request`` (sign-off threshold, scores,
the program's selection mode, the firm told), a ranked call through ``decisions.selection``,
first come first served through ``decisions.fcfs``, a waitlist offer through
``decisions.offers``. The import-linter contract "Only the decision paths make decisions"
keeps every door away from this module.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from applications.decisions.capacity import allocation_claim
from applications.decisions.waitlist import application_left_waitlist, guard_approval, waitlist_entry_add
from applications.errors import InvalidUnits
from applications.models import Application
from applications.transitions import apply_transition, check_transition, check_units, hand_back, lock_application
from applications.workflow import Status


@transaction.atomic
def application_approve(*, application: Application, actor: User | None, units: int, reason: str) -> Application:
    """Approve and allocate ``units`` in one transaction.

    1. Lock the application, so it can't be approved twice.
    2. Check the move and the units against the request and the per-firm cap.
    3. Claim the units with a conditional UPDATE (see capacity.py); if the pool is short,
       raise CapacityExceeded and the whole transaction rolls back.
    4. Record the transition.
    """
    locked = lock_application(application.pk)
    check_transition(application=locked, name="approve", actor=actor, note=reason)
    # A waitlisted application holding an offer already has its units: the firm answers it.
    guard_approval(application=locked)
    check_units(units=units, program=locked.program)
    if units > locked.requested_units:
        raise InvalidUnits(
            _("%(units)s is more than the %(requested)s the firm asked for.")
            % {"units": units, "requested": locked.requested_units}
        )
    allocation_claim(application=locked, units=units, actor=actor)
    apply_transition(application=locked, name="approve", actor=actor, note=reason)
    return hand_back(application, locked)


@transaction.atomic
def application_waitlist(*, application: Application, actor: User | None, reason: str) -> Application:
    locked = lock_application(application.pk)
    apply_transition(application=locked, name="waitlist", actor=actor, note=reason)
    waitlist_entry_add(application=locked)
    return hand_back(application, locked)


@transaction.atomic
def application_reject(*, application: Application, actor: User | None, reason: str) -> Application:
    locked = lock_application(application.pk)
    was_waitlisted = locked.status == Status.WAITLISTED
    apply_transition(application=locked, name="reject", actor=actor, note=reason)
    if was_waitlisted:
        # Closing a live waitlist offer hands its units to the next in line (waitlist.py).
        application_left_waitlist(application=locked, actor=actor, declined=False)
    return hand_back(application, locked)
