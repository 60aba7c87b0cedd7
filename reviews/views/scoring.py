"""The reviewer's scoring form."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from reviews.forms import ScoreForm
from reviews.models import AssignmentStatus, RubricCriterion
from reviews.services import SCORABLE_STATUSES, scores_save, scores_submit, scoring_assignment
from reviews.views.access import OfficerRequest, application_or_404, forbidden, officer_required
from sme_support.errors import DomainError


@officer_required
@require_http_methods(["GET", "POST"])
def score(request: OfficerRequest, pk: int) -> HttpResponse:
    """Only the assigned reviewer opens this page; a declared conflict of interest with the
    firm, or no assignment, is a 403 that says why."""
    application = application_or_404(request, pk)
    try:
        assignment = scoring_assignment(application=application, user=request.user)
    except DomainError as exc:
        return forbidden(request, exc.message)
    criteria = list(RubricCriterion.objects.filter(program_id=application.program_id).order_by("position", "pk"))
    existing = {s.criterion_id: s for s in assignment.scores.all()}
    form = ScoreForm(request.POST or None, criteria=criteria, initial_scores=existing)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            submitting = "submit" in request.POST
            try:
                scores_save(application=application, reviewer=request.user, entries=form.entries())
                if submitting:
                    scores_submit(application=application, reviewer=request.user)
            except DomainError as exc:
                form.add_error(None, exc.message)
                assignment.refresh_from_db()
            else:
                if submitting:
                    messages.success(request, _("Your scores are submitted and locked."))
                    return redirect("reviews:application_detail", pk=application.pk)
                messages.success(request, _("Your draft scores are saved."))
                return redirect("reviews:score", pk=application.pk)
    locked = assignment.status == AssignmentStatus.SUBMITTED
    context = {
        "nav": "queue",
        "application": application,
        "program": application.program,
        "assignment": assignment,
        "form": form,
        "locked": locked,
        "open": not locked and application.status in SCORABLE_STATUSES,
        "criteria": criteria,
    }
    return render(request, "reviews/score_form.html", context, status=status)
