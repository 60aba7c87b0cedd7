"""The review queue and "my work"."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from applications.decisions.selectors import sign_offs_awaiting
from applications.models import Application
from applications.workflow import Status
from reviews.bulk import BULK_ACTION_LABELS
from reviews.forms import QueueFilterForm
from reviews.selectors import (
    PAGE_SIZE,
    QueueFilters,
    is_overdue,
    my_work_list,
    queue_list,
    status_counts,
    work_reasons,
)
from reviews.views.access import OfficerRequest, officer_required


def _rows(applications: list[Application]) -> list[dict[str, Any]]:
    now = timezone.now()
    return [
        {
            "application": application,
            "overdue": is_overdue(application, now=now),
            # Prefetched with the page: no query per row.
            "assignments": list(application.review_assignments.all()),
            "reasons": work_reasons(application),
        }
        for application in applications
    ]


def _querystring(request: OfficerRequest, *drop: str) -> str:
    params = request.GET.copy()
    for key in ("page", *drop):
        params.pop(key, None)
    return params.urlencode()


@officer_required
@require_GET
def queue(request: OfficerRequest) -> HttpResponse:
    form = QueueFilterForm(request.GET or None, user=request.user)
    filters = QueueFilters.from_cleaned(form.valid_data()) if form.is_bound else QueueFilters()
    page = Paginator(queue_list(user=request.user, filters=filters), PAGE_SIZE).get_page(request.GET.get("page"))
    counts = status_counts(user=request.user, filters=filters)
    context = {
        "nav": "queue",
        "form": form,
        "page": page,
        "rows": _rows(list(page.object_list)),
        "status_tabs": [
            {"value": value, "label": label, "count": counts[value], "current": filters.status == value}
            for value, label in Status.choices
            if value != Status.DRAFT
        ],
        "total": sum(counts.values()),
        "current_status": filters.status,
        "page_query": _querystring(request),
        "status_query": _querystring(request, "status"),
        "bulk_actions": [(action.value, label) for action, label in BULK_ACTION_LABELS.items()],
    }
    return render(request, "reviews/queue.html", context)


@officer_required
@require_GET
def my_work(request: OfficerRequest) -> HttpResponse:
    page = Paginator(my_work_list(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "nav": "mine",
        # Managers: approvals above the threshold that someone else asked for.
        "sign_offs": list(sign_offs_awaiting(user=request.user)[:PAGE_SIZE]),
        "page": page,
        "rows": _rows(list(page.object_list)),
        "page_query": _querystring(request),
        "bulk_actions": [(action.value, label) for action, label in BULK_ACTION_LABELS.items()],
    }
    return render(request, "reviews/my_work.html", context)
