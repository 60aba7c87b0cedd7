"""Bulk actions: choose, confirm (a dry run per application), apply."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from reviews.bulk import BULK_ACTION_LABELS, BulkAction, bulk_apply, bulk_preview, bulk_selection
from reviews.forms import BulkForm, selected_ids
from reviews.views.access import OfficerRequest, officer_required


@officer_required
@require_POST
def bulk(request: OfficerRequest) -> HttpResponse:
    """``stage`` is ``choose`` (from the queue: the rows and the action), ``preview`` (the
    parameters given: show what will happen to each application) or ``apply``."""
    ids, ids_clean = selected_ids(request.POST.getlist("ids"))
    stage = request.POST.get("stage", "choose")
    if not ids:
        return render(request, "reviews/bulk_empty.html", {"nav": "queue"}, status=400)
    applications, missing = bulk_selection(user=request.user, ids=ids)
    form = BulkForm(
        request.POST if stage != "choose" else None, user=request.user, initial={"action": request.POST.get("action")}
    )
    context = {
        "nav": "queue",
        "form": form,
        "applications": applications,
        "missing": missing,
        "ids_clean": ids_clean,
        "action": request.POST.get("action", ""),
        "action_label": BULK_ACTION_LABELS.get(request.POST.get("action", ""), ""),  # type: ignore[call-overload]
    }
    if stage == "choose" or not form.is_valid():
        return render(request, "reviews/bulk_choose.html", context, status=200 if stage == "choose" else 400)
    action: BulkAction = form.action_value()
    context["action_label"] = BULK_ACTION_LABELS[action]
    if stage == "apply":
        context["lines"] = bulk_apply(
            action=action, applications=applications, actor=request.user, params=form.params()
        )
        context["succeeded"] = sum(1 for line in context["lines"] if line.ok)
        return render(request, "reviews/bulk_result.html", context)
    if stage != "preview":
        return redirect("reviews:queue")
    context["lines"] = bulk_preview(action=action, applications=applications, actor=request.user, params=form.params())
    context["will_succeed"] = sum(1 for line in context["lines"] if line.ok)
    return render(request, "reviews/bulk_confirm.html", context)
