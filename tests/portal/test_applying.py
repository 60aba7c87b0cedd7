from __future__ import annotations

import pytest
from django.urls import reverse

from applications.models import Application
from applications.workflow import Status
from portal.stash import STASH_COOKIE
from tests.factories import ProgramFactory
from tests.portal.conftest import pdf_upload

pytestmark = pytest.mark.django_db


def test_export_funding_application_splits_costs_by_the_co_funding_share(portal_client, firm, program) -> None:
    response = portal_client.post(
        reverse("portal:apply", kwargs={"program_pk": program.pk}),
        {"expense_market_research": "10000000", "expense_translation": "5000000", "plan": "Japan", "action": "save"},
    )
    application = Application.objects.get(firm=firm, program=program)
    assert response["Location"] == reverse("portal:application_edit", kwargs={"pk": application.pk})
    assert application.status == Status.DRAFT
    # The firm co-funds 30%: the agency's part, 70% of 15,000,000, is what is requested.
    assert application.requested_units == 10_500_000
    assert application.answers["expenses"] == {"market_research": 10_000_000, "translation": 5_000_000}
    assert application.answers["firm_share_krw"] == 4_500_000
    page = portal_client.get(response["Location"]).content.decode()
    assert "₩4,500,000" in page and "₩10,500,000" in page


def test_over_the_cap_is_refused_and_everything_typed_is_kept(portal_client, firm, program) -> None:
    response = portal_client.post(
        reverse("portal:apply", kwargs={"program_pk": program.pk}),
        {
            "expense_market_research": "90000000",
            "expense_translation": "1234",
            "plan": "My long plan",
            "action": "save",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "above the per-firm cap of ₩30,000,000" in body
    assert "₩42,857,142" in body  # the largest total that fits
    assert 'value="90000000"' in body and 'value="1234"' in body
    assert "My long plan" in body
    assert not Application.objects.exists()


def test_no_amount_at_all_is_refused(portal_client, program) -> None:
    response = portal_client.post(reverse("portal:apply", kwargs={"program_pk": program.pk}), {"plan": "x"})
    assert "Enter the planned cost of at least one expense category" in response.content.decode()


def test_trade_show_application_in_booths(portal_client, firm, trade_show) -> None:
    url = reverse("portal:apply", kwargs={"program_pk": trade_show.pk})
    too_many = portal_client.post(url, {"booths": "3", "products": "Lamps"})
    assert too_many.status_code == 200
    assert "less than or equal to 2" in too_many.content.decode()
    assert "Lamps" in too_many.content.decode()
    portal_client.post(url, {"booths": "2", "products": "Lamps"})
    application = Application.objects.get(program=trade_show)
    assert application.requested_units == 2
    assert application.answers["subsidy_krw"] == 16_000_000
    assert application.answers["fee_krw"] == 4_000_000


def test_delegation_application_with_seats_and_buyer_interests(portal_client, firm) -> None:
    delegation = ProgramFactory(trade_show=True, kind="business_delegation", per_firm_cap=3, buyer_matchmaking=True)
    portal_client.post(
        reverse("portal:apply", kwargs={"program_pk": delegation.pk}),
        {"seats": "2", "products": "Webtoons", "buyer_interests": "Publishers in France"},
    )
    application = Application.objects.get(program=delegation)
    assert application.requested_units == 2
    assert application.answers["buyer_interests"] == "Publishers in France"


def test_a_second_apply_goes_to_the_existing_draft(portal_client, draft) -> None:
    response = portal_client.get(reverse("portal:apply", kwargs={"program_pk": draft.program_id}))
    assert response["Location"] == reverse("portal:application_edit", kwargs={"pk": draft.pk})


def test_closed_call_cannot_be_applied_to(portal_client) -> None:
    import datetime as dt

    from django.utils import timezone

    closed = ProgramFactory(
        opens_at=timezone.now() - dt.timedelta(days=30), closes_at=timezone.now() - dt.timedelta(days=1)
    )
    response = portal_client.post(reverse("portal:apply", kwargs={"program_pk": closed.pk}), {})
    assert response.status_code == 302
    assert not Application.objects.exists()


def test_draft_edit_saves_and_review_goes_to_the_confirmation(portal_client, draft) -> None:
    url = reverse("portal:application_edit", kwargs={"pk": draft.pk})
    page = portal_client.get(url).content.decode()
    assert 'value="10000000"' in page
    response = portal_client.post(
        url, {"expense_market_research": "20000000", "plan": "Bigger plan", "action": "review"}
    )
    assert response["Location"] == reverse("portal:application_submit", kwargs={"pk": draft.pk})
    draft.refresh_from_db()
    assert draft.requested_units == 14_000_000


def test_submit_needs_the_confirmation_then_gives_a_receipt_number(portal_client, draft) -> None:
    url = reverse("portal:application_submit", kwargs={"pk": draft.pk})
    assert "I confirm" in portal_client.get(url).content.decode()
    portal_client.post(url, {})
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    response = portal_client.post(url, {"confirm": "1"}, follow=True)
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED
    assert draft.receipt_number
    assert draft.receipt_number in response.content.decode()


def test_an_incomplete_draft_cannot_be_submitted(portal_client, draft) -> None:
    draft.answers = {**draft.answers, "plan": ""}
    draft.save(update_fields=["answers"])
    url = reverse("portal:application_submit", kwargs={"pk": draft.pk})
    page = portal_client.get(url).content.decode()
    assert "Complete these before you submit" in page
    assert "Export plan" in page
    portal_client.post(url, {"confirm": "1"})
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_missing_usual_documents_are_pointed_out_before_submitting(portal_client, draft) -> None:
    page = portal_client.get(reverse("portal:application_submit", kwargs={"pk": draft.pk})).content.decode()
    assert "usually required and are not uploaded yet" in page
    assert "Business registration certificate" in page


def test_submitted_application_is_no_longer_editable(portal_client, draft, firm_staff) -> None:
    from applications.intake.services import application_submit

    application_submit(application=draft, actor=firm_staff)
    response = portal_client.get(reverse("portal:application_edit", kwargs={"pk": draft.pk}))
    assert response["Location"] == reverse("portal:application_detail", kwargs={"pk": draft.pk})
    post = portal_client.post(reverse("portal:application_edit", kwargs={"pk": draft.pk}), {"plan": "late"})
    assert post.status_code == 302
    draft.refresh_from_db()
    assert draft.answers["plan"] != "late"


@pytest.mark.parametrize(
    "name,method",
    [
        ("portal:application_detail", "get"),
        ("portal:application_edit", "get"),
        ("portal:application_edit", "post"),
        ("portal:application_submit", "get"),
        ("portal:application_submit", "post"),
        ("portal:withdraw", "get"),
        ("portal:withdraw", "post"),
        ("portal:message_send", "post"),
        ("portal:info_answer", "post"),
        ("portal:outcome_report", "get"),
        ("portal:document_upload", "post"),
    ],
)
def test_another_firms_application_is_404(portal_client, other_application, name, method) -> None:
    url = reverse(name, kwargs={"pk": other_application.pk})
    response = getattr(portal_client, method)(url, {"confirm": "1", "body": "hi", "answer": "x"})
    assert response.status_code == 404
    other_application.refresh_from_db()
    assert other_application.status == Status.DRAFT


def test_session_expiry_keeps_the_typed_form_for_after_login(client, firm_staff, draft) -> None:
    url = reverse("portal:application_edit", kwargs={"pk": draft.pk})
    # The session has expired: the post arrives anonymous.
    response = client.post(url, {"expense_market_research": "12345000", "plan": "Typed while logged out"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:login"))
    assert STASH_COOKIE in response.cookies
    login_page = client.get(response["Location"]).content.decode()
    assert "We kept what you typed" in login_page
    client.force_login(firm_staff)
    page = client.get(url)
    body = page.content.decode()
    assert 'value="12345000"' in body
    assert "Typed while logged out" in body
    assert page.cookies[STASH_COOKIE].value == ""  # used once, then cleared
    draft.refresh_from_db()
    assert draft.answers["plan"] != "Typed while logged out"  # restored to the form, not saved


def test_a_stash_is_only_restored_on_its_own_page(client, firm_staff, draft) -> None:
    url = reverse("portal:application_edit", kwargs={"pk": draft.pk})
    client.post(url, {"plan": "Only for the edit page"})
    client.force_login(firm_staff)
    other = client.get(reverse("portal:firm_profile")).content.decode()
    assert "Only for the edit page" not in other


def test_a_forged_stash_cookie_is_ignored(client, firm_staff, draft) -> None:
    client.cookies[STASH_COOKIE] = "forged:value"
    client.force_login(firm_staff)
    assert client.get(reverse("portal:application_edit", kwargs={"pk": draft.pk})).status_code == 200


def test_draft_page_lists_uploaded_documents_and_the_checklist(portal_client, draft, firm_staff) -> None:
    from applications.intake.documents import document_store

    document_store(application=draft, actor=firm_staff, doc_type="business_registration", upload=pdf_upload("cert.pdf"))
    page = portal_client.get(reverse("portal:application_edit", kwargs={"pk": draft.pk})).content.decode()
    assert "cert.pdf" in page
    assert "uploaded" in page
