"""Workflow transitions as admin actions on applications.

An action that needs input (a reason, units, a due date) first shows a confirmation page
listing the selected applications; on submit it calls the service once per application.
Nothing here decides whether a move is allowed: the services and the workflow table do.
Decisions (approve, waitlist, reject) go through ``applications.decisions.decision_request``,
as in the officer workspace and the API, so the sign-off threshold and the scores rule hold
here too: an approval above the threshold is sent for a manager's sign-off, not applied.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from applications.admin.forms import (
    ApproveForm,
    JustificationForm,
    OptionalNoteForm,
    ReasonForm,
    ReduceGrantForm,
    RequestInfoForm,
    TransitionForm,
)
from applications.casework.services import (
    application_override_eligibility,
    application_request_info,
    application_start_review,
)
from applications.decisions.grants import application_cancel, application_complete, application_reduce_grant
from applications.decisions.services import DecisionOutcome, decision_request
from applications.models import Application
from applications.workflow import TRANSITIONS, ActorKind, Status, transitions_from
from sme_support.errors import DomainError

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

CONFIRM_FIELD = "_workflow_confirm"
FROM_CHANGE_FIELD = "_workflow_from_change"


@dataclass(frozen=True)
class WorkflowAction:
    """One admin action: the transition it fires, what it asks first, and the service call."""

    name: str
    description: StrOrPromise
    title: StrOrPromise
    form_class: type[TransitionForm] | None
    run: Callable[[Application, Any, Any], Any]


WORKFLOW_ACTIONS: dict[str, WorkflowAction] = {
    action.name: action
    for action in (
        WorkflowAction(
            "start_review",
            _("Start review of the selected applications"),
            _("Start review"),
            None,
            lambda app, actor, form: application_start_review(application=app, actor=actor),
        ),
        WorkflowAction(
            "request_info",
            _("Request information from the selected applicants…"),
            _("Request information"),
            RequestInfoForm,
            lambda app, actor, form: application_request_info(
                application=app,
                actor=actor,
                message=form.cleaned_data["message"],
                due_on=form.cleaned_data["due_on"],
            ),
        ),
        WorkflowAction(
            "approve",
            _("Approve the selected applications…"),
            _("Approve applications"),
            ApproveForm,
            lambda app, actor, form: decision_request(
                application=app,
                actor=actor,
                decision="approve",
                units=form.units_for(app),
                reason=form.cleaned_data["reason"],
            ),
        ),
        WorkflowAction(
            "waitlist",
            _("Waitlist the selected applications…"),
            _("Waitlist applications"),
            ReasonForm,
            lambda app, actor, form: decision_request(
                application=app, actor=actor, decision="waitlist", reason=form.cleaned_data["reason"]
            ),
        ),
        WorkflowAction(
            "reject",
            _("Reject the selected applications…"),
            _("Reject applications"),
            ReasonForm,
            lambda app, actor, form: decision_request(
                application=app, actor=actor, decision="reject", reason=form.cleaned_data["reason"]
            ),
        ),
        WorkflowAction(
            "override_eligibility",
            _("Override eligibility of the selected applications…"),
            _("Override eligibility"),
            JustificationForm,
            lambda app, actor, form: application_override_eligibility(
                application=app, actor=actor, justification=form.cleaned_data["justification"]
            ),
        ),
        WorkflowAction(
            "cancel",
            _("Cancel the selected approved applications…"),
            _("Cancel applications"),
            ReasonForm,
            lambda app, actor, form: application_cancel(
                application=app, actor=actor, reason=form.cleaned_data["reason"]
            ),
        ),
        WorkflowAction(
            "complete",
            _("Complete the selected approved applications…"),
            _("Complete applications"),
            OptionalNoteForm,
            lambda app, actor, form: application_complete(application=app, actor=actor, note=form.cleaned_data["note"]),
        ),
        WorkflowAction(
            "reduce_grant",
            _("Reduce the grant of the selected approved applications…"),
            _("Reduce grants"),
            ReduceGrantForm,
            lambda app, actor, form: application_reduce_grant(
                application=app, actor=actor, units=form.units_for(app), reason=form.cleaned_data["reason"]
            ),
        ),
    )
}
# Actions that change a grant without moving the application: offered on an approved one.
_GRANT_ACTIONS = ("reduce_grant",)


def _make_admin_action(action: WorkflowAction) -> Callable[..., HttpResponse | None]:
    def admin_action(
        modeladmin: WorkflowActionsMixin, request: HttpRequest, queryset: QuerySet[Application]
    ) -> HttpResponse | None:
        return modeladmin.run_workflow_action(request, queryset, action)

    admin_action.__name__ = action.name
    return admin.action(description=action.description, permissions=["change"])(admin_action)


def available_actions(application: Application) -> list[WorkflowAction]:
    """The actions an officer could fire from this status; the service still decides."""
    actions = [
        WORKFLOW_ACTIONS[t.name]
        for t in transitions_from(application.status)
        if t.name in WORKFLOW_ACTIONS and ActorKind.OFFICER in t.actors
    ]
    if application.status == Status.APPROVED:
        actions += [WORKFLOW_ACTIONS[name] for name in _GRANT_ACTIONS]
    return actions


class WorkflowActionsMixin(admin.ModelAdmin):
    """For ``ApplicationAdmin``: the actions, and a workflow box on the change page."""

    actions = [_make_admin_action(action) for action in WORKFLOW_ACTIONS.values()]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra_context = dict(extra_context or {})
        application = self.get_object(request, object_id) if self.has_change_permission(request) else None
        if application is not None:
            extra_context["workflow_actions"] = [
                (action.name, TRANSITIONS[action.name].label if action.name in TRANSITIONS else action.title)
                for action in available_actions(application)
            ]
            extra_context["workflow_action_checkbox_name"] = helpers.ACTION_CHECKBOX_NAME
            extra_context["workflow_from_change_field"] = FROM_CHANGE_FIELD
        return super().change_view(request, object_id, form_url, extra_context)

    def run_workflow_action(
        self, request: HttpRequest, queryset: QuerySet[Application], action: WorkflowAction
    ) -> HttpResponse | None:
        """Ask for the action's input on a confirmation page, then call the service once per
        application. Each call is its own transaction: one refusal (wrong state, capacity
        used up) is reported with the service's message and does not undo the others."""
        applications = list(queryset.order_by("pk"))
        if not applications:
            # The selection lay outside what this user may see (the queryset is scoped).
            self.message_user(request, gettext("None of the selected applications can be found."), messages.WARNING)
            return None
        form: BaseForm | None = None
        if action.form_class is not None:
            confirmed = CONFIRM_FIELD in request.POST
            form = action.form_class(request.POST if confirmed else None, applications=applications)
            if not confirmed or not form.is_valid():
                return self._confirmation_page(request, action, form)

        moved = 0
        awaiting = 0
        for application in applications:
            try:
                result = action.run(application, request.user, form)
            except DomainError as error:
                self.message_user(
                    request,
                    gettext("%(application)s: %(message)s") % {"application": application, "message": error.message},
                    messages.ERROR,
                )
                continue
            if isinstance(result, DecisionOutcome) and not result.applied:
                # Above the sign-off threshold: recorded as a request, the application unchanged.
                awaiting += 1
                self.message_user(
                    request,
                    gettext("%(application)s: %(message)s") % {"application": application, "message": result.message},
                    messages.WARNING,
                )
            else:
                moved += 1
        if awaiting:
            self.message_user(
                request,
                ngettext(
                    "%(count)d application was sent for a manager's sign-off; it stays as it is until a manager "
                    "signs it off.",
                    "%(count)d applications were sent for a manager's sign-off; they stay as they are until a "
                    "manager signs them off.",
                    awaiting,
                )
                % {"count": awaiting},
                messages.WARNING,
            )
        if moved:
            self.message_user(
                request,
                ngettext(
                    "“%(action)s” was applied to %(count)d application.",
                    "“%(action)s” was applied to %(count)d applications.",
                    moved,
                )
                % {"action": action.title, "count": moved},
                messages.SUCCESS,
            )
        if FROM_CHANGE_FIELD in request.POST and len(applications) == 1:
            return HttpResponseRedirect(reverse("admin:applications_application_change", args=[applications[0].pk]))
        return None

    def _confirmation_page(self, request: HttpRequest, action: WorkflowAction, form: TransitionForm) -> HttpResponse:
        rows = list(form.rows())
        context = {
            **self.admin_site.each_context(request),
            "title": action.title,
            "opts": self.opts,
            "action": action,
            "form": form,
            "rows": rows,
            "has_row_fields": any(row.field is not None for row in rows),
            "media": self.media + form.media,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "confirm_field": CONFIRM_FIELD,
            "from_change_field": FROM_CHANGE_FIELD,
            "from_change": FROM_CHANGE_FIELD in request.POST,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/applications/application/workflow_confirm.html", context)
