"""The catalogue of open calls, with each call's eligibility preview for the reader's firm."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from applications.eligibility import EligibilityOutcome, preview
from applications.eligibility.engine import preview_many
from applications.models import ApplicationDocument
from firms.models import Sector
from portal.access import FirmRequest, firm_required
from portal.forms.applications import CatalogueFilterForm
from portal.selectors import live_application, program_catalogue, required_document_types
from programs.models import ExpenseCategory, Program

PAGE_SIZE = 20
# A document rule cannot pass before there is an application to attach files to: the
# catalogue says "documents needed" instead of "not eligible" when only it fails.
DOCUMENT_RULES = frozenset({"required_documents"})


def eligibility_badge(outcome: EligibilityOutcome) -> dict[str, Any]:
    failed = [r for r in outcome.results if not r["passed"]]
    blocking = [r for r in failed if r["rule"] not in DOCUMENT_RULES]
    if not failed:
        state = "eligible"
    elif not blocking:
        state = "documents"
    else:
        state = "ineligible"
    return {"state": state, "failed": blocking or failed, "results": outcome.results}


@firm_required
def catalogue(request: FirmRequest) -> HttpResponse:
    firm = request.firm
    form = CatalogueFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
    page = Paginator(program_catalogue(**filters), PAGE_SIZE).get_page(request.GET.get("page"))
    programs = list(page)
    previews = preview_many(firm=firm, programs=programs)
    cards = [{"program": program, "badge": eligibility_badge(previews[program.pk])} for program in programs]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "portal/catalogue.html",
        {"form": form, "page": page, "cards": cards, "query": query.urlencode()},
    )


@firm_required
def program_detail(request: FirmRequest, pk: int) -> HttpResponse:
    firm = request.firm
    program = Program.objects.select_related("event_country").prefetch_related("target_countries").filter(pk=pk).first()
    # Calls not yet open are not published to firms; closed ones stay readable.
    if program is None or program.opens_at > timezone.now():
        raise Http404
    doc_types, from_rules = required_document_types(program)
    context = {
        "program": program,
        "badge": eligibility_badge(preview(firm=firm, program=program)),
        "application": live_application(firm=firm, program=program),
        "required_documents": [ApplicationDocument.DocType(d).label for d in doc_types],
        "documents_from_rules": from_rules,
        "is_open": program.is_open(),
        "expense_labels": [
            ExpenseCategory(c).label for c in program.eligible_expenses or [] if c in ExpenseCategory.values
        ],
        "sector_labels": [Sector(c).label for c in program.target_sectors or [] if c in Sector.values],
    }
    return render(request, "portal/program_detail.html", context)
