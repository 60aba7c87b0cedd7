"""Writes go through the application services, and its refusals come back as 400/403/409 in
the API's error shape."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from applications.models import Allocation, Application
from applications.workflow import Status
from sme_support.roles import Role
from tests.api.conftest import World, client_for, error_of
from tests.factories import ApplicationFactory, FirmFactory, ProgramFactory, assign_officer, firm_user, user_in_group

pytestmark = pytest.mark.django_db


def post(client: Any, application: Application, action: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(f"/api/v1/applications/{application.pk}/{action}/", data or {}, format="json")


def set_status(application: Application, status: str) -> Application:
    Application.objects.filter(pk=application.pk).update(status=status, submitted_at=timezone.now())
    application.refresh_from_db()
    return application


# --- Firm staff ---------------------------------------------------------------------------


def test_firm_staff_create_a_draft_for_their_own_firm(world: World) -> None:
    program = ProgramFactory()
    response = world.client("firm").post(
        "/api/v1/applications/",
        {"program": program.pk, "requested_units": 5_000_000, "answers": {"plan": "Paris fair"}},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft"
    assert body["firm"]["id"] == world.firm_a.pk
    assert body["program"]["id"] == program.pk
    assert body["answers"] == {"plan": "Paris fair"}
    assert body["history"] == [] and body["decision"] is None and body["allocation"] is None
    application = Application.objects.get(pk=body["id"])
    assert application.created_by == world.user_a


def test_a_second_live_application_to_the_same_program_is_409(world: World) -> None:
    response = world.client("firm").post(
        "/api/v1/applications/", {"program": world.program_a.pk, "requested_units": 1_000}, format="json"
    )
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "duplicate_application"
    assert "already" in error["message"]


def test_applying_to_a_closed_call_is_409(world: World) -> None:
    closed = ProgramFactory(
        opens_at=timezone.now() - dt.timedelta(days=30), closes_at=timezone.now() - dt.timedelta(days=1)
    )
    response = world.client("firm").post(
        "/api/v1/applications/", {"program": closed.pk, "requested_units": 1_000}, format="json"
    )
    assert response.status_code == 409
    assert error_of(response)["code"] == "call_closed"


def test_asking_above_the_per_firm_cap_is_400(world: World) -> None:
    program = ProgramFactory(per_firm_cap=1_000)
    response = world.client("firm").post(
        "/api/v1/applications/", {"program": program.pk, "requested_units": 1_001}, format="json"
    )
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid_units"


def test_create_input_errors_name_the_fields(world: World) -> None:
    response = world.client("firm").post("/api/v1/applications/", {"requested_units": 0}, format="json")
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"program", "requested_units"}
    response = world.client("firm").post(
        "/api/v1/applications/", {"program": 999_999_999, "requested_units": 1}, format="json"
    )
    assert set(error_of(response)["fields"]) == {"program"}


def test_malformed_json_is_400(world: World) -> None:
    response = world.client("firm").post("/api/v1/applications/", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert error_of(response)["code"] == "parse_error"


def test_firm_staff_edit_their_draft_but_not_a_submitted_one(world: World) -> None:
    client = world.client("firm")
    response = client.patch(f"/api/v1/applications/{world.app_aa.pk}/", {"requested_units": 7_000_000}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["requested_units"] == 7_000_000
    set_status(world.app_aa, Status.SUBMITTED)
    response = client.patch(f"/api/v1/applications/{world.app_aa.pk}/", {"requested_units": 1}, format="json")
    assert response.status_code == 409
    assert error_of(response)["code"] == "transition_not_allowed"


def test_put_is_not_offered(world: World) -> None:
    response = world.client("firm").put(f"/api/v1/applications/{world.app_aa.pk}/", {}, format="json")
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"


def test_submit_and_withdraw(world: World) -> None:
    client = world.client("firm")
    response = post(client, world.app_aa, "submit")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "submitted"
    assert body["receipt_number"].startswith("R2026-")
    assert [h["to_status"] for h in body["history"]] == ["submitted"]
    assert body["history"][0]["actor_kind"] == "firm"
    response = post(client, world.app_aa, "withdraw", {"note": "changed plans"})
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    assert response.json()["history"][-1]["note"] == "changed plans"
    response = post(client, world.app_aa, "submit")
    assert response.status_code == 409
    assert error_of(response)["code"] == "transition_not_allowed"


# --- Officers -----------------------------------------------------------------------------


def test_officer_reviews_and_approves_within_capacity(world: World) -> None:
    officer = world.client("officer")
    application = set_status(world.app_ba, Status.ELIGIBLE)
    assert post(officer, application, "start-review").json()["status"] == "under_review"
    response = post(officer, application, "request-info", {"message": "Send the quotation", "due_on": None})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "info_requested"
    assert application.info_requests.get().message == "Send the quotation"
    set_status(application, Status.UNDER_REVIEW)

    response = post(officer, application, "approve", {"units": application.requested_units + 1, "reason": "ok"})
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid_units"

    response = post(officer, application, "approve", {"units": 4_000_000, "reason": "Strong plan"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "approved"
    assert body["decision"]["reason"] == "Strong plan" and body["decision"]["status"] == "approved"
    assert body["allocation"] == {
        "units": 4_000_000,
        "granted_at": body["allocation"]["granted_at"],
        "released_at": None,
        "is_live": True,
    }
    world.program_a.refresh_from_db()
    assert world.program_a.allocated == 4_000_000

    response = post(officer, application, "cancel", {"reason": "Firm closed"})
    assert response.status_code == 200
    assert response.json()["allocation"]["is_live"] is False
    world.program_a.refresh_from_db()
    assert world.program_a.allocated == 0


def test_approving_beyond_the_remaining_capacity_is_409(world: World) -> None:
    program = ProgramFactory(capacity=10_000_000, per_firm_cap=10_000_000)
    officer = user_in_group(Role.OFFICER)
    assign_officer(program, officer)
    first = set_status(ApplicationFactory(program=program, requested_units=8_000_000), Status.UNDER_REVIEW)
    second = set_status(ApplicationFactory(program=program, requested_units=8_000_000), Status.UNDER_REVIEW)
    client = client_for(officer)
    assert post(client, first, "approve", {"units": 8_000_000, "reason": "first"}).status_code == 200
    response = post(client, second, "approve", {"units": 8_000_000, "reason": "second"})
    assert response.status_code == 409
    assert error_of(response)["code"] == "capacity_exceeded"
    second.refresh_from_db()
    assert second.status == Status.UNDER_REVIEW
    assert not Allocation.objects.filter(application=second).exists()


def test_waitlist_reject_complete_and_override(world: World) -> None:
    officer = world.client("officer")
    application = set_status(world.app_ba, Status.UNDER_REVIEW)
    assert post(officer, application, "waitlist", {"reason": "Full"}).json()["status"] == "waitlisted"
    assert post(officer, application, "reject", {"reason": "Call closed out"}).json()["status"] == "rejected"

    other = set_status(ApplicationFactory(program=world.program_a), Status.INELIGIBLE)
    response = post(officer, other, "override-eligibility", {"justification": "Sector rule misread"})
    assert response.status_code == 200
    assert response.json()["status"] == "eligible"

    third = set_status(ApplicationFactory(program=world.program_a), Status.UNDER_REVIEW)
    post(officer, third, "approve", {"units": 1_000, "reason": "ok"})
    response = post(officer, third, "complete", {"note": "Report accepted"})
    assert response.json()["status"] == "completed"


def test_a_decision_needs_a_reason(world: World) -> None:
    application = set_status(world.app_ba, Status.UNDER_REVIEW)
    response = post(world.client("officer"), application, "reject", {})
    assert response.status_code == 400
    assert set(error_of(response)["fields"]) == {"reason"}
    response = post(world.client("officer"), application, "approve", {"units": "many", "reason": "x"})
    assert set(error_of(response)["fields"]) == {"units"}


def test_a_transition_from_the_wrong_state_is_409(world: World) -> None:
    response = post(world.client("officer"), world.app_aa, "approve", {"units": 1, "reason": "x"})
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "transition_not_allowed"
    assert "Draft" in error["message"]


def test_an_information_request_due_in_the_past_is_400(world: World) -> None:
    application = set_status(world.app_ba, Status.UNDER_REVIEW)
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    response = post(world.client("officer"), application, "request-info", {"message": "x", "due_on": yesterday})
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid_input"


def test_firm_staff_cannot_approve_their_own_application(world: World) -> None:
    application = set_status(world.app_aa, Status.UNDER_REVIEW)
    response = post(world.client("firm"), application, "approve", {"units": 1, "reason": "mine"})
    assert response.status_code == 403
    assert error_of(response)["code"] == "not_permitted"


def test_staff_of_a_firm_without_membership_cannot_create(db: Any) -> None:
    loose = user_in_group(Role.SME_STAFF)
    response = client_for(loose).post(
        "/api/v1/applications/", {"program": ProgramFactory().pk, "requested_units": 1}, format="json"
    )
    assert response.status_code == 403


def test_the_detail_shows_history_eligibility_decision_allocation_and_report(world: World) -> None:
    Application.objects.filter(pk=world.app_cb.pk).update(
        eligibility_results=[
            {"rule": "sme", "passed": True, "reason": {"ko": "중소기업입니다.", "en": "Your firm is an SME."}}
        ]
    )
    body = world.client("manager").get(f"/api/v1/applications/{world.app_cb.pk}/").json()
    assert body["status"] == "completed"
    assert body["eligibility_results"][0]["rule"] == "sme"
    assert body["decision"]["status"] == "completed"
    assert body["allocation"]["units"] == 2
    assert body["outcome_report"]["contracts_usd"] == 20_000
    assert body["outcome_report"]["status"] == "accepted"


def test_session_writes_need_the_csrf_token(world: World) -> None:
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world.user_a)
    response = client.post(f"/api/v1/applications/{world.app_aa.pk}/submit/")
    assert response.status_code == 403
    assert "CSRF" in error_of(response)["message"]


def test_token_authentication_works_without_csrf(world: World) -> None:
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    token = Token.objects.create(user=world.user_a)
    client = APIClient(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.post(f"/api/v1/applications/{world.app_aa.pk}/submit/").status_code == 200
    bad = APIClient(HTTP_AUTHORIZATION="Token not-a-real-key")
    response = bad.get("/api/v1/applications/")
    assert response.status_code == 401
    assert error_of(response)["code"] == "authentication_failed"


def test_firm_user_of_two_staff_sees_the_same_firm(db: Any) -> None:
    firm = FirmFactory()
    first, second = firm_user(firm), firm_user(firm)
    application = ApplicationFactory(firm=firm)
    for user in (first, second):
        assert client_for(user).get(f"/api/v1/applications/{application.pk}/").status_code == 200
