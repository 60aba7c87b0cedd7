"""The application page of the workspace and the actions posted from it.

Every action re-reads the application in the user's scope (404 outside it), validates its
form, calls one service, and either redirects with a confirmation or shows the page again
with the service's refusal on the form (400).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from applications.casework.services import (
    application_override_eligibility,
    application_request_info,
    application_start_review,
    officer_message_send,
)
from applications.decisions.grants import application_cancel, application_complete, application_reduce_grant
from applications.decisions.services import DECISION_LABELS, Decision, decision_request, decision_sign_off
from applications.errors import NotPermitted, TransitionNotAllowed
from applications.models import Allocation, Application, DecisionSignOff, OutcomeFollowUp, OutcomeReport
from applications.outcomes.services import (
    outcome_followup_accept,
    outcome_followup_return,
    outcome_report_accept,
    outcome_report_return,
)
from applications.workflow import ActorKind, Status, transitions_from
from programs.models import OUTCOME_REPORTING_KINDS
from reviews.forms import (
    AssignForm,
    CancelGrantForm,
    CompleteForm,
    ConflictForm,
    DecisionForm,
    DeclineForm,
    FollowUpReviewForm,
    InfoRequestForm,
    MessageForm,
    OutcomeReviewForm,
    OverrideForm,
    ReduceGrantForm,
    SignOffForm,
)
from reviews.models import AssignmentStatus, ReviewAssignment
from reviews.selectors import history, is_overdue, program_officers, review_panel
from reviews.services import (
    ASSIGNABLE_STATUSES,
    SCORABLE_STATUSES,
    conflict_declare,
    has_conflict,
    may_assign_reviewers,
    review_assign,
    review_decline,
)
from reviews.views.access import OfficerRequest, application_or_404, officer_required
from sme_support.errors import DomainError
from sme_support.roles import is_manager

FORM_NAMES = (
    "reduce_form",
    "cancel_form",
    "complete_form",
    "info_form",
    "override_form",
    "decision_form",
    "message_form",
    "assign_form",
    "decline_form",
    "conflict_form",
    "outcome_form",
)


def _label(key: str) -> str:
    return key.replace("_", " ").strip().capitalize()


def _display(value: Any) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{_label(str(k))}: {_display(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_display(v) for v in value)
    if value is None or value == "":
        return "—"
    return str(value)


def answer_items(answers: Any) -> list[tuple[str, str]]:
    """The firm's answers as label/value pairs; ``kind`` only repeats the program's kind."""
    if not isinstance(answers, dict):
        return []
    return [(_label(str(key)), _display(value)) for key, value in answers.items() if key != "kind"]


def _officer_moves(status: str) -> set[str]:
    return {t.name for t in transitions_from(status) if ActorKind.OFFICER in t.actors}


def detail_context(request: OfficerRequest, application: Application, **bound: forms.Form) -> dict[str, Any]:
    user = request.user
    program = application.program
    firm = application.firm
    panel = review_panel(user=user, application=application)
    conflicted = has_conflict(reviewer=user, firm_id=firm.pk)
    moves = _officer_moves(application.status)
    decisions = [d for d in Decision if str(d) in moves]
    mine = panel.mine
    pending = (
        DecisionSignOff.objects.filter(application=application, status=DecisionSignOff.State.PENDING)
        .select_related("requested_by")
        .first()
    )
    outcome_report = (
        OutcomeReport.objects.filter(application=application).prefetch_related("new_countries", "followups").first()
    )
    allocation = Allocation.objects.filter(application=application, released_at=None).first()
    approved = application.status == Status.APPROVED and not conflicted
    context: dict[str, Any] = {
        "nav": "queue",
        "outcome_report": outcome_report,
        "can_review_outcome": bool(
            outcome_report and outcome_report.status == OutcomeReport.ReportStatus.SUBMITTED and not conflicted
        ),
        "outcome_form": OutcomeReviewForm(),
        "followups": [
            (followup, FollowUpReviewForm(prefix=f"followup{followup.months}"))
            for followup in (outcome_report.followups.all() if outcome_report else [])
        ],
        "can_review_followups": not conflicted,
        "allocation": allocation,
        "can_change_grant": bool(approved and allocation),
        "can_complete": approved and program.kind not in OUTCOME_REPORTING_KINDS,
        "reduce_form": ReduceGrantForm(initial={"units": allocation.units - 1 if allocation else None}),
        "cancel_form": CancelGrantForm(),
        "complete_form": CompleteForm(),
        "application": application,
        "program": program,
        "firm": firm,
        "markets": firm.markets_of_interest.all(),
        "ip_holdings": firm.ip_holdings.select_related("country"),
        "export_products": firm.export_products.all(),
        "eligibility": application.eligibility_results or [],
        "documents": application.documents.all(),
        "answers": answer_items(application.answers),
        "history": history(application=application),
        "thread": application.messages.select_related("author", "attachment", "info_request").order_by("created_at"),
        "info_requests": application.info_requests.select_related("requested_by", "answered_by"),
        "panel": panel,
        "overdue": is_overdue(application),
        "conflicted": conflicted,
        "can_start_review": "start_review" in moves,
        "can_request_info": "request_info" in moves,
        "can_override": "override_eligibility" in moves,
        "decisions": [] if conflicted else decisions,
        "can_assign": may_assign_reviewers(user=user, program=program) and application.status in ASSIGNABLE_STATUSES,
        "can_score": bool(
            mine
            and mine.status == AssignmentStatus.ASSIGNED
            and application.status in SCORABLE_STATUSES
            and not conflicted
        ),
        "can_decline": bool(mine and mine.status == AssignmentStatus.ASSIGNED),
        "can_message": application.status != Status.DRAFT,
        "pending_sign_off": pending,
        "can_sign_off": bool(pending and is_manager(user) and pending.requested_by_id != user.pk and not conflicted),
        "sign_off_form": SignOffForm(),
        "info_form": InfoRequestForm(),
        "override_form": OverrideForm(),
        "decision_form": DecisionForm(
            initial={"units": application.requested_units},
        ),
        "message_form": MessageForm(),
        "assign_form": AssignForm(officers=program_officers(program=program)),
        "decline_form": DeclineForm(),
        "conflict_form": ConflictForm(),
    }
    if decisions:
        context["decision_form"].fields["decision"].choices = [
            (str(d), label) for d, label in DECISION_LABELS.items() if d in decisions
        ]
    context.update(bound)
    return context


@officer_required
@require_GET
def application_detail(request: OfficerRequest, pk: int) -> HttpResponse:
    application = application_or_404(request, pk)
    return render(request, "reviews/application_detail.html", detail_context(request, application))


def _act(
    request: OfficerRequest,
    pk: int,
    *,
    name: str,
    make_form: Callable[[Application], forms.Form],
    perform: Callable[[Application, dict[str, Any]], str],
) -> HttpResponse:
    """Validate ``name``'s form, run ``perform`` (a service call returning the confirmation),
    and redirect; or show the page again with the errors."""
    application = application_or_404(request, pk)
    form = make_form(application)
    if form.is_valid():
        try:
            confirmation = perform(application, form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, confirmation)
            return redirect("reviews:application_detail", pk=application.pk)
    application.refresh_from_db()
    context = detail_context(request, application, **{name: form})
    context["failed_form"] = name
    # Shown at the top too: the form may sit in a closed section, or not be offered at all
    # to this user (a refusal must still be read).
    context["failed_errors"] = [str(error) for errors in form.errors.values() for error in errors]
    return render(request, "reviews/application_detail.html", context, status=400)


@officer_required
@require_POST
def start_review(request: OfficerRequest, pk: int) -> HttpResponse:
    def perform(application: Application, data: dict[str, Any]) -> str:
        application_start_review(application=application, actor=request.user)
        return _("The review has started; the firm was notified.")

    return _act(request, pk, name="start_form", make_form=lambda a: forms.Form(request.POST), perform=perform)


@officer_required
@require_POST
def request_info(request: OfficerRequest, pk: int) -> HttpResponse:
    def perform(application: Application, data: dict[str, Any]) -> str:
        info = application_request_info(
            application=application, actor=request.user, message=data["message"], due_on=data["due_on"]
        )
        return _("The firm was asked for more information, due %(date)s.") % {"date": info.due_on.isoformat()}

    return _act(request, pk, name="info_form", make_form=lambda a: InfoRequestForm(request.POST), perform=perform)


@officer_required
@require_POST
def override(request: OfficerRequest, pk: int) -> HttpResponse:
    def perform(application: Application, data: dict[str, Any]) -> str:
        application_override_eligibility(
            application=application, actor=request.user, justification=data["justification"]
        )
        return _("The application is now eligible; your justification is in its history.")

    return _act(request, pk, name="override_form", make_form=lambda a: OverrideForm(request.POST), perform=perform)


@officer_required
@require_POST
def decide(request: OfficerRequest, pk: int) -> HttpResponse:
    def perform(application: Application, data: dict[str, Any]) -> str:
        decision = Decision(data["decision"])
        outcome = decision_request(
            application=application,
            actor=request.user,
            decision=decision.value,
            units=data.get("units") if decision == Decision.APPROVE else None,
            reason=data["reason"],
        )
        if not outcome.applied:
            return outcome.message
        return _("Decision recorded: %(status)s. The firm was notified.") % {
            "status": outcome.application.get_status_display()
        }

    return _act(request, pk, name="decision_form", make_form=lambda a: DecisionForm(request.POST), perform=perform)


@officer_required
@require_POST
def sign_off(request: OfficerRequest, pk: int) -> HttpResponse:
    def perform(application: Application, data: dict[str, Any]) -> str:
        pending = DecisionSignOff.objects.filter(application=application, status=DecisionSignOff.State.PENDING).first()
        if pending is None:
            raise TransitionNotAllowed(_("No decision on this application is waiting for sign-off."))
        outcome = decision_sign_off(
            sign_off=pending, actor=request.user, approve=data["verdict"] == "sign", note=data.get("note") or ""
        )
        return outcome.message

    return _act(request, pk, name="sign_off_form", make_form=lambda a: SignOffForm(request.POST), perform=perform)


@officer_required
@require_POST
def message_send(request: OfficerRequest, pk: int) -> HttpResponse:
    def perform(application: Application, data: dict[str, Any]) -> str:
        officer_message_send(application=application, actor=request.user, body=data["body"])
        return _("Your message was sent to the firm.")

    return _act(request, pk, name="message_form", make_form=lambda a: MessageForm(request.POST), perform=perform)


@officer_required
@require_POST
def assign(request: OfficerRequest, pk: int) -> HttpResponse:
    def perform(application: Application, data: dict[str, Any]) -> str:
        reviewer = data["reviewer"]
        review_assign(application=application, reviewer=reviewer, actor=request.user)
        return _("%(name)s is now a reviewer of this application.") % {
            "name": reviewer.get_full_name() or reviewer.get_username()
        }

    return _act(
        request,
        pk,
        name="assign_form",
        make_form=lambda a: AssignForm(request.POST, officers=program_officers(program=a.program)),
        perform=perform,
    )


@officer_required
@require_POST
def decline(request: OfficerRequest, pk: int) -> HttpResponse:
    def perform(application: Application, data: dict[str, Any]) -> str:
        assignment = ReviewAssignment.objects.filter(application=application, reviewer=request.user).first()
        if assignment is None:
            raise NotPermitted(_("You are not a reviewer of this application."))
        review_decline(assignment=assignment, actor=request.user, reason=data["reason"], conflict=data["conflict"])
        if data["conflict"]:
            return _("You declined this review; the conflict of interest is in the register.")
        return _("You declined this review.")

    return _act(request, pk, name="decline_form", make_form=lambda a: DeclineForm(request.POST), perform=perform)


@officer_required
@require_POST
def conflict(request: OfficerRequest, pk: int) -> HttpResponse:
    def perform(application: Application, data: dict[str, Any]) -> str:
        conflict_declare(reviewer=request.user, firm=application.firm, reason=data["reason"], application=application)
        return _("Your conflict of interest with %(firm)s is in the register.") % {"firm": application.firm}

    return _act(request, pk, name="conflict_form", make_form=lambda a: ConflictForm(request.POST), perform=perform)


@officer_required
@require_POST
def outcome_review(request: OfficerRequest, pk: int) -> HttpResponse:
    def perform(application: Application, data: dict[str, Any]) -> str:
        report = OutcomeReport.objects.filter(application=application).first()
        if report is None:
            raise TransitionNotAllowed(_("The firm has not written an outcome report for this application."))
        if data["decision"] == OutcomeReviewForm.ACCEPT:
            outcome_report_accept(report=report, actor=request.user, note=data["note"])
            return _("The outcome report is accepted; the firm was notified.")
        outcome_report_return(report=report, actor=request.user, note=data["note"])
        return _("The outcome report was returned to the firm for changes.")

    return _act(request, pk, name="outcome_form", make_form=lambda a: OutcomeReviewForm(request.POST), perform=perform)


@officer_required
@require_POST
def followup_review(request: OfficerRequest, pk: int, months: int) -> HttpResponse:
    """Accept or return the firm's 6- or 12-month follow-up."""
    prefix = f"followup{months}"

    def perform(application: Application, data: dict[str, Any]) -> str:
        followup = OutcomeFollowUp.objects.filter(report__application=application, months=months).first()
        if followup is None:
            raise TransitionNotAllowed(_("This application has no follow-up report of that kind yet."))
        if data["decision"] == FollowUpReviewForm.ACCEPT:
            outcome_followup_accept(followup=followup, actor=request.user, note=data["note"])
            return _("The follow-up is accepted; its contracts now count in the statistics. The firm was notified.")
        outcome_followup_return(followup=followup, actor=request.user, note=data["note"])
        return _("The follow-up was returned to the firm for changes.")

    def bound(application: Application) -> forms.Form:
        return FollowUpReviewForm(request.POST, prefix=prefix)

    return _act(request, pk, name="followup_form", make_form=bound, perform=perform)


@officer_required
@require_POST
def reduce_grant(request: OfficerRequest, pk: int) -> HttpResponse:
    def perform(application: Application, data: dict[str, Any]) -> str:
        application_reduce_grant(
            application=application, actor=request.user, units=data["units"], reason=data["reason"]
        )
        return _("The grant is reduced; the units freed go back to the pool, and the firm was notified.")

    return _act(request, pk, name="reduce_form", make_form=lambda a: ReduceGrantForm(request.POST), perform=perform)


@officer_required
@require_POST
def cancel_grant(request: OfficerRequest, pk: int) -> HttpResponse:
    def perform(application: Application, data: dict[str, Any]) -> str:
        application_cancel(application=application, actor=request.user, reason=data["reason"])
        return _("The approval is cancelled; its units go back to the pool, and the firm was notified.")

    return _act(request, pk, name="cancel_form", make_form=lambda a: CancelGrantForm(request.POST), perform=perform)


@officer_required
@require_POST
def complete(request: OfficerRequest, pk: int) -> HttpResponse:
    def perform(application: Application, data: dict[str, Any]) -> str:
        application_complete(application=application, actor=request.user, note=data["note"])
        return _("The application is completed; the firm was notified.")

    return _act(request, pk, name="complete_form", make_form=lambda a: CompleteForm(request.POST), perform=perform)
