from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from applications.casework.services import application_request_info
from applications.decisions.grants import application_withdraw
from applications.decisions.moves import application_approve
from applications.eligibility.screening import application_screen
from applications.errors import TransitionNotAllowed
from applications.intake.services import application_create, application_submit
from applications.models import Application, Message, OutcomeReport
from applications.outcomes import services as outcomes
from applications.workflow import Status
from notifications.models import Notification
from tests.factories import ApplicationFactory, UserFactory
from tests.portal.conftest import PDF_BYTES, past_event, under_review

pytestmark = pytest.mark.django_db


def detail(client, application):
    return client.get(reverse("portal:application_detail", kwargs={"pk": application.pk})).content.decode()


def test_detail_shows_the_status_timeline_and_eligibility(portal_client, draft, firm_staff) -> None:
    application_submit(application=draft, actor=firm_staff)
    application_screen(application_id=draft.pk)
    draft.refresh_from_db()
    body = detail(portal_client, draft)
    assert draft.receipt_number in body
    for label in ("Submitted", "Screening", "Eligible"):
        assert f"<strong>{label}</strong>" in body
    assert "Checked:" in body
    assert "Your firm is not under a sanction" in body or "sanction" in body


def test_draft_detail_shows_a_preliminary_check(portal_client, draft) -> None:
    assert "preliminary check" in detail(portal_client, draft)


def test_officer_internal_notes_are_not_shown_but_decisions_are(portal_client, draft, firm_staff, officer) -> None:
    under_review(draft, firm_staff, officer)
    application_request_info(application=draft, actor=officer, message="Send your 2025 export record.")
    body = detail(portal_client, draft)
    assert "Send your 2025 export record." in body
    assert "The officers need more information" in body


def test_firm_sends_a_message_after_submission(portal_client, draft, firm_staff, officer) -> None:
    application_submit(application=draft, actor=firm_staff)
    response = portal_client.post(
        reverse("portal:message_send", kwargs={"pk": draft.pk}), {"body": "When is the decision?"}
    )
    assert response.status_code == 302
    message = Message.objects.get(application=draft)
    assert message.from_firm and message.author == firm_staff
    assert Notification.objects.filter(user=officer, kind="firm_message").exists()


def test_an_empty_message_is_refused_with_the_form(portal_client, draft, firm_staff) -> None:
    application_submit(application=draft, actor=firm_staff)
    response = portal_client.post(reverse("portal:message_send", kwargs={"pk": draft.pk}), {"body": "   "})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()


def test_messages_on_a_draft_are_refused(portal_client, draft) -> None:
    response = portal_client.post(
        reverse("portal:message_send", kwargs={"pk": draft.pk}), {"body": "hello"}, follow=True
    )
    assert "open once the application is submitted" in response.content.decode()
    assert not Message.objects.exists()


def test_answering_an_information_request_with_an_attachment(portal_client, draft, firm_staff, officer) -> None:
    under_review(draft, firm_staff, officer)
    application_request_info(application=draft, actor=officer, message="Export record please")
    response = portal_client.post(
        reverse("portal:info_answer", kwargs={"pk": draft.pk}),
        {
            "answer": "Attached.",
            "doc_type": "export_record",
            "file": SimpleUploadedFile("record.pdf", PDF_BYTES, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Status.UNDER_REVIEW
    answer = Message.objects.get(application=draft, from_firm=True)
    assert answer.attachment.original_name == "record.pdf"
    assert answer.attachment.doc_type == "export_record"
    assert draft.info_requests.get().answered_by == firm_staff
    assert "record.pdf" in detail(portal_client, draft)


def test_a_refused_attachment_leaves_the_request_open_and_keeps_the_answer(
    portal_client, draft, firm_staff, officer
) -> None:
    under_review(draft, firm_staff, officer)
    application_request_info(application=draft, actor=officer, message="Export record please")
    response = portal_client.post(
        reverse("portal:info_answer", kwargs={"pk": draft.pk}),
        {
            "answer": "My careful answer",
            "file": SimpleUploadedFile("x.pdf", b"MZ\x90\x00evil", content_type="application/pdf"),
        },
    )
    assert response.status_code == 400
    assert "My careful answer" in response.content.decode()
    assert "not one of the accepted formats" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Status.INFO_REQUESTED
    assert draft.info_requests.get().answered_at is None


def test_withdraw_needs_confirmation(portal_client, draft) -> None:
    url = reverse("portal:withdraw", kwargs={"pk": draft.pk})
    assert "cannot be undone" in portal_client.get(url).content.decode()
    response = portal_client.post(url, {"note": "Changed plans"})
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    portal_client.post(url, {"note": "Changed plans", "confirm": "on"})
    draft.refresh_from_db()
    assert draft.status == Status.WITHDRAWN
    assert draft.history.last().note == "Changed plans"


def test_a_withdrawn_application_cannot_be_withdrawn_again(portal_client, draft, firm_staff) -> None:
    application_withdraw(application=draft, actor=firm_staff)
    response = portal_client.get(reverse("portal:withdraw", kwargs={"pk": draft.pk}))
    assert response["Location"] == reverse("portal:application_detail", kwargs={"pk": draft.pk})


@pytest.fixture
def approved_show(firm, firm_staff, trade_show, officer_of_show):
    application = application_create(
        program=trade_show, firm=firm, actor=firm_staff, requested_units=2, answers={"booths": 2, "products": "Lamps"}
    )
    under_review(application, firm_staff, officer_of_show)
    application_approve(application=application, actor=officer_of_show, units=2, reason="Strong portfolio")
    application.refresh_from_db()
    return application


@pytest.fixture
def officer_of_show(trade_show):
    from sme_support.roles import Role
    from tests.factories import assign_officer, user_in_group

    user = user_in_group(Role.OFFICER)
    assign_officer(trade_show, user, lead=True)
    return user


OUTCOME = {
    "buyer_meetings": "14",
    "consultation_usd": "250000",
    "contracts_usd": "80000",
    "ip_filed": "1",
    "new_countries": ["FR", "DE"],
    "narrative": "Met distributors.",
}


def test_outcome_report_draft_then_submit_after_the_event(portal_client, approved_show, officer_of_show) -> None:
    url = reverse("portal:outcome_report", kwargs={"pk": approved_show.pk})
    page = portal_client.get(url).content.decode()
    due = approved_show.program.event_ends_on + dt.timedelta(days=30)
    assert "Due" in page
    portal_client.post(url, {**OUTCOME, "action": "save"})
    report = OutcomeReport.objects.get(application=approved_show)
    assert report.status == OutcomeReport.ReportStatus.DRAFT
    assert report.due_on == due
    assert report.buyer_meetings == 14
    assert set(report.new_countries.values_list("pk", flat=True)) == {"FR", "DE"}
    # Before the event has ended the report cannot be submitted; the input stays.
    early = portal_client.post(url, {**OUTCOME, "buyer_meetings": "15", "action": "submit"})
    assert "can be submitted from the day after" in early.content.decode()
    assert 'value="15"' in early.content.decode()
    past_event(approved_show.program)
    portal_client.post(url, {**OUTCOME, "action": "submit"})
    report.refresh_from_db()
    assert report.status == OutcomeReport.ReportStatus.SUBMITTED
    assert Notification.objects.filter(user=officer_of_show, kind="outcome_report_submitted").exists()
    # Submitted: read-only.
    portal_client.post(url, {**OUTCOME, "buyer_meetings": "99", "action": "save"})
    report.refresh_from_db()
    assert report.buyer_meetings == 14


def test_outcome_report_validation_keeps_input(portal_client, approved_show) -> None:
    url = reverse("portal:outcome_report", kwargs={"pk": approved_show.pk})
    response = portal_client.post(url, {**OUTCOME, "contracts_usd": "-5", "narrative": "Keep me", "action": "save"})
    assert response.status_code == 200
    assert "Keep me" in response.content.decode()
    assert not OutcomeReport.objects.exists()


def test_outcome_report_is_only_for_approved_events(portal_client, draft) -> None:
    assert portal_client.get(reverse("portal:outcome_report", kwargs={"pk": draft.pk})).status_code == 404


def test_detail_links_the_outcome_report_with_its_due_date(portal_client, approved_show) -> None:
    body = detail(portal_client, approved_show)
    assert "Write the outcome report" in body
    assert "Strong portfolio" in body


def test_outcome_service_refuses_other_firms_and_unapproved(approved_show, other_staff, draft, firm_staff) -> None:
    from applications.errors import InvalidInput, NotPermitted

    with pytest.raises(NotPermitted):
        outcomes.outcome_report_save_draft(application=approved_show, actor=other_staff, buyer_meetings=1)
    with pytest.raises((TransitionNotAllowed, InvalidInput)):
        outcomes.outcome_report_save_draft(application=draft, actor=firm_staff, buyer_meetings=1)


def test_notifications_list_and_mark_read(portal_client, firm_staff, draft) -> None:
    mine = Notification.objects.create(user=firm_staff, kind="x", title="Call closes soon", url="/en/portal/")
    Notification.objects.create(user=firm_staff, kind="x", title="Second")
    page = portal_client.get(reverse("portal:notifications")).content.decode()
    assert "Call closes soon" in page and "2 unread" in page
    response = portal_client.post(reverse("portal:notification_read", kwargs={"pk": mine.pk}))
    assert response["Location"] == "/en/portal/"
    mine.refresh_from_db()
    assert mine.read_at is not None
    portal_client.post(reverse("portal:notifications_read_all"))
    assert not Notification.objects.filter(user=firm_staff, read_at=None).exists()


def test_another_users_notification_is_404(portal_client) -> None:
    theirs = Notification.objects.create(user=UserFactory(), kind="x", title="Private")
    assert portal_client.post(reverse("portal:notification_read", kwargs={"pk": theirs.pk})).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert "Private" not in portal_client.get(reverse("portal:notifications")).content.decode()


def test_notification_links_never_leave_the_site(portal_client, firm_staff) -> None:
    evil = Notification.objects.create(user=firm_staff, kind="x", title="t", url="https://evil.example/")
    response = portal_client.post(reverse("portal:notification_read", kwargs={"pk": evil.pk}))
    assert response["Location"] == reverse("portal:notifications")


def test_dashboard_shows_open_information_requests(portal_client, draft, firm_staff, officer) -> None:
    under_review(draft, firm_staff, officer)
    application_request_info(
        application=draft, actor=officer, message="More", due_on=timezone.localdate() + dt.timedelta(days=3)
    )
    assert "Officers are waiting for your answer" in portal_client.get(reverse("portal:dashboard")).content.decode()


def test_application_list_shows_only_the_firms_applications(portal_client, draft, other_application) -> None:
    body = portal_client.get(reverse("portal:application_list")).content.decode()
    assert reverse("portal:application_detail", kwargs={"pk": draft.pk}) in body
    assert reverse("portal:application_detail", kwargs={"pk": other_application.pk}) not in body


def test_list_pages_use_a_fixed_number_of_queries(portal_client, firm, django_assert_max_num_queries) -> None:
    for _ in range(5):
        ApplicationFactory(firm=firm)
    with django_assert_max_num_queries(20):
        portal_client.get(reverse("portal:application_list"))
    assert Application.objects.filter(firm=firm).count() == 5
