"""Which reminders are due, and queuing each of them at most once.

``reminders_sweep`` runs every 15 minutes, ``digests_sweep`` every morning (see
CELERY_BEAT_SCHEDULE). A sweep decides what is due and inserts the sent-log rows in one
transaction; the unique key on ``Reminder`` turns a reminder that some sweep already queued
into a no-op, so a sweep run twice, re-delivered, or racing another sweep queues nothing
twice. Sending happens in ``notifications.delivery``, one task per inserted row, enqueued
only after the transaction commits.

Day counts are calendar days in the agency's time zone: a call closing on the 20th gets its
7-day reminder on the 13th, whatever the hour of the sweep. A reminder is due on exactly its
day; a day on which no sweep ran (beat down all day) is not caught up, because a "7 days
left" mail on day 5 would be wrong.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from applications.models import Application, InfoRequest, OutcomeReport
from applications.workflow import Status
from firms.models import FirmMembership
from notifications.models import Reminder, ReminderKind
from notifications.selectors import officers_with_waiting_work
from programs.models import Program, ProgramOfficer

# Waiting for an officer to act, measured against the program's review target.
REVIEW_WAITING = (Status.ELIGIBLE, Status.UNDER_REVIEW)
# Outcome reports the firm still has to file.
OUTCOME_PENDING = (OutcomeReport.ReportStatus.DRAFT, OutcomeReport.ReportStatus.RETURNED)


@dataclass(frozen=True)
class Due:
    """One reminder a sweep decided to send; its fields are the sent-log's unique key."""

    recipient_id: int
    kind: str
    subject: models.Model
    deadline: dt.datetime
    offset_days: int


# --- Calendar helpers ------------------------------------------------------------------------


def _today(now: dt.datetime) -> dt.date:
    return timezone.localdate(now, timezone.get_default_timezone())


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_default_timezone())


def _overdue_offset(days_late: int) -> int:
    """The sent-log offset of an overdue notice ``days_late`` days after the deadline.

    With no repeat cadence every day late maps to -1, so the notice goes out once per
    deadline. With REMINDER_OVERDUE_REPEAT_DAYS = N, days 1..N map to -1, N+1..2N to -(N+1)
    and so on: one new notice per period.
    """
    repeat = settings.REMINDER_OVERDUE_REPEAT_DAYS
    if repeat <= 0:
        return -1
    return -(((days_late - 1) // repeat) * repeat + 1)


def _firm_users(firm_ids: Iterable[int]) -> dict[int, list[int]]:
    users: dict[int, list[int]] = defaultdict(list)
    rows = FirmMembership.objects.filter(firm_id__in=set(firm_ids), user__is_active=True).order_by("user_id")
    for firm_id, user_id in rows.values_list("firm_id", "user_id"):
        users[firm_id].append(user_id)
    return users


# --- What is due -----------------------------------------------------------------------------


def _calls_closing(now: dt.datetime) -> list[Due]:
    """Every active user of a firm with a draft on a call that closes in exactly one of
    REMINDER_CALL_CLOSING_DAYS days."""
    offsets = settings.REMINDER_CALL_CLOSING_DAYS
    if not offsets:
        return []
    today = _today(now)
    horizon = _day_start(today + dt.timedelta(days=max(offsets) + 1))
    drafts = list(
        Application.objects.filter(
            status=Status.DRAFT, program__closes_at__gt=now, program__closes_at__lt=horizon
        ).select_related("program")
    )
    users = _firm_users(a.firm_id for a in drafts)
    due = []
    for application in drafts:
        closes_at = application.program.closes_at
        days_left = (_today(closes_at) - today).days
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
            kind, offset = overdue_kind, _overdue_offset(-days_left)
        else:
            continue
        for user_id in users[item.application.firm_id]:
            due.append(Due(user_id, kind, item, _day_start(item.due_on), offset))
    return due


def _info_requests(now: dt.datetime) -> list[Due]:
    offsets = settings.REMINDER_INFO_DUE_DAYS
    today = _today(now)
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
    today = _today(now)
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
            due.append(Due(user_id, ReminderKind.REVIEW_OVERDUE, application, deadline, _overdue_offset(days_late)))
    return due


def _digests(now: dt.datetime) -> list[Due]:
    officer_ids = officers_with_waiting_work(statuses=settings.REMINDER_DIGEST_STATUSES)
    officers = get_user_model().objects.in_bulk(officer_ids)
    day = _day_start(_today(now))
    return [Due(pk, ReminderKind.OFFICER_DIGEST, officers[pk], day, 0) for pk in officer_ids]


def reminders_due(*, now: dt.datetime) -> list[Due]:
    """Everything the 15-minute sweep would queue at ``now``, before the sent-log filters
    out what is already queued."""
    return _calls_closing(now) + _info_requests(now) + _outcome_reports(now) + _reviews_overdue(now)


# --- Queuing -----------------------------------------------------------------------------------


def _insert(rows: list[Reminder]) -> None:
    # INSERT … ON CONFLICT DO NOTHING on the unique key. A concurrent sweep inserting the same
    # key blocks on our uncommitted row until we commit, then inserts nothing.
    Reminder.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)


def _queue(due: list[Due], *, now: dt.datetime) -> list[int]:
    """Insert the sent-log rows for ``due`` and return the ids this call inserted; their
    send tasks are enqueued once the surrounding transaction commits."""
    from notifications.delivery import enqueue_reminders

    sweep_id = uuid.uuid4()
    rows: dict[tuple[object, ...], Reminder] = {}
    for item in due:
        subject_type = ContentType.objects.get_for_model(item.subject)
        key = (item.recipient_id, item.kind, subject_type.pk, item.subject.pk, item.deadline, item.offset_days)
        rows[key] = Reminder(
            recipient_id=item.recipient_id,
            kind=item.kind,
            subject_type=subject_type,
            subject_id=item.subject.pk,
            deadline=item.deadline,
            offset_days=item.offset_days,
            sweep_id=sweep_id,
            created_at=now,
            next_attempt_at=now,
        )
    if not rows:
        return []
    _insert(list(rows.values()))
    # ignore_conflicts leaves the new rows without primary keys; the sweep id finds exactly
    # the rows this sweep inserted, and none that an earlier or a concurrent sweep did.
    ids = list(Reminder.objects.filter(sweep_id=sweep_id).order_by("pk").values_list("pk", flat=True))
    transaction.on_commit(lambda: enqueue_reminders(ids))
    return ids


@transaction.atomic
def reminders_sweep(*, now: dt.datetime | None = None) -> list[int]:
    """Queue every deadline reminder due at ``now``; returns the ids of the new rows."""
    now = now or timezone.now()
    return _queue(reminders_due(now=now), now=now)


@transaction.atomic
def digests_sweep(*, now: dt.datetime | None = None) -> list[int]:
    """Queue today's digest for every officer with work waiting; once per officer and day."""
    now = now or timezone.now()
    return _queue(_digests(now), now=now)
