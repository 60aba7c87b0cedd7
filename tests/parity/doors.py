"""The four doors an officer's action comes through, as adapters the parity tests drive the
same way: the workspace page, the REST API with a session, the REST API with a token, and
an admin action. Each turns the door's own way of answering into an ``Outcome``: applied,
not found (the door does not show the row to this user), or refused with the message the
person read."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.messages import constants
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from applications.admin.actions import CONFIRM_FIELD as WORKFLOW_CONFIRM
from applications.admin.decisions import SIGN_OFF_CONFIRM_FIELD
from applications.admin.notes import CONFIRM_FIELD as NOTE_CONFIRM
from applications.models import Application

# The admin's ways of not showing a row to this user: outside their scope, or an action it does
# not offer them at all.
ADMIN_NOT_FOUND = ("None of the selected applications can be found.", "None of the selected requests can be found.",
                   "None of the selected rows can be found.", "No action selected.")  # fmt: skip


@dataclass
class Outcome:
    applied: bool = False
    not_found: bool = False
    message: str = ""
    status: int = 0
    code: str = ""

    def __str__(self) -> str:
        if self.applied:
            return "applied"
        return "not found" if self.not_found else f"refused ({self.status} {self.code}): {self.message}"


@dataclass(frozen=True)
class Call:
    """One action as each door asks for it; a door the action has no entry in is ``None``."""

    # Workspace: URL name (takes the application's pk, plus ``page_args``) and the form data.
    page: str | None
    page_data: dict[str, Any] = field(default_factory=dict)
    page_args: tuple[Any, ...] = ()
    # API: path under /api/v1/ (formatted with ``pk`` and ``report``) and the JSON body.
    api: str | None = None
    api_data: dict[str, Any] = field(default_factory=dict)
    # Admin: the changelist (app_label/model), the action, its confirm field, the form data, and
    # which row is selected (the application by default).
    admin: tuple[str, str, str] | None = None
    admin_data: Callable[[Application], dict[str, Any]] = lambda application: {}
    admin_row: Callable[[Application], Any] = lambda application: application


def _text(response: Any) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


class Workspace:
    name = "workspace"

    def run(self, call: Call, application: Application, actor: Any) -> Outcome:
        assert call.page is not None
        client = Client()
        client.force_login(actor)
        response = client.post(reverse(call.page, args=[application.pk, *call.page_args]), call.page_data)
        if response.status_code == 302:
            return Outcome(applied=True, status=302)
        if response.status_code == 404:
            return Outcome(not_found=True, status=404)
        assert response.status_code == 400, (response.status_code, _text(response)[:500])
        return Outcome(message=" ".join(response.context["failed_errors"]), status=400)


class _Api:
    name = "api"

    def client_for(self, actor: Any) -> APIClient:
        raise NotImplementedError

    def run(self, call: Call, application: Application, actor: Any) -> Outcome:
        assert call.api is not None
        report = getattr(application, "outcome_report", None)
        path = "/api/v1/" + call.api.format(pk=application.pk, report=report.pk if report else 0)
        response = self.client_for(actor).post(path, call.api_data, format="json")
        if response.status_code in (200, 201, 202):
            return Outcome(applied=True, status=response.status_code)
        if response.status_code == 404:
            return Outcome(not_found=True, status=404)
        error = response.json()["error"]
        return Outcome(message=error["message"], status=response.status_code, code=error["code"])


class ApiSession(_Api):
    name = "api-session"

    def client_for(self, actor: Any) -> APIClient:
        client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(actor)
        return client


class ApiToken(_Api):
    name = "api-token"

    def client_for(self, actor: Any) -> APIClient:
        token, _ = Token.objects.get_or_create(user=actor)
        client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client


class Admin:
    name = "admin"

    def run(self, call: Call, application: Application, actor: Any) -> Outcome:
        assert call.admin is not None
        changelist, action, confirm = call.admin
        client = Client()
        client.force_login(actor)
        row = call.admin_row(application)
        data = {"action": action, "_selected_action": [str(row.pk)], confirm: "1", **call.admin_data(application)}
        app_label, model = changelist.split("/")
        response = client.post(reverse(f"admin:{app_label}_{model}_changelist"), data, follow=True)
        assert response.status_code in (200, 403), response.status_code
        if response.status_code == 403:
            return Outcome(not_found=True, status=403)
        notes = list(response.context["messages"]) if response.context and "messages" in response.context else []
        errors = [str(m) for m in notes if m.level >= constants.WARNING]
        if any(message in ADMIN_NOT_FOUND for message in errors):
            return Outcome(not_found=True, status=200)
        if errors:
            # "<row>: <the service's message>"
            return Outcome(message=" ".join(e.split(": ", 1)[-1] for e in errors), status=200)
        if not any(m.level == constants.SUCCESS for m in notes):
            # The action was not even offered to this user (no permission): the row stays as it was.
            return Outcome(not_found=True, status=200)
        return Outcome(applied=True, status=200)


DOORS = (Workspace(), ApiSession(), ApiToken(), Admin())
WORKFLOW, SIGN_OFF, NOTE = WORKFLOW_CONFIRM, SIGN_OFF_CONFIRM_FIELD, NOTE_CONFIRM
