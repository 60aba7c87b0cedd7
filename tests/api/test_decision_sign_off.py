"""Decisions over the API go through decision_request: an approval above the program's
threshold is 202 with the pending sign-off (and changes nothing), and a manager other than
the one who asked signs it off or refuses it with POST …/sign-off/."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from applications.models import Allocation, Application, DecisionPolicy, DecisionSignOff
from applications.workflow import Status
from sme_support.roles import Role
from tests.api.conftest import World, client_for, error_of
from tests.factories import user_in_group

pytestmark = pytest.mark.django_db


def post(client: Any, application: Application, action: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(f"/api/v1/applications/{application.pk}/{action}/", data or {}, format="json")


@pytest.fixture
def world_with_threshold(world: World) -> World:
    # Program A grants above 5,000,000 KRW only with a manager's sign-off.
    DecisionPolicy.objects.create(program=world.program_a, sign_off_threshold_krw=5_000_000)
    return world


def test_an_approval_above_the_threshold_is_202_with_the_pending_sign_off(world_with_threshold: World) -> None:
    world = world_with_threshold
    response = post(world.client("officer"), world.app_ba, "approve", {"units": 8_000_000, "reason": "Strong plan"})

    assert response.status_code == 202, response.content
    body = response.json()
    assert set(body) == {"message", "sign_off"}
    assert "5,000,000 KRW threshold" in body["message"]
    sign_off = body["sign_off"]
    assert sign_off["application"] == world.app_ba.pk
    assert (sign_off["decision"], sign_off["status"], sign_off["units"]) == ("approve", "pending", 8_000_000)
    assert (sign_off["amount_krw"], sign_off["threshold_krw"]) == (8_000_000, 5_000_000)
    assert sign_off["requested_by"] == world.officer.username
    assert sign_off["signed_by"] is None and sign_off["signed_at"] is None
    assert sign_off["reason"] == "Strong plan"

    world.app_ba.refresh_from_db()
    assert world.app_ba.status == Status.UNDER_REVIEW
    assert not Allocation.objects.filter(application=world.app_ba).exists()
    world.program_a.refresh_from_db()
    assert world.program_a.allocated == 0
    assert DecisionSignOff.objects.get().pk == sign_off["id"]


def test_an_approval_within_the_threshold_is_200_and_applied(world_with_threshold: World) -> None:
    world = world_with_threshold
    response = post(world.client("officer"), world.app_ba, "approve", {"units": 5_000_000, "reason": "ok"})
    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    assert not DecisionSignOff.objects.exists()


def test_a_decision_while_one_waits_for_sign_off_is_409(world_with_threshold: World) -> None:
    world = world_with_threshold
    officer = world.client("officer")
    assert post(officer, world.app_ba, "approve", {"units": 8_000_000, "reason": "big"}).status_code == 202
    response = post(officer, world.app_ba, "reject", {"reason": "changed my mind"})
    assert response.status_code == 409
    assert error_of(response)["code"] == "sign_off_pending"
    world.app_ba.refresh_from_db()
    assert world.app_ba.status == Status.UNDER_REVIEW


def test_the_scores_rule_holds_over_the_api(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    DecisionPolicy.objects.create(program=world.program_a, requires_scores=True)
    scores: dict[int, Decimal] = {}
    monkeypatch.setattr("applications.decisions.services.program_scores", lambda *, program: scores)
    response = post(world.client("officer"), world.app_ba, "waitlist", {"reason": "Below the line"})
    assert response.status_code == 409
    assert error_of(response)["code"] == "scores_missing"
    scores[world.app_ba.pk] = Decimal("55")
    response = post(world.client("officer"), world.app_ba, "waitlist", {"reason": "Below the line"})
    assert response.status_code == 200
    assert response.json()["status"] == "waitlisted"


# --- Signing off ------------------------------------------------------------------------------


@pytest.fixture
def pending(world_with_threshold: World) -> World:
    response = post(
        world_with_threshold.client("officer"),
        world_with_threshold.app_ba,
        "approve",
        {"units": 8_000_000, "reason": "Big"},
    )
    assert response.status_code == 202
    return world_with_threshold


def test_another_manager_signs_off_and_the_approval_takes_effect(pending: World) -> None:
    world = pending
    response = post(world.client("manager"), world.app_ba, "sign-off", {"approve": True, "note": "Budget confirmed"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["applied"] is True
    assert body["sign_off"]["status"] == "signed"
    assert body["sign_off"]["signed_by"] == world.manager.username
    assert body["sign_off"]["note"] == "Budget confirmed"
    assert body["application"]["status"] == "approved"
    assert body["application"]["allocation"]["units"] == 8_000_000
    world.program_a.refresh_from_db()
    assert world.program_a.allocated == 8_000_000


def test_the_manager_who_asked_cannot_sign_off(world_with_threshold: World) -> None:
    world = world_with_threshold
    manager = world.client("manager")
    response = post(manager, world.app_ba, "approve", {"units": 8_000_000, "reason": "Mine"})
    assert response.status_code == 202
    assert response.json()["sign_off"]["requested_by"] == world.manager.username

    response = post(manager, world.app_ba, "sign-off", {"approve": True})
    assert response.status_code == 403
    error = error_of(response)
    assert error["code"] == "not_permitted" and "four-eyes" in error["message"]
    world.app_ba.refresh_from_db()
    assert world.app_ba.status == Status.UNDER_REVIEW
    assert DecisionSignOff.objects.get().status == "pending"

    second = client_for(user_in_group(Role.MANAGER))
    assert post(second, world.app_ba, "sign-off", {"approve": True}).status_code == 200
    world.app_ba.refresh_from_db()
    assert world.app_ba.status == Status.APPROVED


@pytest.mark.parametrize("role", ["officer", "firm_b"])
def test_officers_and_firms_cannot_sign_off(pending: World, role: str) -> None:
    world = pending
    client = world.client("officer") if role == "officer" else client_for(world.user_b)
    response = post(client, world.app_ba, "sign-off", {"approve": True})
    assert response.status_code == 403
    assert error_of(response)["code"] == "not_permitted"
    assert DecisionSignOff.objects.get().status == "pending"


def test_refusing_needs_a_note(pending: World) -> None:
    world = pending
    manager = world.client("manager")
    response = post(manager, world.app_ba, "sign-off", {"approve": False})
    assert response.status_code == 400
    assert error_of(response)["code"] == "note_required"

    response = post(manager, world.app_ba, "sign-off", {"approve": False, "note": "Budget is earmarked"})
    assert response.status_code == 200
    body = response.json()
    assert body["applied"] is False
    assert body["sign_off"]["status"] == "refused"
    assert body["application"]["status"] == "under_review"


def test_signing_off_when_nothing_waits_is_409(world: World) -> None:
    response = post(world.client("manager"), world.app_ba, "sign-off", {"approve": True})
    assert response.status_code == 409
    assert error_of(response)["code"] == "transition_not_allowed"


def test_the_sign_off_input_is_validated(pending: World) -> None:
    response = post(pending.client("manager"), pending.app_ba, "sign-off", {"note": "x"})
    assert response.status_code == 400
    assert set(error_of(response)["fields"]) == {"approve"}


def test_capacity_short_at_signing_is_409_and_the_request_stays_pending(pending: World) -> None:
    world = pending
    world.program_a.capacity = 5_000_000
    world.program_a.save(update_fields=["capacity"])
    response = post(world.client("manager"), world.app_ba, "sign-off", {"approve": True})
    assert response.status_code == 409
    assert error_of(response)["code"] == "capacity_exceeded"
    assert DecisionSignOff.objects.get().status == "pending"


def test_the_schema_documents_the_202_and_the_sign_off_action(world: World) -> None:
    schema = world.client("manager").get("/api/schema/", HTTP_ACCEPT="application/json").json()
    approve = schema["paths"]["/api/v1/applications/{id}/approve/"]["post"]["responses"]
    assert approve["202"]["content"]["application/json"]["schema"]["$ref"].endswith("/DecisionPending")
    assert "200" in approve and "409" in approve
    sign_off = schema["paths"]["/api/v1/applications/{id}/sign-off/"]["post"]
    assert {"200", "400", "403", "404", "409"} <= set(sign_off["responses"])
    assert sign_off["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/SignOffInputRequest")
