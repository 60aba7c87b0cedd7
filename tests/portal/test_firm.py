from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from firms.models import Firm, FirmMembership, Invitation, IPHolding, JoinRequest, SizeClass
from firms.services.membership import invitation_token
from notifications.models import Notification
from tests.factories import UserFactory, firm_user, make_brn

pytestmark = pytest.mark.django_db
User = get_user_model()


def firm_data(**overrides):
    data = {
        "brn": make_brn(9001),
        "name_ko": "한빛디자인",
        "name_en": "Hanbit Design",
        "region": "seoul",
        "founded_on": "2019-04-01",
        "sector": "design",
        "employees": "12",
        "annual_revenue_krw": "2500000000",
        "exports_last_year_usd": "150000",
        "website": "hanbit.example",
        "markets_of_interest": ["JP", "US"],
    }
    data.update(overrides)
    return data


@pytest.fixture
def newcomer(client):
    user = UserFactory(username="new@example.test", email="new@example.test")
    client.force_login(user)
    return user


def test_register_firm_makes_the_user_its_owner(client, newcomer) -> None:
    brn = make_brn(9001)
    dashed = f"{brn[:3]}-{brn[3:5]}-{brn[5:]}"
    response = client.post(reverse("portal:firm_register"), firm_data(brn=dashed))
    assert response.status_code == 302, response.content.decode()[:2000]
    firm = Firm.objects.get(brn=brn)
    assert firm.size_class == SizeClass.SMALL
    assert firm.website == "https://hanbit.example"
    assert set(firm.markets_of_interest.values_list("pk", flat=True)) == {"JP", "US"}
    membership = FirmMembership.objects.get(user=newcomer)
    assert membership.firm == firm and membership.role == FirmMembership.Role.OWNER
    assert newcomer.groups.filter(name="sme_staff").exists()


def test_register_refuses_a_bad_check_digit_and_keeps_the_input(client, newcomer) -> None:
    brn = make_brn(9001)
    wrong = brn[:9] + str((int(brn[9]) + 1) % 10)
    response = client.post(reverse("portal:firm_register"), firm_data(brn=wrong))
    assert response.status_code == 200
    body = response.content.decode()
    assert "check digit does not match" in body
    assert 'value="한빛디자인"' in body
    assert f'value="{wrong}"' in body
    assert not Firm.objects.exists()


def test_register_refuses_negative_employees_with_a_message(client, newcomer) -> None:
    response = client.post(reverse("portal:firm_register"), firm_data(employees="-3"))
    assert response.status_code == 200
    assert "greater than or equal to 0" in response.content.decode()


def test_registering_an_existing_firm_offers_to_ask_to_join(client, newcomer, firm, firm_staff) -> None:
    response = client.post(reverse("portal:firm_register"), firm_data(brn=firm.brn))
    body = response.content.decode()
    assert "already registered" in body
    assert reverse("portal:join_request_create") in body
    client.post(reverse("portal:join_request_create"), {"brn": firm.brn, "message": "I run sales."})
    join_request = JoinRequest.objects.get(user=newcomer)
    assert join_request.firm == firm and join_request.status == JoinRequest.Status.PENDING
    assert Notification.objects.filter(user=firm_staff, kind="join_request").exists()
    # The newcomer still has no firm and sees the pending request.
    assert "You asked to join" in client.get(reverse("portal:dashboard")).content.decode()


def test_a_member_approves_a_join_request(client, newcomer, firm, firm_staff) -> None:
    join_request = JoinRequest.objects.create(user=newcomer, firm=firm)
    client.force_login(firm_staff)
    page = client.get(reverse("portal:firm_members")).content.decode()
    assert newcomer.email in page
    client.post(reverse("portal:join_request_decide", kwargs={"pk": join_request.pk}), {"decision": "approve"})
    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.APPROVED
    assert FirmMembership.objects.get(user=newcomer).firm == firm
    assert Notification.objects.filter(user=newcomer, kind="join_request_approved").exists()


def test_a_member_declines_a_join_request(client, newcomer, firm, firm_staff) -> None:
    join_request = JoinRequest.objects.create(user=newcomer, firm=firm)
    client.force_login(firm_staff)
    client.post(reverse("portal:join_request_decide", kwargs={"pk": join_request.pk}), {"decision": "decline"})
    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.DECLINED
    assert not FirmMembership.objects.filter(user=newcomer).exists()


def test_another_firms_member_cannot_decide_a_join_request(client, newcomer, firm, other_staff) -> None:
    join_request = JoinRequest.objects.create(user=newcomer, firm=firm)
    client.force_login(other_staff)
    response = client.post(
        reverse("portal:join_request_decide", kwargs={"pk": join_request.pk}), {"decision": "approve"}
    )
    assert response.status_code == 404
    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.PENDING


def test_requester_can_cancel_their_join_request(client, newcomer, firm) -> None:
    join_request = JoinRequest.objects.create(user=newcomer, firm=firm)
    client.post(reverse("portal:join_request_cancel", kwargs={"pk": join_request.pk}))
    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.CANCELLED


def test_invitation_by_email_then_accept(client, firm, firm_staff) -> None:
    client.force_login(firm_staff)
    client.post(reverse("portal:firm_members"), {"email": "Colleague@Example.test"})
    invitation = Invitation.objects.get(firm=firm)
    assert invitation.email == "colleague@example.test"
    assert len(mail.outbox) == 1
    path = re.search(r"https?://[^/\s]+(/\S+)", mail.outbox[0].body).group(1)
    client.post(reverse("portal:logout"))
    # Anonymous: the page offers login and sign-up (in the inviter's language, so look at the links).
    body = client.get(path).content.decode()
    assert "/portal/login/?next=" in body and "/portal/signup/?next=" in body
    colleague = UserFactory(username="colleague@example.test", email="colleague@example.test")
    client.force_login(colleague)
    response = client.post(path)
    assert response.status_code == 302
    assert FirmMembership.objects.get(user=colleague).firm == firm
    invitation.refresh_from_db()
    assert invitation.accepted_by == colleague
    # Used: the link no longer works.
    assert client.get(path).status_code == 404


def test_invitation_refuses_another_email_address(client, firm, firm_staff) -> None:
    invitation = Invitation.objects.create(
        firm=firm, email="right@example.test", invited_by=firm_staff, expires_at="2999-01-01T00:00Z"
    )
    intruder = UserFactory(username="wrong@example.test", email="wrong@example.test")
    client.force_login(intruder)
    client.post(reverse("portal:invitation_accept", kwargs={"token": invitation_token(invitation.pk)}))
    assert not FirmMembership.objects.filter(user=intruder).exists()


def test_tampered_or_revoked_invitations_are_refused(client, firm, firm_staff) -> None:
    invitation = Invitation.objects.create(
        firm=firm, email="x@example.test", invited_by=firm_staff, expires_at="2999-01-01T00:00Z"
    )
    token = invitation_token(invitation.pk)
    assert client.get(reverse("portal:invitation_accept", kwargs={"token": token + "x"})).status_code == 404
    client.force_login(firm_staff)
    client.post(reverse("portal:invitation_revoke", kwargs={"pk": invitation.pk}))
    assert client.get(reverse("portal:invitation_accept", kwargs={"token": token})).status_code == 404


def test_inviting_an_existing_member_is_refused(client, firm, firm_staff) -> None:
    client.force_login(firm_staff)
    response = client.post(reverse("portal:firm_members"), {"email": firm_staff.email})
    assert "already a member" in response.content.decode()
    assert not Invitation.objects.exists()


def test_profile_shows_how_size_and_tier_were_derived(portal_client, firm) -> None:
    body = portal_client.get(reverse("portal:firm_profile")).content.decode()
    assert "How the size class was derived" in body
    assert 'class="matched"' in body
    assert "Framework Act on SMEs" in body
    assert "₩3,000,000,000" in body  # the small-firm revenue limit of the design sector
    assert "$100,000" in body  # the lower bound of the firm's export band


def test_profile_edit_rederives_the_size_class(portal_client, firm) -> None:
    data = firm_data(brn=firm.brn, employees="3", annual_revenue_krw="500000000", markets_of_interest=["FR"])
    response = portal_client.post(reverse("portal:firm_profile"), data)
    assert response.status_code == 302
    firm.refresh_from_db()
    assert firm.size_class == SizeClass.MICRO
    assert list(firm.markets_of_interest.values_list("pk", flat=True)) == ["FR"]


def test_profile_edit_errors_keep_the_input(portal_client, firm) -> None:
    data = firm_data(brn=firm.brn, name_en="Typed Name", annual_revenue_krw="-1")
    response = portal_client.post(reverse("portal:firm_profile"), data)
    assert response.status_code == 200
    assert 'value="Typed Name"' in response.content.decode()
    firm.refresh_from_db()
    assert firm.name_en != "Typed Name"


def test_profile_edit_refuses_another_firms_brn(portal_client, firm, other_firm) -> None:
    response = portal_client.post(reverse("portal:firm_profile"), firm_data(brn=other_firm.brn))
    assert response.status_code == 200
    assert "already exists" in response.content.decode()


def test_ip_holdings_add_and_remove(portal_client, firm) -> None:
    data = {"kind": "trademark", "country": "US", "registration_number": "US-123", "title": "Hanbit"}
    assert portal_client.post(reverse("portal:ip_holding_add"), data).status_code == 302
    holding = IPHolding.objects.get(firm=firm)
    # A duplicate is refused with a message, not a 500.
    duplicate = portal_client.post(reverse("portal:ip_holding_add"), data)
    assert duplicate.status_code == 200
    assert "already exists" in duplicate.content.decode()
    portal_client.post(reverse("portal:ip_holding_remove", kwargs={"pk": holding.pk}))
    assert not IPHolding.objects.exists()


def test_export_products_accept_dotted_hs_codes_and_refuse_bad_ones(portal_client, firm) -> None:
    portal_client.post(reverse("portal:export_product_add"), {"hs_code": "4901.99", "description": "Picture books"})
    assert list(firm.export_products.values_list("hs_code", flat=True)) == ["490199"]
    bad = portal_client.post(reverse("portal:export_product_add"), {"hs_code": "49A", "description": "x"})
    assert bad.status_code == 200
    assert "HS code has 4, 6, 8 or 10 digits" in bad.content.decode()


def test_another_firms_profile_rows_are_404(portal_client, other_firm) -> None:
    holding = IPHolding.objects.create(firm=other_firm, kind="patent", country_id="KR", registration_number="1")
    product = other_firm.export_products.create(hs_code="4901", description="Books")
    assert portal_client.post(reverse("portal:ip_holding_remove", kwargs={"pk": holding.pk})).status_code == 404
    assert portal_client.post(reverse("portal:export_product_remove", kwargs={"pk": product.pk})).status_code == 404
    assert IPHolding.objects.filter(pk=holding.pk).exists()


def test_pages_needing_a_firm_send_newcomers_to_registration(client, newcomer) -> None:
    response = client.get(reverse("portal:catalogue"))
    assert response["Location"] == reverse("portal:firm_register")


def test_member_of_a_firm_cannot_register_another(client, firm, firm_staff) -> None:
    client.force_login(firm_staff)
    assert client.get(reverse("portal:firm_register"))["Location"] == reverse("portal:firm_profile")


def test_forms_need_csrf(firm_staff) -> None:
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(firm_staff)
    assert client.post(reverse("portal:firm_members"), {"email": "a@example.test"}).status_code == 403
    assert client.post(reverse("portal:ip_holding_add"), {}).status_code == 403


def test_two_people_of_one_firm_share_it(client, firm) -> None:
    second = firm_user(firm)
    client.force_login(second)
    assert firm.name_en in client.get(reverse("portal:dashboard")).content.decode()
