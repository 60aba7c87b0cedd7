"""Places offered from the waitlist, as the firm sees and answers them in the portal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from applications.decisions.grants import application_withdraw
from applications.decisions.moves import application_approve, application_waitlist
from applications.models import Application, WaitlistOffer
from applications.workflow import Status
from programs.models import SelectionMode
from sme_support.roles import Role
from tests.factories import ApplicationFactory, FirmFactory, ProgramFactory, assign_officer, firm_user, user_in_group

pytestmark = pytest.mark.django_db


def _in_review(program, firm, units: int) -> Application:
    """An application placed straight into review (how it got there is not what these tests are about)."""
    application = ApplicationFactory(program=program, firm=firm, requested_units=units)
    Application.objects.filter(pk=application.pk).update(
        status=Status.UNDER_REVIEW, submitted_at=timezone.now(), receipt_number=f"R2026-{application.pk:07d}"
    )
    application.refresh_from_db()
    return application


@pytest.fixture
def show():
    """A first come, first served pavilion of two booths."""
    return ProgramFactory(trade_show=True, capacity=2, per_firm_cap=2, selection_mode=SelectionMode.FCFS)


@pytest.fixture
def show_officer(show):
    user = user_in_group(Role.OFFICER)
    assign_officer(show, user, lead=True)
    return user


@pytest.fixture
def holder(show, show_officer):
    """Another firm holds both booths."""
    firm = FirmFactory()
    firm_user(firm)
    application = _in_review(show, firm, 2)
    application_approve(application=application, actor=show_officer, units=2, reason="First in")
    return application


@pytest.fixture
def waiting(show, show_officer, holder, firm, firm_staff):
    """Our firm's application, on the waitlist behind the holder."""
    application = _in_review(show, firm, 2)
    application_waitlist(application=application, actor=show_officer, reason="The pavilion is full")
    application.refresh_from_db()
    return application


@pytest.fixture
def offer(waiting, holder):
    """The holder withdraws: its two booths are offered to our firm."""
    staff = holder.firm.memberships.first().user
    application_withdraw(application=holder, actor=staff)
    return WaitlistOffer.objects.get(application=waiting, status=WaitlistOffer.State.OFFERED)


def detail(client, application) -> str:
    return client.get(reverse("portal:application_detail", kwargs={"pk": application.pk})).content.decode()


def accept_url(offer) -> str:
    return reverse("portal:offer_accept", kwargs={"offer_pk": offer.pk})


def decline_url(offer) -> str:
    return reverse("portal:offer_decline", kwargs={"offer_pk": offer.pk})


def _expire(offer) -> None:
    now = timezone.now()
    WaitlistOffer.objects.filter(pk=offer.pk).update(
        offered_at=now - dt.timedelta(days=6), expires_at=now - dt.timedelta(minutes=1)
    )


# --- Seeing the offer ---------------------------------------------------------------------------


def test_the_application_page_shows_a_live_offer_with_units_deadline_and_both_answers(portal_client, offer) -> None:
    body = detail(portal_client, offer.application)
    assert "A place is offered to you" in body
    assert "A place of 2 booths has freed up" in body
    deadline = date_format(timezone.localtime(offer.expires_at), "DATETIME_FORMAT")
    assert f"Answer by {deadline}</strong>" in body
    assert f'action="{accept_url(offer)}"' in body
    assert f'href="{decline_url(offer)}"' in body


def test_no_offer_card_while_simply_waitlisted(portal_client, waiting) -> None:
    body = detail(portal_client, waiting)
    assert "A place is offered to you" not in body
    assert "/offers/" not in body


def test_an_expired_offer_is_not_offered_for_an_answer(portal_client, offer) -> None:
    _expire(offer)
    body = detail(portal_client, offer.application)
    assert "A place is offered to you" not in body
    assert accept_url(offer) not in body


def test_the_dashboard_points_to_the_offer(portal_client, offer) -> None:
    body = portal_client.get(reverse("portal:dashboard")).content.decode()
    assert "A place is offered to you" in body
    assert reverse("portal:application_detail", kwargs={"pk": offer.application_id}) + "#offer" in body


def test_the_offer_is_in_the_timeline_as_an_event(portal_client, offer) -> None:
    body = detail(portal_client, offer.application)
    assert "<em>A place was offered from the waitlist</em>" in body
    assert "is offered to this application until" in body  # the event's note
    assert body.count("<strong>Waitlisted</strong>") == 1


# --- Accepting ----------------------------------------------------------------------------------


def test_accepting_approves_the_application_on_the_offered_units(portal_client, offer) -> None:
    response = portal_client.post(accept_url(offer), follow=True)
    assert response.redirect_chain[-1][0] == reverse("portal:application_detail", kwargs={"pk": offer.application_id})
    body = response.content.decode()
    assert "You accepted the place. Your application is approved for 2 booths." in body
    offer.refresh_from_db()
    offer.application.refresh_from_db()
    assert offer.status == WaitlistOffer.State.ACCEPTED
    assert offer.application.status == Status.APPROVED
    assert "<strong>Approved: you accepted the offered place</strong>" in body
    assert "A place is offered to you" not in body


def test_accepting_twice_says_the_offer_was_already_answered(portal_client, offer) -> None:
    portal_client.post(accept_url(offer))
    response = portal_client.post(accept_url(offer), follow=True)
    assert response.status_code == 200
    assert "This offer is no longer open: it was accepted." in response.content.decode()


def test_accepting_an_expired_offer_is_refused_with_a_message(portal_client, offer) -> None:
    _expire(offer)
    response = portal_client.post(accept_url(offer), follow=True)
    assert response.status_code == 200
    assert "expired on" in response.content.decode()
    offer.refresh_from_db()
    offer.application.refresh_from_db()
    assert offer.status == WaitlistOffer.State.OFFERED  # the expiry sweep closes it
    assert offer.application.status == Status.WAITLISTED


def test_accepting_after_the_sweep_expired_it_says_so(portal_client, offer) -> None:
    from applications.decisions.offers import waitlist_expire_offers

    _expire(offer)
    assert waitlist_expire_offers() == 1
    response = portal_client.post(accept_url(offer), follow=True)
    assert "This offer is no longer open: it was expired." in response.content.decode()


def test_accepting_needs_a_post(portal_client, offer) -> None:
    assert portal_client.get(accept_url(offer)).status_code == 405
    offer.refresh_from_db()
    assert offer.status == WaitlistOffer.State.OFFERED


def test_answers_need_the_csrf_token(firm_staff, offer) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(firm_staff)
    assert client.post(accept_url(offer)).status_code == 403
    assert client.post(decline_url(offer), {"confirm": "on"}).status_code == 403
    offer.refresh_from_db()
    assert offer.status == WaitlistOffer.State.OFFERED


def test_another_firms_offer_is_404(client, offer) -> None:
    client.force_login(firm_user(FirmFactory()))
    assert client.post(accept_url(offer)).status_code == 404
    assert client.get(decline_url(offer)).status_code == 404
    assert client.post(decline_url(offer), {"confirm": "on"}).status_code == 404
    assert client.post(reverse("portal:offer_accept", kwargs={"offer_pk": 999999})).status_code == 404
    offer.refresh_from_db()
    assert offer.status == WaitlistOffer.State.OFFERED


def test_staff_cannot_answer_for_the_firm(client, offer, show_officer) -> None:
    client.force_login(show_officer)
    assert client.post(accept_url(offer)).status_code == 403
    offer.refresh_from_db()
    assert offer.status == WaitlistOffer.State.OFFERED


# --- Declining ----------------------------------------------------------------------------------


def test_declining_asks_for_confirmation_first(portal_client, offer) -> None:
    response = portal_client.get(decline_url(offer))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Decline the offered place" in body
    assert "your application is withdrawn" in body
    assert 'name="confirm"' in body
    offer.refresh_from_db()
    assert offer.status == WaitlistOffer.State.OFFERED


def test_declining_without_ticking_the_box_changes_nothing(portal_client, offer) -> None:
    response = portal_client.post(decline_url(offer), {"note": "Changed plans"})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    offer.refresh_from_db()
    assert offer.status == WaitlistOffer.State.OFFERED


def test_declining_withdraws_the_application_and_keeps_the_note(portal_client, offer) -> None:
    response = portal_client.post(
        decline_url(offer), {"confirm": "on", "note": "We cannot travel in May."}, follow=True
    )
    body = response.content.decode()
    assert "You declined the place." in body
    offer.refresh_from_db()
    offer.application.refresh_from_db()
    assert offer.status == WaitlistOffer.State.DECLINED
    assert offer.application.status == Status.WITHDRAWN
    assert "We cannot travel in May." in body  # the withdrawal's note in the timeline


def test_declining_an_answered_offer_says_so(portal_client, offer) -> None:
    portal_client.post(accept_url(offer))
    page = portal_client.get(decline_url(offer), follow=True)
    assert "This offer is no longer open: it was accepted." in page.content.decode()
    response = portal_client.post(decline_url(offer), {"confirm": "on"}, follow=True)
    assert response.status_code == 200
    assert "This offer is no longer open: it was accepted." in response.content.decode()
    offer.application.refresh_from_db()
    assert offer.application.status == Status.APPROVED


def test_the_decline_page_of_an_expired_offer_says_it_expired(portal_client, offer) -> None:
    _expire(offer)
    response = portal_client.get(decline_url(offer), follow=True)
    assert "expired on" in response.content.decode()
    assert "Decline the place" not in response.content.decode()
