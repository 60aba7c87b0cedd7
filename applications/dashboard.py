"""The statistics dashboard: a page whose charts are drawn from the statistics API
(applications, outcomes and IP filings abroad).

Managers see every program; officers the programs assigned to them (the API scopes the
numbers, the page only offers the filters); firms' staff are refused.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from applications.selectors import program_assigned_list
from firms.models import Sector
from programs.models import ProgramKind
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
            "allocated_units": _("Allocated"),
            "capacity_units": _("Capacity"),
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
