"""The waitlist: places on it, offers of freed units, and the firm's answer.

How a freed place reaches the waitlist
--------------------------------------
Units come back when an approved application is withdrawn or cancelled, a grant is reduced,
or an offer is declined, expires or is cancelled. ``applications.services`` calls
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

When the waitlist is active: in a first come, first served program, always; in a ranked
program, once a selection has been committed — until then freed units simply go back to the
pool that the selection hands out. Never once a trade show or delegation has begun.

Declining withdraws the application (the firm gives up its place). An offer not accepted by its
deadline expires: the application is rejected with that reason and the place passes on
(``waitlist_expire_offers``, run by beat).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Exists, F, Max, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from applications import services
from applications.allocation import allocation_claim, allocation_release
from applications.decision_events import firm_users, lock_application, program_officers, record_event
from applications.decision_policy import decision_policy_for
from applications.errors import NotPermitted, TransitionNotAllowed
from applications.models import Application, SelectionRun, WaitlistEntry, WaitlistOffer
from applications.workflow import ActorKind, Status
from notifications.links import firm_application_path, officer_application_path
from notifications.services import notify
from programs.models import Program, SelectionMode
from sme_support.roles import AnyUser

logger = logging.getLogger(__name__)


class OfferClosed(TransitionNotAllowed):
    code = "offer_closed"


def _when(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def waitlist_is_active(program: Program) -> bool:
    if program.event_starts_on is not None and timezone.localdate() >= program.event_starts_on:
        return False  # the trade show or delegation has begun: a place freed now is of no use
    if program.selection_mode == SelectionMode.FCFS:
        return True
    return SelectionRun.objects.filter(program_id=program.pk).exists()


# --- Hooks called by applications.services ------------------------------------------------


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
            % {"deadline": _when(offer.expires_at)}
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
    from django.conf import settings

    from applications.tasks import waitlist_promote_program

    try:
        waitlist_promote_program.apply_async((program_id,), countdown=settings.WAITLIST_RETRY_SECONDS)
    except Exception:
        logger.warning(
            "Could not enqueue the promotion of program %s; the sweep will retry.", program_id, exc_info=True
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
    deadline = _when(offer.expires_at)
    record_event(
        application=application,
        event="waitlist_offer",
        actor=None,
        note=_("A place of %(units)s was freed and is offered to this application until %(deadline)s.")
        % {"units": f"{units:,}", "deadline": deadline},
    )
    notify(
        users=firm_users(application),
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
        url=firm_application_path(application.pk),
        application=application,
    )
    return offer


# --- The firm's answer ------------------------------------------------------------------------


def _lock_offer_for_firm(*, offer: WaitlistOffer, actor: User) -> tuple[Application, WaitlistOffer]:
    # Application first, then the offer: the order every path that touches both takes.
    application = lock_application(offer.application_id)
    if actor is None or services.actor_kind_for(actor=actor, application=application) != ActorKind.FIRM:
        raise NotPermitted(_("Only the firm's own staff can answer this offer."))
    locked = WaitlistOffer.objects.select_for_update().get(pk=offer.pk)
    if locked.status != WaitlistOffer.State.OFFERED:
        raise OfferClosed(
            _("This offer is no longer open: it was %(status)s.") % {"status": locked.get_status_display().lower()}
        )
    return application, locked


@transaction.atomic
def waitlist_offer_accept(*, offer: WaitlistOffer, actor: User) -> WaitlistOffer:
    """The firm takes the offered place: the application is approved on the units the offer
    already holds."""
    application, locked = _lock_offer_for_firm(offer=offer, actor=actor)
    if timezone.now() >= locked.expires_at:
        raise OfferClosed(
            _("This offer expired on %(deadline)s and can no longer be accepted.")
            % {"deadline": _when(locked.expires_at)}
        )
    note = _("Accepted the offered place of %(units)s.") % {"units": f"{locked.units:,}"}
    services._apply(application=application, name="accept_offer", actor=actor, note=note)
    locked.status = WaitlistOffer.State.ACCEPTED
    locked.responded_by = actor
    locked.closed_at = timezone.now()
    locked.save(update_fields=["status", "responded_by", "closed_at"])
    notify(
        users=firm_users(application),
        kind="waitlist_offer_accepted",
        title=lambda: _("Your application %(application)s is approved") % {"application": application},
        body=lambda: note,
        url=firm_application_path(application.pk),
        application=application,
    )
    notify(
        users=program_officers(application),
        kind="waitlist_offer_accepted",
        title=lambda: (
            _("%(firm)s accepted the offered place for %(application)s")
            % {"firm": application.firm, "application": application}
        ),
        url=officer_application_path(application.pk),
        application=application,
    )
    offer.refresh_from_db()
    return locked


@transaction.atomic
def waitlist_offer_decline(*, offer: WaitlistOffer, actor: User, note: str = "") -> WaitlistOffer:
    """The firm gives up the offered place: the application is withdrawn and the units go to
    the next application on the waitlist (through the withdrawal's own hook)."""
    application, locked = _lock_offer_for_firm(offer=offer, actor=actor)
    reason = (note or "").strip() or _("Declined the offered place.")
    services.application_withdraw(application=application, actor=actor, note=reason)
    locked.refresh_from_db()
    notify(
        users=program_officers(application),
        kind="waitlist_offer_declined",
        title=lambda: (
            _("%(firm)s declined the offered place for %(application)s")
            % {"firm": application.firm, "application": application}
        ),
        body=lambda: reason,
        url=officer_application_path(application.pk),
        application=application,
    )
    offer.refresh_from_db()
    return locked


# --- Expiry and the sweep ------------------------------------------------------------------------


@transaction.atomic
def waitlist_offer_expire(*, offer_id: int, now: dt.datetime | None = None) -> WaitlistOffer | None:
    """Expire one offer whose deadline has passed: release its units, reject the application
    for not answering, and offer the units on. Idempotent: an offer already closed, or not yet
    due, is left alone."""
    now = now or timezone.now()
    application_id = WaitlistOffer.objects.filter(pk=offer_id).values_list("application_id", flat=True).first()
    if application_id is None:
        return None
    application = lock_application(application_id)
    offer = WaitlistOffer.objects.select_for_update().get(pk=offer_id)
    if offer.status != WaitlistOffer.State.OFFERED or offer.expires_at > now:
        return None
    allocation_release(application=application)
    offer.status = WaitlistOffer.State.EXPIRED
    offer.closed_at = now
    offer.save(update_fields=["status", "closed_at"])
    reason = _(
        "The offered place was not accepted by %(deadline)s, so it passed to the next application on the waitlist."
    ) % {"deadline": _when(offer.expires_at)}
    services.application_reject(application=application, actor=None, reason=reason)
    notify(
        users=firm_users(application),
        kind="waitlist_offer_expired",
        title=lambda: _("The place offered for %(application)s has lapsed") % {"application": application},
        body=lambda: reason,
        url=firm_application_path(application.pk),
        application=application,
    )
    waitlist_promote(program_id=application.program_id)
    return offer


def waitlist_expire_offers(*, now: dt.datetime | None = None) -> int:
    """Expire every offer past its deadline, each in its own transaction; returns how many."""
    now = now or timezone.now()
    due = list(
        WaitlistOffer.objects.live()
        .filter(expires_at__lte=now)
        .order_by("expires_at", "pk")
        .values_list("pk", flat=True)
    )
    return sum(1 for pk in due if waitlist_offer_expire(offer_id=pk, now=now) is not None)


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


# --- Reads ---------------------------------------------------------------------------------------


def waitlist_of(*, program: Program) -> QuerySet[Application]:
    """The program's waitlisted applications in the order they will be offered places."""
    return (
        Application.objects.filter(program=program, status=Status.WAITLISTED)
        .select_related("firm", "waitlist_entry")
        .order_by(F("waitlist_entry__rank").asc(nulls_last=True), "status_changed_at", "pk")
    )


def waitlist_position(application: Application) -> int | None:
    """1 for the next in line; ``None`` when the application is not waitlisted."""
    if application.status != Status.WAITLISTED:
        return None
    ids = list(waitlist_of(program=application.program).values_list("pk", flat=True))
    return ids.index(application.pk) + 1 if application.pk in ids else None


def offer_list(*, user: AnyUser) -> QuerySet[WaitlistOffer]:
    """Offers on the applications ``user`` may see (a firm's staff: their own firm's)."""
    from applications.selectors import application_list

    return WaitlistOffer.objects.filter(application__in=application_list(user=user).values("pk")).select_related(
        "application__program", "application__firm"
    )
