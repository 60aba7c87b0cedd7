"""The firm's answer to a place offered from the waitlist, and offers that lapse.

An offer already holds its units (``decisions.waitlist``). Accepting approves the
application on them; declining withdraws the application (the firm gives up its place) and
the units pass on; an offer not accepted by its deadline expires — the application is
rejected with that reason and the place passes to the next in line (``waitlist_expire_offers``,
run by beat).
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.decisions.capacity import allocation_release
from applications.decisions.grants import application_withdraw
from applications.decisions.moves import application_reject
from applications.decisions.waitlist import OfferClosed, waitlist_promote, when
from applications.models import Application, WaitlistOffer
from applications.notices import notify_firm, notify_program_officers
from applications.transitions import apply_transition, firm_member_of, lock_application

# --- The firm's answer ------------------------------------------------------------------------


def _lock_offer_for_firm(*, offer: WaitlistOffer, actor: User) -> tuple[Application, WaitlistOffer]:
    # Application first, then the offer: the order every path that touches both takes.
    application = lock_application(offer.application_id)
    firm_member_of(actor=actor, application=application, refusal=_("Only the firm's own staff can answer this offer."))
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
            % {"deadline": when(locked.expires_at)}
        )
    note = _("Accepted the offered place of %(units)s.") % {"units": f"{locked.units:,}"}
    apply_transition(application=application, name="accept_offer", actor=actor, note=note)
    locked.status = WaitlistOffer.State.ACCEPTED
    locked.responded_by = actor
    locked.closed_at = timezone.now()
    locked.save(update_fields=["status", "responded_by", "closed_at"])
    notify_firm(
        application=application,
        kind="waitlist_offer_accepted",
        title=lambda: _("Your application %(application)s is approved") % {"application": application},
        body=lambda: note,
    )
    notify_program_officers(
        application=application,
        kind="waitlist_offer_accepted",
        title=lambda: (
            _("%(firm)s accepted the offered place for %(application)s")
            % {"firm": application.firm, "application": application}
        ),
    )
    offer.refresh_from_db()
    return locked


@transaction.atomic
def waitlist_offer_decline(*, offer: WaitlistOffer, actor: User, note: str = "") -> WaitlistOffer:
    """The firm gives up the offered place: the application is withdrawn and the units go to
    the next application on the waitlist (through the withdrawal's own hook)."""
    application, locked = _lock_offer_for_firm(offer=offer, actor=actor)
    reason = (note or "").strip() or _("Declined the offered place.")
    application_withdraw(application=application, actor=actor, note=reason)
    locked.refresh_from_db()
    notify_program_officers(
        application=application,
        kind="waitlist_offer_declined",
        title=lambda: (
            _("%(firm)s declined the offered place for %(application)s")
            % {"firm": application.firm, "application": application}
        ),
        body=lambda: reason,
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
    ) % {"deadline": when(offer.expires_at)}
    application_reject(application=application, actor=None, reason=reason)
    notify_firm(
        application=application,
        kind="waitlist_offer_expired",
        title=lambda: _("The place offered for %(application)s has lapsed") % {"application": application},
        body=lambda: reason,
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
