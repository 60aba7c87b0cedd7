"""Starting, editing, documenting and submitting an application."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from applications.intake import documents as document_service
from applications.intake.answers import export_funding_split
from applications.intake.services import application_create, application_submit, application_update_draft
from applications.models import Application, ApplicationDocument
from applications.selectors import document_get
from applications.views import document_response
from applications.workflow import Status
from portal.access import FirmRequest, firm_required
from portal.forms.applications import FORM_BY_KIND, DocumentUploadForm, KindForm
from portal.selectors import firm_application, firm_applications, live_application, required_document_types
from portal.stash import autosave_done, stash_clear, stash_take
from programs.models import Program, ProgramKind
from sme_support.errors import DomainError


def _kind_form(
    program: Program,
    data: QueryDict | dict[str, Any] | None = None,
    *,
    initial: dict[str, Any] | None = None,
    submitting: bool = False,
) -> KindForm:
    return FORM_BY_KIND[program.kind](data, initial=initial, program=program, submitting=submitting)


def _initial(application: Application) -> dict[str, Any]:
    return FORM_BY_KIND[application.program.kind].initial_from(application.program, application.answers)


def _get_application(request: HttpRequest, pk: int) -> Application:
    try:
        return firm_application(user=request.user, pk=pk)
    except Application.DoesNotExist as exc:
        raise Http404 from exc


def _document_checklist(application: Application) -> list[dict[str, Any]]:
    doc_types, _from_rules = required_document_types(application.program)
    uploaded = set(application.documents.values_list("doc_type", flat=True))
    return [
        {"code": code, "label": ApplicationDocument.DocType(code).label, "present": code in uploaded}
        for code in doc_types
    ]


def _cost_summary(application_or_program: Application | Program, answers: dict[str, Any]) -> dict[str, Any] | None:
    program = (
        application_or_program.program if isinstance(application_or_program, Application) else application_or_program
    )
    if program.kind == ProgramKind.EXPORT_FUNDING:
        total = int(answers.get("total_cost_krw") or 0)
        return {"split": export_funding_split(program=program, total_cost=total)} if total else None
    if program.kind == ProgramKind.TRADE_SHOW and answers.get("booths"):
        booths = int(answers["booths"])
        return {
            "booths": booths,
            "subsidy": booths * (program.subsidy_per_booth_krw or 0),
            "fee": booths * (program.firm_fee_krw or 0),
        }
    return None


def _restored(request: HttpRequest) -> QueryDict | None:
    """Fields kept from a post that arrived after the session expired (see portal.stash)."""
    if request.method != "GET":
        return None
    data = stash_take(request)
    if data is not None:
        messages.info(request, _("We kept what you typed before your session ended. Check it and save."))
    return data


@firm_required
def application_list(request: FirmRequest) -> HttpResponse:
    return render(request, "portal/application_list.html", {"applications": firm_applications(user=request.user)})


@firm_required
@require_http_methods(["GET", "POST"])
def apply(request: FirmRequest, program_pk: int) -> HttpResponse:
    firm = request.firm
    program = get_object_or_404(Program, pk=program_pk)
    existing = live_application(firm=firm, program=program)
    if existing is not None:
        target = "portal:application_edit" if existing.status == Status.DRAFT else "portal:application_detail"
        return redirect(target, pk=existing.pk)
    if not program.is_open():
        messages.error(request, _("This call is not open for applications."))
        return redirect("portal:program_detail", pk=program.pk)
    restored = _restored(request)
    form = _kind_form(program, request.POST if request.method == "POST" else restored)
    if request.method == "POST" and form.is_valid():
        try:
            application = application_create(
                program=program,
                firm=firm,
                actor=request.user,
                requested_units=form.requested_units(),
                answers=form.answers(),
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        except IntegrityError:
            # A colleague started an application to this call a moment ago.
            messages.error(request, _("Your firm already has an application to this call."))
            return redirect("portal:program_detail", pk=program.pk)
        else:
            return _after_save(request, application)
    response = render(
        request,
        "portal/application_form.html",
        {"program": program, "form": form, "application": None, "autosave_key": f"apply-{program.pk}"},
    )
    if restored is not None:
        stash_clear(response)
    return response


def _after_save(request: FirmRequest, application: Application) -> HttpResponse:
    messages.success(request, _("Your draft was saved."))
    autosave_done(request, f"application-{application.pk}", f"apply-{application.program_id}")
    if request.POST.get("action") == "review":
        return redirect("portal:application_submit", pk=application.pk)
    return redirect("portal:application_edit", pk=application.pk)


def _edit_context(
    application: Application, form: KindForm, upload_form: DocumentUploadForm | None = None
) -> dict[str, Any]:
    return {
        "program": application.program,
        "application": application,
        "form": form,
        "upload_form": upload_form or DocumentUploadForm(),
        "documents": application.documents.all(),
        "checklist": _document_checklist(application),
        "summary": _cost_summary(application, application.answers),
        "autosave_key": f"application-{application.pk}",
    }


@firm_required
@require_http_methods(["GET", "POST"])
def application_edit(request: FirmRequest, pk: int) -> HttpResponse:
    application = _get_application(request, pk)
    if application.status != Status.DRAFT:
        return redirect("portal:application_detail", pk=application.pk)
    program = application.program
    restored = _restored(request)
    if request.method == "POST":
        form = _kind_form(program, request.POST)
        if form.is_valid():
            try:
                application_update_draft(
                    application=application,
                    actor=request.user,
                    requested_units=form.requested_units(),
                    answers=form.answers(),
                )
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                return _after_save(request, application)
    elif restored is not None:
        form = _kind_form(program, restored)
    else:
        form = _kind_form(program, initial=_initial(application))
    response = render(request, "portal/application_form.html", _edit_context(application, form))
    if restored is not None:
        stash_clear(response)
    return response


@firm_required
@require_POST
def document_upload(request: FirmRequest, pk: int) -> HttpResponse:
    application = _get_application(request, pk)
    upload_form = DocumentUploadForm(request.POST, request.FILES)
    if upload_form.is_valid():
        try:
            document = document_service.document_store(
                application=application,
                actor=request.user,
                doc_type=upload_form.cleaned_data["doc_type"],
                upload=upload_form.cleaned_data["file"],
            )
        except DomainError as exc:
            upload_form.add_error("file", str(exc))
        else:
            messages.success(request, _("“%(name)s” was uploaded.") % {"name": document.original_name})
            return redirect(reverse("portal:application_edit", kwargs={"pk": application.pk}) + "#documents")
    if application.status != Status.DRAFT:
        messages.error(request, " ".join(str(e) for e in upload_form.errors.get("file", [])) or _("Upload failed."))
        return redirect("portal:application_detail", pk=application.pk)
    form = _kind_form(application.program, initial=_initial(application))
    return render(request, "portal/application_form.html", _edit_context(application, form, upload_form), status=400)


@firm_required
@require_POST
def document_delete(request: FirmRequest, pk: int, document_pk: int) -> HttpResponse:
    application = _get_application(request, pk)
    document = get_object_or_404(ApplicationDocument, pk=document_pk, application=application)
    try:
        document_service.document_delete(document=document, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.info(request, _("“%(name)s” was removed.") % {"name": document.original_name})
    return redirect(reverse("portal:application_edit", kwargs={"pk": application.pk}) + "#documents")


@login_required
def document_download(request: HttpRequest, document_pk: int) -> HttpResponseBase:
    """Firm staff get their own firm's files; officers their programs'; managers any. The
    same 404 for a document that exists elsewhere as for one that does not."""
    try:
        document = document_get(user=request.user, pk=document_pk)
    except ApplicationDocument.DoesNotExist as exc:
        raise Http404 from exc
    return document_response(document=document, inline=request.GET.get("inline") == "1")


def _submit_problems(application: Application) -> list[str]:
    """What must be completed before the application can be submitted."""
    program = application.program
    initial = _initial(application)
    data = {key: "" if value is None else str(value) for key, value in initial.items()}
    form = _kind_form(program, data, submitting=True)
    if form.is_valid():
        return []
    problems = []
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        problems += [f"{label}: {error}" if label else str(error) for error in errors]
    return problems


@firm_required
@require_http_methods(["GET", "POST"])
def application_submit_view(request: FirmRequest, pk: int) -> HttpResponse:
    application = _get_application(request, pk)
    if request.method == "GET" and application.status != Status.DRAFT:
        return redirect("portal:application_detail", pk=application.pk)
    problems = _submit_problems(application) if application.status == Status.DRAFT else []
    if request.method == "POST":
        if not request.POST.get("confirm"):
            messages.error(request, _("Tick the box to confirm before you submit."))
        elif problems:
            messages.error(request, _("Complete the application before you submit it."))
        else:
            try:
                application_submit(application=application, actor=request.user)
            except DomainError as exc:
                messages.error(request, str(exc))
            else:
                autosave_done(request, f"application-{application.pk}", f"apply-{application.program_id}")
                messages.success(
                    request,
                    _("Your application was submitted. Your receipt number is %(receipt)s.")
                    % {"receipt": application.receipt_number},
                )
                return redirect("portal:application_detail", pk=application.pk)
    context = {
        "application": application,
        "program": application.program,
        "problems": problems,
        "checklist": _document_checklist(application),
        "documents": application.documents.all(),
        "summary": _cost_summary(application, application.answers),
    }
    return render(request, "portal/application_submit.html", context)
