"""The application page and the actions posted from it: each goes through its service,
lands in the history, and tells the firm."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from applications.casework.services import application_answer_info
from applications.intake.documents import document_store
from applications.models import Message, StatusChange
from applications.workflow import Status
from notifications.models import Notification
from reviews.services import review_assign
from tests.reviews.conftest import application_in, client_for, firm_staff_of, ineligible_application, text_of

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def detail_url(application, action=""):
    return f"/en/officer/applications/{application.pk}/{action + '/' if action else ''}"


def firm_notifications(application, kind):
    return Notification.objects.filter(user=firm_staff_of(application), kind=kind, application=application)


def test_detail_page_shows_the_whole_file(world):
    application = application_in(world.program, Status.DRAFT)
    application.answers = {"kind": "export_funding", "plan": "Enter Japan with our catalogue", "total_cost_krw": 1000}
    application.save(update_fields=["answers"])
    document_store(
        application=application,
        actor=firm_staff_of(application),
        doc_type="export_plan",
        upload=SimpleUploadedFile("plan.pdf", PDF_BYTES, content_type="application/pdf"),
    )
    from applications.eligibility.screening import application_screen
    from applications.intake.services import application_submit

    application_submit(application=application, actor=firm_staff_of(application))
    application_screen(application_id=application.pk)
    application.refresh_from_db()

    response = client_for(world.reviewer).get(detail_url(application))

    assert response.status_code == 200
    page = text_of(response)
    assert application.firm.name_en in page
    assert application.firm.brn_display in page
    assert "Enter Japan with our catalogue" in page
    assert "plan.pdf" in page
    document = application.documents.get()
    assert f"/en/portal/documents/{document.pk}/" in page
    assert "Capacity left in the program" in page
    assert "₩100,000,000 of ₩100,000,000" in page
    # The eligibility reasons in the reader's language.
    result = application.eligibility_results[0]
    assert result["reason"]["en"] in page
    korean = text_of(client_for(world.reviewer).get(f"/officer/applications/{application.pk}/"))
    assert result["reason"]["ko"] in korean


def test_the_officer_downloads_a_document_through_the_portal_view(world):
    application = application_in(world.program, Status.DRAFT)
    document = document_store(
        application=application,
        actor=firm_staff_of(application),
        doc_type="export_plan",
        upload=SimpleUploadedFile("plan.pdf", PDF_BYTES, content_type="application/pdf"),
    )
    response = client_for(world.reviewer).get(f"/en/portal/documents/{document.pk}/")
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in response["Content-Disposition"]
    assert client_for(world.outsider).get(f"/en/portal/documents/{document.pk}/").status_code == 404


def test_start_review_moves_the_application_and_tells_the_firm(world):
    application = application_in(world.program, Status.ELIGIBLE)

    response = client_for(world.plain_officer).post(detail_url(application, "start-review"))

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.UNDER_REVIEW
    change = StatusChange.objects.filter(application=application).last()
    assert (change.transition, change.actor) == ("start_review", world.plain_officer)
    assert firm_notifications(application, "review_started").count() == 1


def test_start_review_twice_shows_the_refusal(world):
    application = application_in(world.program, Status.UNDER_REVIEW)
    response = client_for(world.reviewer).post(detail_url(application, "start-review"))
    assert response.status_code == 400
    assert "cannot be moved by “Start review”" in text_of(response)


def test_request_information_with_a_due_date(world):
    application = application_in(world.program, Status.UNDER_REVIEW)
    due = timezone.localdate() + dt.timedelta(days=10)

    response = client_for(world.reviewer).post(
        detail_url(application, "request-info"), {"message": "Please send the quotation", "due_on": due.isoformat()}
    )

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.INFO_REQUESTED
    request = application.info_requests.get()
    assert (request.due_on, request.requested_by) == (due, world.reviewer)
    note = firm_notifications(application, "info_requested").get()
    assert "Please send the quotation" in note.body
    assert note.url == f"/portal/applications/{application.pk}/"

    # The firm answers (the portal's service) and the application is back under review.
    application_answer_info(application=application, actor=firm_staff_of(application), answer="Attached")
    application.refresh_from_db()
    assert application.status == Status.UNDER_REVIEW
    assert "Attached" in text_of(client_for(world.reviewer).get(detail_url(application)))


def test_request_information_refuses_a_past_due_date_and_an_empty_message(world):
    application = application_in(world.program, Status.UNDER_REVIEW)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    client = client_for(world.reviewer)
    response = client.post(detail_url(application, "request-info"), {"message": "", "due_on": yesterday.isoformat()})
    assert response.status_code == 400
    assert "This field is required" in text_of(response)
    # The due-date rule is the service's, as at the API and in the admin.
    response = client.post(
        detail_url(application, "request-info"), {"message": "Send it", "due_on": yesterday.isoformat()}
    )
    assert response.status_code == 400
    assert "cannot be in the past" in text_of(response)
    application.refresh_from_db()
    assert application.status == Status.UNDER_REVIEW


def test_override_eligibility_needs_a_justification(world):
    application = ineligible_application(world.program)
    client = client_for(world.reviewer)

    refused = client.post(detail_url(application, "override"), {"justification": " "})
    assert refused.status_code == 400

    done = client.post(detail_url(application, "override"), {"justification": "The sanction was lifted in May"})
    assert done.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.ELIGIBLE
    assert application.history.last().note == "The sanction was lifted in May"
    assert firm_notifications(application, "eligibility_override").count() == 1


def test_message_to_the_firm(world):
    application = application_in(world.program, Status.UNDER_REVIEW)
    response = client_for(world.reviewer).post(detail_url(application, "message"), {"body": "We received your file."})
    assert response.status_code == 302
    message = Message.objects.get(application=application)
    assert (message.from_firm, message.author) == (False, world.reviewer)
    assert firm_notifications(application, "officer_message").get().body == "We received your file."


@pytest.mark.parametrize(
    ("decision", "status"),
    [("approve", Status.APPROVED), ("waitlist", Status.WAITLISTED), ("reject", Status.REJECTED)],
)
def test_decisions(world, decision, status):
    application = application_in(world.program, Status.UNDER_REVIEW, requested_units=8_000_000)
    response = client_for(world.lead).post(
        detail_url(application, "decide"),
        {"decision": decision, "units": "8000000", "reason": "Strong plan, clear market"},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == status
    assert application.decision_reason == "Strong plan, clear market"
    assert firm_notifications(application, f"decision_{decision}").count() == 1


def test_approval_cannot_exceed_the_request_and_without_units_grants_the_request(world):
    """As at every door (the API, the admin): an approval grants what the firm asked for unless
    the officer names fewer units, and never more."""
    application = application_in(world.program, Status.UNDER_REVIEW, requested_units=8_000_000)
    client = client_for(world.lead)
    too_many = client.post(
        detail_url(application, "decide"), {"decision": "approve", "units": "9000000", "reason": "Good"}
    )
    assert too_many.status_code == 400
    assert "more than the 8000000 the firm asked for" in text_of(too_many)
    application.refresh_from_db()
    assert application.status == Status.UNDER_REVIEW
    as_asked = client.post(detail_url(application, "decide"), {"decision": "approve", "reason": "Good"})
    assert as_asked.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.APPROVED
    assert application.allocation.units == 8_000_000


def test_the_page_offers_only_the_moves_of_the_current_status(world):
    eligible = application_in(world.program, Status.ELIGIBLE)
    page = text_of(client_for(world.reviewer).get(detail_url(eligible)))
    assert 'id="start-review-form"' in page
    assert 'id="decision-form"' not in page
    assert 'id="info-form"' not in page

    under_review = application_in(world.program, Status.UNDER_REVIEW)
    page = text_of(client_for(world.reviewer).get(detail_url(under_review)))
    assert 'id="start-review-form"' not in page
    assert 'id="decision-form"' in page
    assert 'id="info-form"' in page
    # Only the lead (or a manager) is offered the assignment form.
    assert 'id="assign-form"' not in page
    assert 'id="assign-form"' in text_of(client_for(world.lead).get(detail_url(under_review)))


def test_history_shows_transitions_and_review_events_with_actors(world):
    application = application_in(world.program, Status.UNDER_REVIEW)
    review_assign(application=application, reviewer=world.reviewer, actor=world.lead)
    page = text_of(client_for(world.lead).get(detail_url(application)))
    history = page[page.index('id="history"') :]
    assert "Eligible → Under review" in history
    assert "Reviewer assigned" in history
    assert "rita" in history
