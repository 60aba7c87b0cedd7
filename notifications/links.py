"""Where reminders point: the portal and officer pages, as stable paths and absolute URLs.

Emails need absolute links (``settings.SITE_URL`` + path); the in-app notification keeps the
path. The pages behind these paths belong to the portal and the officer workspace; the
paths are kept here, in one place, so that a change of URL layout is one edit.
"""

from __future__ import annotations

from django.conf import settings


def firm_application_path(application_id: int) -> str:
    return f"/portal/applications/{application_id}/"


def firm_outcome_report_path(application_id: int) -> str:
    return f"/portal/applications/{application_id}/outcome/"


def officer_application_path(application_id: int) -> str:
    return f"/officer/applications/{application_id}/"


def officer_inbox_path() -> str:
    return "/officer/"


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"
