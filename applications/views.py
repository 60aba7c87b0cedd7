"""Pages the applications app serves to both audiences: the statistics dashboard, and the
HTTP response that streams an application's document (the portal and the officer workspace
fetch the row through the scoped ``document_get`` first).

The dashboard's charts are drawn from the statistics API (applications, outcomes and IP
filings abroad). Managers see every program; officers the programs assigned to them (the API
scopes the numbers, the page only offers the filters); firms' staff are refused.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from applications.intake.documents import KIND_BY_CONTENT_TYPE
from applications.models import ApplicationDocument
from firms.models import Sector
from programs.models import CapacityUnit, ProgramKind
from programs.selectors import program_assigned_list
from sme_support.roles import is_manager, is_officer


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    if not is_officer(request.user):
        raise PermissionDenied(_("The dashboard is for the agency's officers and managers."))
    years = (
        program_assigned_list(user=request.user)
        .order_by("-fiscal_year")
        .values_list("fiscal_year", flat=True)
        .distinct()
    )
    selected = {key: request.GET.get(key, "") for key in ("fiscal_year", "kind", "sector")}
    context = {
        "years": list(years),
        "kinds": ProgramKind.choices,
        "sectors": Sector.choices,
        "selected": selected,
        "is_manager": is_manager(request.user),
        # Words the script puts on the charts, translated here like every other string.
        "strings": {
            "applications": _("Applications"),
            "approved": _("Approved"),
            "decided": _("Decided"),
            "approval_rate": _("Approval rate (%)"),
            "contracts_usd": _("Contracts (USD)"),
            "consultation_usd": _("Consultations (USD)"),
            "outcome_reports": _("Outcome reports"),
            "filings": _("IP filings"),
            "allocated": _("Allocated"),
            "allocated_of_capacity": _("Allocated / capacity"),
            # Capacity comes in each program's own unit; the tables name it beside each figure.
            "units": {
                "krw": str(CapacityUnit.KRW.label),
                "booths": str(CapacityUnit.BOOTH.label),
                "seats": str(CapacityUnit.SEAT.label),
            },
            "firms": _("Firms"),
            "median_days": _("Median days to decision"),
            "none": _("(none)"),
            "not_submitted": _("(not submitted)"),
            "loading": _("Loading…"),
            "error": _("The statistics could not be loaded:"),
            "empty": _("No applications match these filters."),
        },
    }
    return render(request, "dashboard/index.html", context)


def document_response(*, document: ApplicationDocument, inline: bool = False) -> FileResponse:
    """Stream a stored document. Always the stored, detected content type; inline only for
    PDF and images when asked; never sniffed, never rendered as HTML."""
    kind = KIND_BY_CONTENT_TYPE.get(document.content_type)
    if kind is None:
        # A row that did not come through document_store: refuse to guess what it is.
        raise Http404(_("This document is not available."))
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404(_("This document's file is missing.")) from exc
    as_attachment = not (inline and kind.inline_safe)
    response = FileResponse(
        handle, as_attachment=as_attachment, filename=document.original_name, content_type=kind.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Even a PDF viewer gets no scripts, no network and no same-origin powers.
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; object-src 'self'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
