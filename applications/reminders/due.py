"""Which application reminders are due: calls closing on a firm's draft, information
requests and outcome reports coming due or overdue, applications waiting past their
program's review target, and the officers' morning digest. Registered with
``notifications.reminders`` when Django starts; each is queued at most once by the sent-log.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import User

from applications.models import Application, InfoRequest, OutcomeReport
from applications.reminders.selectors import officers_with_waiting_work
from applications.workflow import Status
from firms.models import FirmMembership
from notifications.models import ReminderKind
from notifications.reminders import Due, day_start, overdue_offset, today_in
from programs.models import Program, ProgramOfficer

# Waiting for an officer to act, measured against the program's review target.
REVIEW_WAITING = (Status.ELIGIBLE, Status.UNDER_REVIEW)
# Outcome reports the firm still has to file.
OUTCOME_PENDING = (OutcomeReport.ReportStatus.DRAFT, OutcomeReport.ReportStatus.RETURNED)


def _firm_users(firm_ids: Iterable[int]) -> dict[int, list[int]]:
    users: dict[int, list[int]] = defaultdict(list)
    rows = FirmMembership.objects.filter(firm_id__in=set(firm_ids), user__is_active=True).order_by("user_id")
    for firm_id, user_id in rows.values_list("firm_id", "user_id"):
        users[firm_id].append(user_id)
    return users


def _calls_closing(now: dt.datetime) -> list[Due]:
    """Every active user of a firm with a draft on a call that closes in exactly one of
    REMINDER_CALL_CLOSING_DAYS days."""
    offsets = settings.REMINDER_CALL_CLOSING_DAYS
    if not offsets:
        return []
    today = today_in(now)
    horizon = day_start(today + dt.timedelta(days=max(offsets) + 1))
    drafts = list(
        Application.objects.filter(
            status=Status.DRAFT, program__closes_at__gt=now, program__closes_at__lt=horizon
        ).select_related("program")
    )
    users = _firm_users(a.firm_id for a in drafts)
    due = []
    for application in drafts:
        closes_at = application.program.closes_at
        days_left = (today_in(closes_at) - today).days
        if days_left not in offsets:
            continue
        for user_id in users[application.firm_id]:
            due.append(Due(user_id, ReminderKind.CALL_CLOSING, application, closes_at, days_left))
    return due


def _dated(
    *,
    items: Iterable[InfoRequest | OutcomeReport],
    offsets: tuple[int, ...],
    today: dt.date,
    due_kind: str,
    overdue_kind: str,
) -> list[Due]:
    """Reminders for items with a ``due_on`` date, sent to the firm's users: ahead of the
    date on each of ``offsets`` days, and once (or per repeat period) once it has passed."""
    items = list(items)
    users = _firm_users(item.application.firm_id for item in items)
    due = []
    for item in items:
        days_left = (item.due_on - today).days
        if days_left in offsets:
            kind, offset = due_kind, days_left
        elif days_left < 0:
            kind, offset = overdue_kind, overdue_offset(-days_left)
        else:
            continue
        for user_id in users[item.application.firm_id]:
            due.append(Due(user_id, kind, item, day_start(item.due_on), offset))
    return due


def _info_requests(now: dt.datetime) -> list[Due]:
    offsets = settings.REMINDER_INFO_DUE_DAYS
    today = today_in(now)
    open_requests = InfoRequest.objects.filter(
        answered_at__isnull=True,
        application__status=Status.INFO_REQUESTED,
        due_on__lte=today + dt.timedelta(days=max(offsets, default=0)),
    ).select_related("application")
    return _dated(
        items=open_requests,
        offsets=offsets,
        today=today,
        due_kind=ReminderKind.INFO_DUE,
        overdue_kind=ReminderKind.INFO_OVERDUE,
    )


def _outcome_reports(now: dt.datetime) -> list[Due]:
    offsets = settings.REMINDER_OUTCOME_DUE_DAYS
    today = today_in(now)
    pending = OutcomeReport.objects.filter(
        status__in=OUTCOME_PENDING,
        application__status=Status.APPROVED,
        due_on__lte=today + dt.timedelta(days=max(offsets, default=0)),
    ).select_related("application")
    return _dated(
        items=pending,
        offsets=offsets,
        today=today,
        due_kind=ReminderKind.OUTCOME_DUE,
        overdue_kind=ReminderKind.OUTCOME_OVERDUE,
    )


def _reviews_overdue(now: dt.datetime) -> list[Due]:
    """The assigned officers of every application that has waited in eligible or
    under_review longer than its program's review target, counted from the status change."""
    targets = (
        Program.objects.filter(applications__status__in=REVIEW_WAITING)
        .order_by()
        .values_list("review_target_days", flat=True)
        .distinct()
    )
    waiting: list[Application] = []
    # One query per distinct target (a handful), so the cut-off is a plain indexed comparison.
    for target in targets:
        waiting += Application.objects.filter(
            status__in=REVIEW_WAITING,
            program__review_target_days=target,
            status_changed_at__lt=now - dt.timedelta(days=target),
        ).select_related("program")
    officers: dict[int, list[int]] = defaultdict(list)
    assignments = ProgramOfficer.objects.filter(
        program_id__in={a.program_id for a in waiting}, user__is_active=True
    ).order_by("user_id")
    for program_id, user_id in assignments.values_list("program_id", "user_id"):
        officers[program_id].append(user_id)
    due = []
    for application in waiting:
        assert application.status_changed_at is not None  # filtered above
        deadline = application.status_changed_at + dt.timedelta(days=application.program.review_target_days)
        days_late = (now - deadline).days + 1
        for user_id in officers[application.program_id]:
            due.append(Due(user_id, ReminderKind.REVIEW_OVERDUE, application, deadline, overdue_offset(days_late)))
    return due


def deadlines_due(now: dt.datetime) -> list[Due]:
    """The application reminders the 15-minute sweep queues at ``now``."""
    return _calls_closing(now) + _info_requests(now) + _outcome_reports(now) + _reviews_overdue(now)


def digests_due(now: dt.datetime) -> list[Due]:
    """Today's digest for every officer with work waiting."""
    officer_ids = officers_with_waiting_work(statuses=settings.REMINDER_DIGEST_STATUSES)
    officers = User.objects.in_bulk(officer_ids)
    day = day_start(today_in(now))
    return [Due(pk, ReminderKind.OFFICER_DIGEST, officers[pk], day, 0) for pk in officer_ids]
