"""The programs an officer works on, and ranked selection when a call has closed
(``applications.decisions.selection``: the preview is exactly what the commit does)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from applications.decisions.selection import (
    may_run_selection,
    selection_blockers,
    selection_commit,
    selection_fingerprint,
    selection_preview,
)
from programs.models import Program
from programs.selectors import program_assigned_list
from reviews.views.access import OfficerRequest, forbidden, officer_required
from sme_support.errors import DomainError


def _program_or_404(request: OfficerRequest, pk: int) -> Program:
    try:
        return program_assigned_list(user=request.user).get(pk=pk)
    except Program.DoesNotExist as exc:
        raise Http404(_("No program of yours has this number.")) from exc


@officer_required
@require_GET
def program_list(request: OfficerRequest) -> HttpResponse:
    programs = program_assigned_list(user=request.user).order_by("-fiscal_year", "closes_at", "pk")
    return render(request, "reviews/programs.html", {"nav": "programs", "programs": programs})


@officer_required
@require_http_methods(["GET", "POST"])
def selection(request: OfficerRequest, pk: int) -> HttpResponse:
    """GET: the ranking, what each application will get, and what still blocks the commit.
    POST: commit the previewed ranking (program lead or manager); refused if anything changed."""
    program = _program_or_404(request, pk)
    may_commit = may_run_selection(user=request.user, program=program)
    error = ""
    if request.method == "POST":
        if not may_commit:
            return forbidden(request, _("Only the program lead or a manager can run selection."))
        try:
            result = selection_commit(
                program=program, actor=request.user, fingerprint=request.POST.get("fingerprint", "")
            )
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(
                request,
                _("Selection done: %(approved)s approved, %(waitlisted)s waitlisted. Every firm was notified.")
                % {"approved": len(result.approved), "waitlisted": len(result.waitlisted)},
            )
            return redirect(f"{request.path}")
        program.refresh_from_db()
    rows = selection_preview(program=program)
    context = {
        "nav": "programs",
        "program": program,
        "rows": rows,
        "blockers": selection_blockers(program=program),
        "fingerprint": selection_fingerprint(rows, program=program),
        "may_commit": may_commit,
        "error": error,
    }
    return render(request, "reviews/selection.html", context, status=400 if error else 200)
