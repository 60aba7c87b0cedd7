"""A client that lost the answer to a write retries it with the same ``Idempotency-Key`` and
gets the first answer, not a second write and not a 409 for the first."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.utils import timezone

from applications.models import Application
from applications.workflow import Status
from sme_support.models import IdempotentRequest
from sme_support.tasks import prune_idempotency_keys
from tests.api.conftest import World, client_for, error_of
from tests.factories import ProgramFactory

APPLICATIONS = "/api/v1/applications/"


def _post(client: Any, url: str, data: dict[str, Any] | None = None, *, key: str | None = None) -> Any:
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(url, data or {}, format="json", **headers)


def _withdraw_url(application: Application) -> str:
    return f"{APPLICATIONS}{application.pk}/withdraw/"


def test_a_retried_create_returns_the_first_answer_and_creates_one_application(world: World) -> None:
    client = world.client("firm")
    program = ProgramFactory()
    key = str(uuid.uuid4())
    data = {"program": program.pk, "requested_units": 5_000_000}

    first = _post(client, APPLICATIONS, data, key=key)
    again = _post(client, APPLICATIONS, data, key=key)

    assert first.status_code == again.status_code == 201, first.content
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Application.objects.filter(program=program, firm=world.firm_a).count() == 1


def test_without_a_key_the_retried_create_is_refused_as_a_duplicate(world: World) -> None:
    # The control: what a client without a key gets for the same retry.
    client = world.client("firm")
    program = ProgramFactory()
    data = {"program": program.pk, "requested_units": 5_000_000}
    assert _post(client, APPLICATIONS, data).status_code == 201
    assert _post(client, APPLICATIONS, data).status_code == 409


def test_a_retried_withdrawal_answers_200_again_not_409(world: World) -> None:
    client = world.client("firm")
    key = str(uuid.uuid4())

    first = _post(client, _withdraw_url(world.app_aa), {"note": "plans changed"}, key=key)
    again = _post(client, _withdraw_url(world.app_aa), {"note": "plans changed"}, key=key)

    assert first.status_code == again.status_code == 200
    assert again.json()["status"] == first.json()["status"] == Status.WITHDRAWN
    assert [h["transition"] for h in again.json()["history"]].count("withdraw") == 1
    # Without the key, the second withdrawal is the conflict it always was.
    assert _post(client, _withdraw_url(world.app_aa), {"note": "plans changed"}).status_code == 409


def test_a_refusal_is_kept_and_replayed_too(world: World) -> None:
    client = world.client("firm")
    world.app_aa.status = Status.WITHDRAWN
    Application.objects.filter(pk=world.app_aa.pk).update(status=Status.WITHDRAWN)
    key = str(uuid.uuid4())

    first = _post(client, _withdraw_url(world.app_aa), {"note": "x"}, key=key)
    again = _post(client, _withdraw_url(world.app_aa), {"note": "x"}, key=key)

    assert first.status_code == again.status_code == 409
    assert again.json() == first.json()


def test_the_same_key_for_another_request_is_422(world: World) -> None:
    client = world.client("firm")
    key = str(uuid.uuid4())
    assert (
        _post(client, APPLICATIONS, {"program": ProgramFactory().pk, "requested_units": 1_000}, key=key).status_code
        == 201
    )

    response = _post(client, APPLICATIONS, {"program": ProgramFactory().pk, "requested_units": 1_000}, key=key)

    assert response.status_code == 422
    assert error_of(response)["code"] == "idempotency_key_reused"


@pytest.mark.parametrize("key", ["", " padded ", "x" * 256, "tab\there"])
def test_a_malformed_key_is_400(world: World, key: str) -> None:
    response = _post(world.client("firm"), _withdraw_url(world.app_aa), {"note": "x"}, key=key)
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid"
    assert Application.objects.get(pk=world.app_aa.pk).status != Status.WITHDRAWN


def test_keys_belong_to_their_user(world: World) -> None:
    key = "same-key"
    first = _post(
        world.client("firm"), APPLICATIONS, {"program": ProgramFactory().pk, "requested_units": 1_000}, key=key
    )
    other = _post(
        client_for(world.user_b), APPLICATIONS, {"program": ProgramFactory().pk, "requested_units": 1_000}, key=key
    )
    assert first.status_code == other.status_code == 201
    assert other.json()["id"] != first.json()["id"]
    assert "Idempotent-Replayed" not in other


def test_a_request_without_a_key_keeps_nothing(world: World) -> None:
    _post(world.client("firm"), _withdraw_url(world.app_aa), {"note": "x"})
    assert not IdempotentRequest.objects.exists()


def test_expired_keys_are_forgotten(world: World, settings: Any) -> None:
    client = world.client("firm")
    key = str(uuid.uuid4())
    _post(client, _withdraw_url(world.app_aa), {"note": "x"}, key=key)
    old = timezone.now() - dt.timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS, minutes=1)
    IdempotentRequest.objects.update(created_at=old)

    # Past its lifetime the key runs the request afresh: here, a withdrawal refused.
    assert _post(client, _withdraw_url(world.app_aa), {"note": "x"}, key=key).status_code == 409
    IdempotentRequest.objects.update(created_at=old)
    assert prune_idempotency_keys.apply().get() == 1  # beat's nightly job
    assert not IdempotentRequest.objects.exists()
