from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from programs.models import Program


def home(request: HttpRequest) -> HttpResponse:
    open_calls = Program.objects.open_at(timezone.now()).select_related("event_country").order_by("closes_at")[:12]
    return render(request, "home.html", {"open_calls": open_calls})


def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and compose healthchecks: the app is up and its database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
