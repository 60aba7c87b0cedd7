"""What each application reminder says: its template context, its link and the application
it is about (registered with ``notifications.reminder_mail`` when Django starts)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language

from applications.models import Application, InfoRequest, OutcomeReport
from applications.reminders.selectors import officer_waiting_summary
from applications.workflow import Status
from firms.models import Firm
from notifications import links
from notifications.models import Reminder, ReminderKind
from notifications.reminder_mail import Builder, ReminderParts


def _firm_name(firm: Firm) -> str:
    return firm.name_ko if (get_language() or "").startswith("ko") else firm.name_en


def _days_late(due_on: dt.date, now: dt.datetime) -> int:
    # Only an overdue notice shows this, and it is composed after the due date; a retry or a
    # requeue must still never tell the firm it is "0 days late".
    return max((timezone.localdate(now) - due_on).days, 1)


def _call_closing(reminder: Reminder, application: Application, now: dt.datetime) -> ReminderParts:
    program = application.program
    return ReminderParts(
        application,
        links.firm_application_path(application.pk),
        lambda: {"program_title": program.title, "closes_at": program.closes_at, "days": reminder.offset_days},
    )


def _info_request(reminder: Reminder, request: InfoRequest, now: dt.datetime) -> ReminderParts:
    application = request.application
    return ReminderParts(
        application,
        links.firm_application_path(application.pk),
        lambda: {
            "program_title": application.program.title,
            "receipt_number": application.receipt_number,
            "due_on": request.due_on,
            "days": reminder.offset_days,
            "days_late": _days_late(request.due_on, now),
            "request_message": request.message,
        },
    )


def _outcome_report(reminder: Reminder, report: OutcomeReport, now: dt.datetime) -> ReminderParts:
    application = report.application
    return ReminderParts(
        application,
        links.firm_outcome_report_path(application.pk),
        lambda: {
            "program_title": application.program.title,
            "receipt_number": application.receipt_number,
            "due_on": report.due_on,
            "days": reminder.offset_days,
            "days_late": _days_late(report.due_on, now),
        },
    )


def _review_overdue(reminder: Reminder, application: Application, now: dt.datetime) -> ReminderParts:
    program = application.program
    since = application.status_changed_at or reminder.deadline
    return ReminderParts(
        application,
        links.officer_application_path(application.pk),
        lambda: {
            "program_title": program.title,
            "firm_name": _firm_name(application.firm),
            "receipt_number": application.receipt_number,
            "status_label": application.get_status_display(),
            "waiting_since": since,
            "days_waiting": (now - since).days,
            "target_days": program.review_target_days,
        },
    )


def _officer_digest(reminder: Reminder, officer: Any, now: dt.datetime) -> ReminderParts:
    summary = officer_waiting_summary(officer=officer, statuses=settings.REMINDER_DIGEST_STATUSES)

    def context() -> dict[str, Any]:
        programs = []
        for item in summary:
            oldest = item.oldest
            programs.append(
                {
                    "title": item.program.title,
                    "counts": [(Status(status).label, n) for status, n in item.counts],
                    "total": item.total,
                    "oldest": oldest
                    and {
                        "receipt_number": oldest.receipt_number,
                        "firm_name": _firm_name(oldest.firm),
                        "status_label": oldest.get_status_display(),
                        "since": oldest.status_changed_at,
                        "days": (now - oldest.status_changed_at).days if oldest.status_changed_at else 0,
                        "url": links.absolute(links.officer_application_path(oldest.pk)),
                    },
                }
            )
        return {"day": timezone.localdate(now), "programs": programs, "total": sum(p["total"] for p in programs)}

    return ReminderParts(None, links.officer_inbox_path(), context)


BUILDERS: dict[str, Builder] = {
    ReminderKind.CALL_CLOSING: _call_closing,
    ReminderKind.INFO_DUE: _info_request,
    ReminderKind.INFO_OVERDUE: _info_request,
    ReminderKind.OUTCOME_DUE: _outcome_report,
    ReminderKind.OUTCOME_OVERDUE: _outcome_report,
    ReminderKind.REVIEW_OVERDUE: _review_overdue,
    ReminderKind.OFFICER_DIGEST: _officer_digest,
}
