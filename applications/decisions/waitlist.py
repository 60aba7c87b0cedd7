"""The waitlist: places on it, offers of freed units, and the firm's answer.

How a freed place reaches the waitlist
--------------------------------------
Units come back when an approved application is withdrawn or cancelled, a grant is reduced,
or an offer is declined, expires or is cancelled. The services in ``decisions.grants`` call
``units_returned`` in the same transaction, right after the release, and the freed units are
offered at once to the next waitlisted application that fits.

The offer *allocates* the units (``allocation_claim``, the same conditional UPDATE approvals
use): until the firm answers, they count as used, so no approval can take them meanwhile, and
``Program.allocated`` still equals the sum of live allocations. Accepting approves the
application on that allocation; declining, expiry and cancellation release it and offer it on.

Exactly one promotion per freed place, whatever the concurrency:
- the release is an UPDATE of the program row, whose lock is held until commit, and
  ``waitlist_promote`` locks that row first, so promotions of one program run one at a time
  and each sees the offers the previous one committed;
- a waitlisted application is locked (``FOR UPDATE SKIP LOCKED``) before it is offered: one
  being acted on by someone else right now is passed over rather than waited for, so a
  promotion never deadlocks with an officer's decision on that application (the promotion
  runs again shortly after commit, ``waitlist_promote_program``, in case that decision fails);
- the database keeps at most one live offer per application (partial unique index).

Who is next: the waitlisted applications without a live offer, by waitlist rank (selection
waitlists in ranking order; others join at the end), then the time they were waitlisted, then
id. The first of them whose request fits the free units gets the offer (first fit): a request
bigger than what is free is passed over for this place, and a smaller one further down may
take it. An offer is for the units the firm asked for; places are never split automatically.

When the waitlist is active: in a first come, first served or a rolling program, always; in a ranked
program, once a selection has been committed — until then freed units simply go back to the
pool that the selection hands out. Never once a trade show or delegation has begun.

Declining withdraws the application (the firm gives up its place). An offer not accepted by its
deadline expires: the application is rejected with that reason and the place passes on
(``waitlist_expire_offers``, run by beat).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Exists, F, Max, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.decisions.capacity import allocation_claim, allocation_release
from applications.decisions.policy import decision_policy_for
from applications.errors import TransitionNotAllowed
from applications.models import Application, SelectionRun, WaitlistEntry, WaitlistOffer
from applications.notices import notify_firm
from applications.transitions import record_event
from applications.workflow import Status
from programs.models import Program, SelectionMode
from sme_support.queue import enqueue_or_leave_to_sweeper

logger = logging.getLogger(__name__)


class OfferClosed(TransitionNotAllowed):
    code = "offer_closed"


def when(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def waitlist_is_active(program: Program) -> bool:
    if program.event_starts_on is not None and timezone.localdate() >= program.event_starts_on:
        return False  # the trade show or delegation has begun: a place freed now is of no use
    if program.selection_mode in (SelectionMode.FCFS, SelectionMode.ROLLING):
        return True
    return SelectionRun.objects.filter(program_id=program.pk).exists()


# --- Places on the waitlist ------------------------------------------------------------------


def waitlist_entry_add(*, application: Application) -> WaitlistEntry:
    """Give a just-waitlisted application the next rank of its program's waitlist.

    The program row is locked first so two waitlistings can't take the same rank (the unique
    constraint backs it up). Callers already hold the application's lock: application, then
    program, the order every service takes them in.
    """
    Program.objects.select_for_update().filter(pk=application.program_id).values_list("pk", flat=True).get()
    existing = WaitlistEntry.objects.filter(application=application).first()
    if existing is not None:
        return existing
    top = WaitlistEntry.objects.filter(program_id=application.program_id).aggregate(top=Max("rank"))["top"] or 0
    return WaitlistEntry.objects.create(application=application, program_id=application.program_id, rank=top + 1)


def live_offer_for(application: Application) -> WaitlistOffer | None:
    return WaitlistOffer.objects.live().filter(application=application).first()


def guard_approval(*, application: Application) -> None:
    """An application holding an offer already has its units: the firm answers the offer."""
    offer = live_offer_for(application)
    if offer is not None:
        raise TransitionNotAllowed(
            _(
                "A freed place is on offer to this application until %(deadline)s; the firm accepts or "
                "declines it in the portal."
            )
            % {"deadline": when(offer.expires_at)}
        )


def units_returned(*, program_id: int) -> list[WaitlistOffer]:
    """Units went back to the pool in this transaction: offer them to the waitlist."""
    return waitlist_promote(program_id=program_id)


def application_left_waitlist(*, application: Application, actor: User | None, declined: bool) -> None:
    """A waitlisted application was withdrawn or rejected: if it held an offer, release the
    units, close the offer (declined by the firm, or cancelled) and offer them on."""
    offer = WaitlistOffer.objects.live().select_for_update().filter(application=application).first()
    if offer is None:
        return
    allocation_release(application=application)
    offer.status = WaitlistOffer.State.DECLINED if declined else WaitlistOffer.State.CANCELLED
    offer.responded_by = actor if declined else None
    offer.closed_at = timezone.now()
    offer.save(update_fields=["status", "responded_by", "closed_at"])
    waitlist_promote(program_id=application.program_id)


# --- Promotion -----------------------------------------------------------------------------


def _candidates(program: Program, *, remaining: int) -> QuerySet[Application]:
    live = WaitlistOffer.objects.filter(application=OuterRef("pk"), status=WaitlistOffer.State.OFFERED)
    return (
        Application.objects.filter(
            program_id=program.pk,
            status=Status.WAITLISTED,
            requested_units__lte=min(remaining, program.per_firm_cap),
        )
        .exclude(Exists(live))
        .order_by(F("waitlist_entry__rank").asc(nulls_last=True), "status_changed_at", "pk")
    )


def waitlist_promote(*, program_id: int) -> list[WaitlistOffer]:
    """Offer the program's free capacity to its waitlist (see the module docstring).

    1. Lock the program row: promotions of one program run one at a time.
    2. Do nothing unless the waitlist is active.
    3. Take the first waitlisted application without a live offer whose request fits what is
       free, locking it with SKIP LOCKED: one whose row someone else holds right now is passed
       over rather than waited for (waiting could deadlock with a service that holds it and
       wants the program row), and the promotion runs again after commit in case that other
       transaction fails.
    4. Allocate its units with the conditional UPDATE, record the offer, tell the firm.
    5. Repeat while something fits.
    """
    program = Program.objects.select_for_update().get(pk=program_id)
    if not waitlist_is_active(program):
        return []
    policy = decision_policy_for(program)
    offers: list[WaitlistOffer] = []
    passed_over = False
    remaining = program.capacity - program.allocated
    while remaining > 0:
        candidates = _candidates(program, remaining=remaining)
        candidate = (
            candidates.select_for_update(of=("self",), skip_locked=True).select_related("program", "firm").first()
        )
        first_in_line = candidates.values_list("pk", flat=True).first()
        if first_in_line is not None and (candidate is None or candidate.pk != first_in_line):
            # Someone holds the next in line's row right now (an officer deciding it, say). If
            # their transaction fails, it should still get its turn: look again once we commit.
            passed_over = True
        if candidate is None:
            break
        offers.append(_offer(application=candidate, policy_days=policy.offer_days))
        remaining -= candidate.requested_units
    if passed_over:
        transaction.on_commit(lambda: enqueue_promotion(program_id))
    return offers


def enqueue_promotion(program_id: int) -> None:
    """Run the program's promotion again shortly, in a task of its own; a broker outage is
    covered by ``waitlist_sweep``, which offers any free capacity an active waitlist waits for."""
    enqueue_or_leave_to_sweeper(
        "applications.tasks.waitlist_promote_program",
        program_id,
        what=f"the promotion of program {program_id}",
        countdown=settings.WAITLIST_RETRY_SECONDS,
    )


def _offer(*, application: Application, policy_days: int) -> WaitlistOffer:
    units = application.requested_units
    allocation_claim(application=application, units=units, actor=None)
    now = timezone.now()
    offer = WaitlistOffer.objects.create(
        application=application,
        program_id=application.program_id,
        units=units,
        offered_at=now,
        expires_at=now + dt.timedelta(days=policy_days),
    )
    deadline = when(offer.expires_at)
    record_event(
        application=application,
        event="waitlist_offer",
        actor=None,
        note=_("A place of %(units)s was freed and is offered to this application until %(deadline)s.")
        % {"units": f"{units:,}", "deadline": deadline},
    )
    notify_firm(
        application=application,
        kind="waitlist_offer",
        title=lambda: _("A place in %(program)s is offered to you") % {"program": application.program},
        body=lambda: (
            _(
                "A place of %(units)s has freed up for your application %(application)s. Accept or decline it in "
                "the portal by %(deadline)s; without an answer the offer lapses and passes to the next firm on "
                "the waitlist."
            )
            % {"units": f"{units:,}", "application": application, "deadline": deadline}
        ),
    )
    return offer


def waitlist_offer_free_capacity() -> int:
    """Offer capacity that is free while an active waitlist waits (a manager raised the
    capacity, or units came back by a path without the hook); returns the offers made."""
    live = WaitlistOffer.objects.filter(application=OuterRef("pk"), status=WaitlistOffer.State.OFFERED)
    waiting = Application.objects.filter(program_id=OuterRef("pk"), status=Status.WAITLISTED).exclude(Exists(live))
    program_ids = list(
        Program.objects.filter(allocated__lt=F("capacity"))
        .filter(Exists(waiting))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    made = 0
    for program_id in program_ids:
        with transaction.atomic():
            made += len(waitlist_promote(program_id=program_id))
    return made
