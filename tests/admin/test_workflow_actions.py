"""Workflow transitions as admin actions: input on a confirmation page, then the service."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone, translation

from applications.decisions.moves import application_approve
from applications.errors import ApplicationError
from applications.models import Allocation, InfoRequest
from applications.workflow import Status
from tests.admin.conftest import APPROVED_UNITS, application_in

pytestmark = pytest.mark.django_db

# English pages, so the messages can be compared with what the services say in English.
CHANGELIST = "/en/admin/applications/application/"


def _messages(response) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


def _select(action: str, *applications) -> dict:
    return {"action": action, "_selected_action": [a.pk for a in applications]}


def _confirm(action: str, *applications, **fields) -> dict:
    return {**_select(action, *applications), "_workflow_confirm": "1", **fields}


def test_approve_shows_a_confirmation_page_listing_the_selection(officer_client, program) -> None:
    first = application_in(program, Status.UNDER_REVIEW)
    second = application_in(program, Status.UNDER_REVIEW)
    response = officer_client.post(CHANGELIST, _select("approve", first, second))
    assert response.status_code == 200
    assert response.templates[0].name == "admin/applications/application/workflow_confirm.html"
    page = response.content.decode()
    assert first.receipt_number in page and second.receipt_number in page
    assert f'name="units_{first.pk}"' in page and 'name="reason"' in page
    first.refresh_from_db()
    assert first.status == Status.UNDER_REVIEW


def test_approve_through_the_confirmation_page_calls_the_service_and_writes_history(
    officer, officer_client, program
) -> None:
    application = application_in(program, Status.UNDER_REVIEW)
    response = officer_client.post(
        CHANGELIST,
        _confirm("approve", application, reason="Strong export plan", **{f"units_{application.pk}": 7_000_000}),
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.APPROVED
    assert application.decision_reason == "Strong export plan"
    last = application.history.last()
    assert (last.transition, last.from_status, last.to_status) == ("approve", Status.UNDER_REVIEW, Status.APPROVED)
    assert last.actor == officer
    assert last.note == "Strong export plan"
    assert Allocation.objects.get(application=application).units == 7_000_000
    program.refresh_from_db()
    assert program.allocated == 7_000_000
    assert ("success", "“Approve applications” was applied to 1 application.") in _messages(response)


def test_approve_without_a_reason_stays_on_the_page_and_changes_nothing(officer_client, program) -> None:
    application = application_in(program, Status.UNDER_REVIEW)
    response = officer_client.post(
        CHANGELIST, _confirm("approve", application, reason="  ", **{f"units_{application.pk}": "abc"})
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "reason" in form.errors and f"units_{application.pk}" in form.errors
    application.refresh_from_db()
    assert application.status == Status.UNDER_REVIEW


def test_action_on_an_application_in_the_wrong_state_reports_the_services_message(
    officer, officer_client, program
) -> None:
    application = application_in(program, Status.ELIGIBLE)
    history_before = application.history.count()
    with translation.override("en"), pytest.raises(ApplicationError) as refusal:
        application_approve(application=application, actor=officer, units=1_000_000, reason="x")
    response = officer_client.post(
        CHANGELIST,
        _confirm("approve", application, reason="Looks good", **{f"units_{application.pk}": 1_000_000}),
    )
    assert response.status_code == 302
    assert ("error", f"{application}: {refusal.value.message}") in _messages(response)
    assert not any(level == "success" for level, _ in _messages(response))
    application.refresh_from_db()
    assert application.status == Status.ELIGIBLE
    assert application.history.count() == history_before
    assert not Allocation.objects.filter(application=application).exists()


def test_a_mixed_selection_moves_what_it_can_and_reports_the_rest(officer_client, program) -> None:
    ready = application_in(program, Status.UNDER_REVIEW)
    not_ready = application_in(program, Status.SUBMITTED)
    response = officer_client.post(CHANGELIST, _confirm("reject", ready, not_ready, reason="Out of scope"))
    assert response.status_code == 302
    ready.refresh_from_db()
    not_ready.refresh_from_db()
    assert ready.status == Status.REJECTED
    assert not_ready.status == Status.SUBMITTED
    messages = _messages(response)
    assert ("success", "“Reject applications” was applied to 1 application.") in messages
    assert next(text for level, text in messages if level == "error").startswith(f"{not_ready}: ")


def test_capacity_refusal_is_reported_per_application(officer_client, program) -> None:
    program.capacity = 12_000_000
    program.save(update_fields=["capacity"])
    first = application_in(program, Status.UNDER_REVIEW)
    second = application_in(program, Status.UNDER_REVIEW)
    response = officer_client.post(
        CHANGELIST,
        _confirm(
            "approve",
            first,
            second,
            reason="Both good",
            **{f"units_{first.pk}": 10_000_000, f"units_{second.pk}": 10_000_000},
        ),
    )
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (Status.APPROVED, Status.UNDER_REVIEW)
    assert any(level == "error" for level, _ in _messages(response))
    program.refresh_from_db()
    assert program.allocated == 10_000_000


def test_start_review_needs_no_input_and_runs_at_once(officer, officer_client, program) -> None:
    application = application_in(program, Status.ELIGIBLE)
    response = officer_client.post(CHANGELIST, _select("start_review", application))
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.UNDER_REVIEW
    assert application.history.last().actor == officer


def test_request_information_records_the_request_and_its_due_date(officer_client, program) -> None:
    application = application_in(program, Status.UNDER_REVIEW)
    due = timezone.localdate() + dt.timedelta(days=5)
    response = officer_client.post(
        CHANGELIST, _confirm("request_info", application, message="Send your quotation", due_on=due.isoformat())
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.INFO_REQUESTED
    request = InfoRequest.objects.get(application=application)
    assert (request.message, request.due_on) == ("Send your quotation", due)


def test_request_information_refuses_a_past_due_date_with_the_services_message(officer_client, program) -> None:
    """The due-date rule is the service's (as in the workspace and the API), reported per application."""
    application = application_in(program, Status.UNDER_REVIEW)
    past = timezone.localdate() - dt.timedelta(days=1)
    response = officer_client.post(
        CHANGELIST, _confirm("request_info", application, message="Send it", due_on=past.isoformat()), follow=True
    )
    assert response.status_code == 200
    assert any("The answer's due date cannot be in the past." in str(m) for m in response.context["messages"])
    application.refresh_from_db()
    assert application.status == Status.UNDER_REVIEW


@pytest.mark.parametrize(
    ("action", "start", "fields", "end"),
    [
        ("waitlist", Status.UNDER_REVIEW, {"reason": "Capacity"}, Status.WAITLISTED),
        ("reject", Status.UNDER_REVIEW, {"reason": "Weak plan"}, Status.REJECTED),
        ("override_eligibility", Status.INELIGIBLE, {"justification": "Checked by hand"}, Status.ELIGIBLE),
        ("cancel", Status.APPROVED, {"reason": "Firm closed"}, Status.CANCELLED),
        ("complete", Status.APPROVED, {"note": ""}, Status.COMPLETED),
    ],
)
def test_each_action_calls_its_service(officer_client, program, action, start, fields, end) -> None:
    if start == Status.INELIGIBLE:
        # Baseline rules fail for a sector the call does not target.
        program.target_sectors = ["games"]
        program.save(update_fields=["target_sectors"])
    application = application_in(program, start)
    response = officer_client.post(CHANGELIST, _confirm(action, application, **fields))
    assert response.status_code == 302, response.context and response.context["form"].errors
    application.refresh_from_db()
    assert application.status == end
    assert application.history.last().to_status == end


def test_cancel_returns_the_units_to_the_pool(officer_client, program) -> None:
    application = application_in(program, Status.APPROVED)
    program.refresh_from_db()
    assert program.allocated == APPROVED_UNITS
    officer_client.post(CHANGELIST, _confirm("cancel", application, reason="Firm closed"))
    program.refresh_from_db()
    assert program.allocated == 0


def test_officer_cannot_act_on_another_programs_application(officer_client, other_program) -> None:
    theirs = application_in(other_program, Status.UNDER_REVIEW)
    response = officer_client.post(CHANGELIST, _confirm("reject", theirs, reason="No"))
    # Outside the officer's queryset the selection is empty: nothing is shown or moved.
    assert response.status_code == 302
    assert [level for level, _ in _messages(response)] == ["warning"]
    theirs.refresh_from_db()
    assert theirs.status == Status.UNDER_REVIEW


def test_action_started_from_the_change_page_returns_there(officer_client, program) -> None:
    application = application_in(program, Status.ELIGIBLE)
    page = officer_client.get(f"{CHANGELIST}{application.pk}/change/")
    assert 'value="start_review"' in page.content.decode()
    response = officer_client.post(CHANGELIST, {**_select("start_review", application), "_workflow_from_change": "1"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"/admin/applications/application/{application.pk}/change/")
    application.refresh_from_db()
    assert application.status == Status.UNDER_REVIEW


def test_confirmation_page_renders_in_korean(officer_client, program) -> None:
    application = application_in(program, Status.UNDER_REVIEW)
    response = officer_client.post("/admin/applications/application/", _select("approve", application))
    assert response.status_code == 200
    assert response.wsgi_request.LANGUAGE_CODE == "ko"
