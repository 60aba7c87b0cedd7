"""Waitlist promotion: freed units are offered (and reserved) to the next waitlisted
application that fits; the firm accepts or declines; expired offers pass on."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone, translation

from applications import tasks
from applications.decisions.grants import application_cancel, application_reduce_grant, application_withdraw
from applications.decisions.moves import application_approve
from applications.decisions.offers import waitlist_expire_offers, waitlist_offer_accept, waitlist_offer_decline
from applications.decisions.selectors import offer_list, waitlist_of, waitlist_position
from applications.decisions.services import decision_request
from applications.decisions.waitlist import OfferClosed, waitlist_offer_free_capacity
from applications.errors import InvalidUnits, NoteRequired, NotPermitted, TransitionNotAllowed
from applications.models import Allocation, Application, SelectionRun, StatusChange, WaitlistOffer
from applications.workflow import ActorKind, Status
from notifications.models import Notification
from programs.models import Program, SelectionMode
from tests.decisions.helpers import (
    application_in,
    approved,
    assert_pool_consistent,
    booths,
    lead_officer,
    manager,
    officer_of,
    policy,
    staff_of,
    waitlisted,
)
from tests.factories import firm_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def full():
    """A first come, first served trade show with every booth granted and two on the waitlist."""
    program = booths(capacity=3, per_firm_cap=2, mode=SelectionMode.FCFS)
    officer = lead_officer(program)
    holders = [approved(program, officer, units=u) for u in (2, 1)]
    waiting = [waitlisted(program, officer, units=u) for u in (1, 1)]
    program.refresh_from_db()
    assert program.allocated == program.capacity
    return program, officer, holders, waiting


def _offer(app: Application) -> WaitlistOffer:
    return WaitlistOffer.objects.get(application=app, status="offered")


def test_a_withdrawal_offers_the_freed_place_to_the_next_in_line(full) -> None:
    program, _officer, holders, waiting = full
    application_withdraw(application=holders[1], actor=staff_of(holders[1]))

    offer = _offer(waiting[0])
    assert not WaitlistOffer.objects.filter(application=waiting[1]).exists()
    assert offer.units == 1
    assert offer.expires_at - offer.offered_at == dt.timedelta(days=5)
    # The units are held for the offer: the pool stays full, and an allocation backs it.
    program.refresh_from_db()
    assert program.allocated == program.capacity
    assert Allocation.objects.get(application=waiting[0], released_at=None).units == 1
    assert_pool_consistent(program)
    waiting[0].refresh_from_db()
    assert waiting[0].status == Status.WAITLISTED
    event = StatusChange.objects.filter(application=waiting[0]).latest("at", "pk")
    assert (event.transition, event.actor, event.actor_kind) == ("waitlist_offer", None, ActorKind.SYSTEM)
    note = Notification.objects.filter(user=staff_of(waiting[0])).latest("pk")
    assert note.kind == "waitlist_offer" and note.application == waiting[0]


def test_the_offer_period_follows_the_policy(full) -> None:
    program, _officer, holders, waiting = full
    policy(program, offer_days=2)
    application_cancel(application=holders[1], actor=_officer, reason="Did not pay the fee")
    offer = _offer(waiting[0])
    assert offer.expires_at - offer.offered_at == dt.timedelta(days=2)


def test_first_fit_a_request_too_big_for_the_freed_place_is_passed_over() -> None:
    program = booths(capacity=3, per_firm_cap=2, mode=SelectionMode.FCFS)
    officer = lead_officer(program)
    holders = [approved(program, officer, units=u) for u in (2, 1)]
    big = waitlisted(program, officer, units=2)
    small = waitlisted(program, officer, units=1)

    application_withdraw(application=holders[1], actor=staff_of(holders[1]))

    assert not WaitlistOffer.objects.filter(application=big).exists()
    assert _offer(small).units == 1
    assert [a.pk for a in waitlist_of(program=program)] == [big.pk, small.pk]
    assert waitlist_position(big) == 1


def test_two_places_freed_at_once_go_to_two_applications(full) -> None:
    program, _officer, holders, waiting = full
    application_withdraw(application=holders[0], actor=staff_of(holders[0]))  # 2 booths back
    assert _offer(waiting[0]).units == 1 and _offer(waiting[1]).units == 1
    assert_pool_consistent(program)


def test_a_ranked_program_offers_nothing_until_selection_has_run() -> None:
    program = booths(capacity=2, per_firm_cap=2)
    officer = lead_officer(program)
    holder = approved(program, officer, units=1)
    waiting = waitlisted(program, officer, units=1)
    application_withdraw(application=holder, actor=staff_of(holder))
    assert not WaitlistOffer.objects.exists()

    SelectionRun.objects.create(
        program=program,
        run_by=officer,
        run_at=timezone.now(),
        fingerprint="x",
        capacity=2,
        allocated_before=0,
        approved=0,
        waitlisted=0,
    )
    assert waitlist_offer_free_capacity() == 1
    assert _offer(waiting).units == 1


# --- Accepting -------------------------------------------------------------------------------------


def test_the_firm_accepts_and_is_approved_on_the_held_units(full) -> None:
    program, officer, holders, waiting = full
    application_withdraw(application=holders[1], actor=staff_of(holders[1]))
    offer = _offer(waiting[0])
    user = staff_of(waiting[0])

    waitlist_offer_accept(offer=offer, actor=user)

    offer.refresh_from_db()
    assert (offer.status, offer.responded_by) == ("accepted", user)
    app = Application.objects.get(pk=waiting[0].pk)
    assert app.status == Status.APPROVED
    assert Allocation.objects.get(application=app, released_at=None).units == 1
    row = StatusChange.objects.filter(application=app).latest("at", "pk")
    assert (row.transition, row.actor, row.actor_kind) == ("accept_offer", user, ActorKind.FIRM)
    assert Notification.objects.filter(user=officer, kind="waitlist_offer_accepted").exists()
    assert_pool_consistent(program)


@pytest.mark.parametrize("who", ["officer", "other_firm", "manager"])
def test_only_the_firms_own_staff_answer_the_offer(full, who: str) -> None:
    _program, officer, holders, waiting = full
    application_withdraw(application=holders[1], actor=staff_of(holders[1]))
    offer = _offer(waiting[0])
    actor = {"officer": officer, "other_firm": firm_user(), "manager": manager()}[who]
    for answer in (waitlist_offer_accept, waitlist_offer_decline):
        with translation.override("en"), pytest.raises(NotPermitted):
            answer(offer=offer, actor=actor)
    offer.refresh_from_db()
    assert offer.status == "offered"


def test_an_officer_cannot_approve_an_application_holding_an_offer(full) -> None:
    _program, officer, holders, waiting = full
    application_withdraw(application=holders[1], actor=staff_of(holders[1]))
    with translation.override("en"), pytest.raises(TransitionNotAllowed) as caught:
        decision_request(application=waiting[0], actor=officer, decision="approve", reason="Now")
    assert "on offer" in str(caught.value)
    with pytest.raises(TransitionNotAllowed):
        application_approve(application=waiting[0], actor=officer, units=1, reason="Now")


# --- Declining, cancelling, expiring -----------------------------------------------------------------


def test_declining_withdraws_the_application_and_offers_the_place_on(full) -> None:
    program, officer, holders, waiting = full
    application_withdraw(application=holders[1], actor=staff_of(holders[1]))
    offer = _offer(waiting[0])
    user = staff_of(waiting[0])

    waitlist_offer_decline(offer=offer, actor=user, note="We cannot travel")

    offer.refresh_from_db()
    assert (offer.status, offer.responded_by) == ("declined", user)
    first = Application.objects.get(pk=waiting[0].pk)
    assert first.status == Status.WITHDRAWN
    assert Allocation.objects.get(application=first).released_at is not None
    assert StatusChange.objects.filter(application=first).latest("at", "pk").note == "We cannot travel"
    assert _offer(waiting[1]).units == 1
    assert Notification.objects.filter(user=officer, kind="waitlist_offer_declined").exists()
    assert_pool_consistent(program)
    with translation.override("en"), pytest.raises(OfferClosed):
        waitlist_offer_accept(offer=offer, actor=user)


def test_an_officer_rejecting_an_offered_application_cancels_the_offer(full) -> None:
    program, officer, holders, waiting = full
    application_withdraw(application=holders[1], actor=staff_of(holders[1]))
    offer = _offer(waiting[0])
    decision_request(application=waiting[0], actor=officer, decision="reject", reason="Call closed out")
    offer.refresh_from_db()
    assert offer.status == "cancelled"
    assert _offer(waiting[1]).units == 1
    assert_pool_consistent(program)


def test_an_unanswered_offer_expires_and_passes_on(full) -> None:
    program, _officer, holders, waiting = full
    application_withdraw(application=holders[1], actor=staff_of(holders[1]))
    offer = _offer(waiting[0])

    with time_machine.travel(offer.expires_at - dt.timedelta(minutes=1)):
        assert waitlist_expire_offers() == 0
    with time_machine.travel(offer.expires_at + dt.timedelta(minutes=1)):
        with translation.override("en"), pytest.raises(OfferClosed) as caught:
            waitlist_offer_accept(offer=offer, actor=staff_of(waiting[0]))
        assert "expired" in str(caught.value)
        assert tasks.waitlist_sweep.apply().get() == {"expired": 1, "offered": 0}
        assert waitlist_expire_offers() == 0  # a second run finds nothing to do

    offer.refresh_from_db()
    assert offer.status == "expired"
    lapsed = Application.objects.get(pk=waiting[0].pk)
    assert lapsed.status == Status.REJECTED
    assert "was not accepted by" in lapsed.decision_reason
    row = StatusChange.objects.filter(application=lapsed).latest("at", "pk")
    assert (row.transition, row.actor_kind) == ("reject", ActorKind.SYSTEM)
    assert Notification.objects.filter(user=staff_of(lapsed), kind="waitlist_offer_expired").exists()
    assert _offer(waiting[1]).units == 1
    assert_pool_consistent(program)


def test_the_sweep_offers_capacity_a_manager_added(full) -> None:
    program, _officer, _holders, waiting = full
    Program.objects.filter(pk=program.pk).update(capacity=4)
    assert tasks.waitlist_sweep.apply().get() == {"expired": 0, "offered": 1}
    assert _offer(waiting[0]).units == 1
    assert tasks.waitlist_sweep.apply().get() == {"expired": 0, "offered": 0}


def test_offer_list_is_scoped_to_the_firm(full) -> None:
    _program, _officer, holders, waiting = full
    application_withdraw(application=holders[1], actor=staff_of(holders[1]))
    assert list(offer_list(user=staff_of(waiting[0]))) == [_offer(waiting[0])]
    assert list(offer_list(user=staff_of(waiting[1]))) == []


# --- Reducing a grant ---------------------------------------------------------------------------------


def test_reducing_a_grant_returns_the_difference_and_offers_it(full) -> None:
    program, officer, holders, waiting = full
    application_reduce_grant(application=holders[0], actor=officer, units=1, reason="Shares a booth")

    assert Allocation.objects.get(application=holders[0]).units == 1
    event = StatusChange.objects.filter(application=holders[0]).latest("at", "pk")
    assert (event.transition, event.actor, event.from_status, event.to_status) == (
        "reduce_grant",
        officer,
        Status.APPROVED,
        Status.APPROVED,
    )
    assert "from 2 to 1" in event.note and "Shares a booth" in event.note
    assert Notification.objects.filter(user=staff_of(holders[0]), kind="grant_reduced").exists()
    assert _offer(waiting[0]).units == 1
    assert_pool_consistent(program)


@pytest.mark.parametrize(("units", "error"), [(2, InvalidUnits), (3, InvalidUnits), (0, InvalidUnits)])
def test_a_reduction_must_leave_a_smaller_grant(full, units: int, error) -> None:
    _program, officer, holders, _waiting = full
    with translation.override("en"), pytest.raises(error):
        application_reduce_grant(application=holders[0], actor=officer, units=units, reason="Less")
    assert Allocation.objects.get(application=holders[0]).units == 2


def test_a_reduction_is_refused_to_the_firm_without_a_reason_or_when_not_approved(full) -> None:
    program, officer, holders, waiting = full
    with pytest.raises(NotPermitted):
        application_reduce_grant(application=holders[0], actor=staff_of(holders[0]), units=1, reason="Less")
    with pytest.raises(NoteRequired):
        application_reduce_grant(application=holders[0], actor=officer, units=1, reason=" ")
    with pytest.raises(TransitionNotAllowed):
        application_reduce_grant(application=waiting[0], actor=officer, units=1, reason="Less")
    with pytest.raises(NotPermitted):
        application_reduce_grant(application=holders[0], actor=officer_of(booths()), units=1, reason="Less")
    assert_pool_consistent(program)


def test_selection_activates_the_waitlist_of_a_ranked_program() -> None:
    from decimal import Decimal

    from applications.decisions.selection import selection_commit, selection_preview_fingerprint

    program = booths(capacity=2, per_firm_cap=2)
    officer = lead_officer(program)
    a, b, c = (application_in(program, units=1) for _ in range(3))
    scores = {a.pk: Decimal(3), b.pk: Decimal(2), c.pk: Decimal(1)}
    selection_commit(
        program=program,
        actor=officer,
        fingerprint=selection_preview_fingerprint(program=program, scores=scores),
        scores=scores,
    )
    application_withdraw(application=a, actor=staff_of(a))
    assert _offer(c).units == 1


def test_nothing_is_offered_once_the_event_has_begun(full) -> None:
    program, _officer, holders, _waiting = full
    Program.objects.filter(pk=program.pk).update(event_starts_on=timezone.localdate())
    application_withdraw(application=holders[1], actor=staff_of(holders[1]))
    assert not WaitlistOffer.objects.exists()
    assert_pool_consistent(program)
