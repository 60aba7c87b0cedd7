"""After submitting: the application page, messages, information requests, withdrawal, the
outcome report and notifications."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from applications.casework.services import application_answer_info as info_request_answer
from applications.casework.services import firm_message_send as message_post
from applications.decisions.grants import application_withdraw
from applications.eligibility import preview
from applications.models import Application, OutcomeFollowUp, OutcomeReport
from applications.outcomes import services as outcomes
from applications.workflow import TERMINAL, WITHDRAWABLE, Status
from notifications.models import Notification
from notifications.services import notifications_mark_read
from portal.access import FirmRequest, firm_required
from portal.forms.applications import InfoAnswerForm, MessageForm, OutcomeReportForm, WithdrawForm
from portal.forms.outcomes import MEETINGS_PREFIX, FollowUpForm, meeting_formset
from portal.selectors import firm_application, open_offers
from portal.stash import autosave_done
from portal.timeline import firm_timeline
from portal.views.applications import _cost_summary, _document_checklist
from sme_support.errors import DomainError


def _get_application(request: HttpRequest, pk: int) -> Application:
    try:
        return firm_application(user=request.user, pk=pk)
    except Application.DoesNotExist as exc:
        raise Http404 from exc


def _detail_context(
    request: HttpRequest,
    application: Application,
    *,
    message_form: MessageForm | None = None,
    answer_form: InfoAnswerForm | None = None,
    followup_form: FollowUpForm | None = None,
) -> dict[str, Any]:
    if application.eligibility_checked_at:
        eligibility, provisional = application.eligibility_results, False
    else:
        eligibility = preview(firm=application.firm, program=application.program).results
        provisional = True
    report = OutcomeReport.objects.filter(application=application).first()
    return {
        "application": application,
        "program": application.program,
        "timeline": firm_timeline(application),
        "offer": open_offers(user=request.user).filter(application=application).first(),
        "eligibility": eligibility,
        "eligibility_provisional": provisional,
        "documents": application.documents.all(),
        "thread": application.messages.select_related("attachment", "info_request").order_by("created_at", "pk"),
        "open_request": application.info_requests.filter(answered_at=None).order_by("-requested_at").first(),
        "message_form": message_form or MessageForm(),
        "answer_form": answer_form or InfoAnswerForm(),
        "can_message": application.status not in TERMINAL and application.status != Status.DRAFT,
        "can_withdraw": application.status in WITHDRAWABLE,
        "outcome_required": outcomes.outcome_report_required(application),
        "outcome_report": report,
        "outcome_due_on": report.due_on if report else outcomes.outcome_report_due_on(application),
        "followups": _followup_rows(report, followup_form),
        "checklist": _document_checklist(application),
        "summary": _cost_summary(application, application.answers),
    }


def _followup_rows(
    report: OutcomeReport | None, bound: FollowUpForm | None
) -> list[tuple[OutcomeFollowUp, FollowUpForm | None]]:
    """Each follow-up with its form (None once accepted); a form that failed keeps its input."""
    if report is None:
        return []
    rows: list[tuple[OutcomeFollowUp, FollowUpForm | None]] = []
    for followup in report.followups.all():
        if followup.status == OutcomeFollowUp.FollowUpStatus.ACCEPTED:
            rows.append((followup, None))
        elif bound is not None and bound.followup.pk == followup.pk:
            rows.append((followup, bound))
        else:
            rows.append((followup, FollowUpForm(followup=followup)))
    return rows


@firm_required
def application_detail(request: FirmRequest, pk: int) -> HttpResponse:
    application = _get_application(request, pk)
    return render(request, "portal/application_detail.html", _detail_context(request, application))


@firm_required
@require_POST
def message_send(request: FirmRequest, pk: int) -> HttpResponse:
    application = _get_application(request, pk)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            message_post(application=application, actor=request.user, body=form.cleaned_data["body"])
        except DomainError as exc:
            if application.status == Status.DRAFT or application.status in TERMINAL:
                # The thread is closed: there is no form on the page to put the error on.
                messages.error(request, str(exc))
                return redirect("portal:application_detail", pk=application.pk)
            form.add_error("body", str(exc))
        else:
            messages.success(request, _("Your message was sent."))
            autosave_done(request, f"message-{application.pk}")
            return redirect("portal:application_detail", pk=application.pk)
    context = _detail_context(request, application, message_form=form)
    return render(request, "portal/application_detail.html", context, status=400)


@firm_required
@require_POST
def info_answer(request: FirmRequest, pk: int) -> HttpResponse:
    application = _get_application(request, pk)
    form = InfoAnswerForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            info_request_answer(
                application=application,
                actor=request.user,
                answer=form.cleaned_data["answer"],
                upload=form.cleaned_data.get("file"),
                doc_type=form.cleaned_data.get("doc_type") or "other",
            )
        except DomainError as exc:
            form.add_error("file" if form.cleaned_data.get("file") else "answer", str(exc))
        else:
            messages.success(request, _("Your answer was sent to the officers."))
            autosave_done(request, f"answer-{application.pk}")
            return redirect("portal:application_detail", pk=application.pk)
    context = _detail_context(request, application, answer_form=form)
    return render(request, "portal/application_detail.html", context, status=400)


@firm_required
@require_http_methods(["GET", "POST"])
def withdraw(request: FirmRequest, pk: int) -> HttpResponse:
    application = _get_application(request, pk)
    if request.method == "GET" and application.status not in WITHDRAWABLE:
        # Nothing to confirm; a POST still goes to the service, which says why not.
        messages.error(request, _("This application can no longer be withdrawn."))
        return redirect("portal:application_detail", pk=application.pk)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            application_withdraw(application=application, actor=request.user, note=form.cleaned_data["note"])
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Your application was withdrawn."))
        return redirect("portal:application_detail", pk=application.pk)
    return render(request, "portal/application_withdraw.html", {"application": application, "form": form})


@firm_required
@require_http_methods(["GET", "POST"])
def outcome_report(request: FirmRequest, pk: int) -> HttpResponse:
    application = _get_application(request, pk)
    if not outcomes.outcome_report_required(application):
        raise Http404
    report = OutcomeReport.objects.filter(application=application).first()
    saved_meetings = list(report.meetings.select_related("country")) if report else []
    editable = application.status == Status.APPROVED and (report is None or report.status in outcomes.EDITABLE)
    if request.method == "POST" and editable:
        form = OutcomeReportForm(request.POST)
        # A client that sends no meeting rows at all (no management form) leaves the saved rows alone.
        has_rows = f"{MEETINGS_PREFIX}-TOTAL_FORMS" in request.POST
        formset = meeting_formset(request.POST if has_rows else None, meetings=saved_meetings)
        if form.is_valid() and (not has_rows or formset.is_valid()):
            save = (
                outcomes.outcome_report_submit
                if request.POST.get("action") == "submit"
                else outcomes.outcome_report_save_draft
            )
            try:
                save(
                    application=application,
                    actor=request.user,
                    meetings=formset.meetings() if has_rows else None,
                    **form.cleaned_data,
                )
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                done = request.POST.get("action") == "submit"
                autosave_done(request, f"outcome-{application.pk}")
                messages.success(
                    request, _("Your outcome report was submitted.") if done else _("Your draft was saved.")
                )
                return redirect("portal:outcome_report", pk=application.pk)
    elif report is not None:
        form = OutcomeReportForm(
            initial={
                "buyer_meetings": report.buyer_meetings,
                "consultation_usd": report.consultation_usd,
                "contracts_usd": report.contracts_usd,
                "ip_filed": report.ip_filed,
                "new_countries": list(report.new_countries.values_list("pk", flat=True)),
                "narrative": report.narrative,
            }
        )
        formset = meeting_formset(meetings=saved_meetings)
    else:
        form = OutcomeReportForm(
            initial={"buyer_meetings": 0, "consultation_usd": 0, "contracts_usd": 0, "ip_filed": 0}
        )
        formset = meeting_formset()
    context = {
        "application": application,
        "program": application.program,
        "report": report,
        "form": form,
        "formset": formset,
        "meetings": saved_meetings,
        "editable": editable,
        "due_on": report.due_on if report else outcomes.outcome_report_due_on(application),
    }
    return render(request, "portal/outcome_report.html", context)


@firm_required
@require_POST
def outcome_followup(request: FirmRequest, pk: int, months: int) -> HttpResponse:
    application = _get_application(request, pk)
    followup = get_object_or_404(
        OutcomeFollowUp.objects.select_related("report"), report__application=application, months=months
    )
    form = FollowUpForm(request.POST, followup=followup)
    if form.is_valid():
        try:
            outcomes.outcome_followup_submit(
                followup=followup,
                actor=request.user,
                contracts_usd=form.cleaned_data["contracts_usd"],
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            if followup.status == OutcomeFollowUp.FollowUpStatus.ACCEPTED:
                # An accepted follow-up has no form on the page to put the error on.
                messages.error(request, str(exc))
                return redirect("portal:application_detail", pk=application.pk)
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Your %(months)s-month follow-up was submitted.") % {"months": followup.months},
            )
            return redirect("portal:application_detail", pk=application.pk)
    context = _detail_context(request, application, followup_form=form)
    return render(request, "portal/application_detail.html", context, status=400)


@firm_required
def notification_list(request: FirmRequest) -> HttpResponse:
    qs = Notification.objects.filter(user=request.user).select_related("application")
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(request, "portal/notifications.html", {"page": page})


@firm_required
@require_POST
def notification_read(request: FirmRequest, pk: int | None = None) -> HttpResponse:
    if pk is not None:
        notification = get_object_or_404(Notification, pk=pk, user=request.user)
        notifications_mark_read(user=request.user, ids=[notification.pk])
        target = notification.url
        if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            return redirect(target)
    else:
        count = notifications_mark_read(user=request.user)
        messages.info(request, _("%(count)s notifications marked as read.") % {"count": count})
    return redirect("portal:notifications")
