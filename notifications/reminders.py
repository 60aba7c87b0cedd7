"""Which reminders are due, and queuing each of them at most once.

Each domain app registers what it reminds people of (``register_reminders``, from its
``AppConfig.ready``): a function that lists the deadline reminders due at a moment, one that
lists the morning digests, and, for each reminder kind, what the mail says
(``notifications.reminder_mail.register_composer``). ``reminders_sweep`` runs every 15
minutes, ``digests_sweep`` every morning (see CELERY_BEAT_SCHEDULE). A sweep decides what is due and inserts the sent-log rows in one
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
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from notifications.delivery import enqueue_reminders
from notifications.models import Reminder

# Decides, at a moment, which reminders of one domain are due (``register_reminders``).
DueSource = Callable[[dt.datetime], list["Due"]]


@dataclass(frozen=True)
class Due:
    """One reminder a sweep decided to send; its fields are the sent-log's unique key."""

    recipient_id: int
    kind: str
    subject: models.Model
    deadline: dt.datetime
    offset_days: int


# --- Calendar helpers ------------------------------------------------------------------------


def today_in(now: dt.datetime) -> dt.date:
    return timezone.localdate(now, timezone.get_default_timezone())


def day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_default_timezone())


def overdue_offset(days_late: int) -> int:
    """The sent-log offset of an overdue notice ``days_late`` days after the deadline.

    With no repeat cadence every day late maps to -1, so the notice goes out once per
    deadline. With REMINDER_OVERDUE_REPEAT_DAYS = N, days 1..N map to -1, N+1..2N to -(N+1)
    and so on: one new notice per period.
    """
    repeat = settings.REMINDER_OVERDUE_REPEAT_DAYS
    if repeat <= 0:
        return -1
    return -(((days_late - 1) // repeat) * repeat + 1)


# --- What is due: registered by the domain apps ------------------------------------------------

_deadline_sources: list[DueSource] = []
_digest_sources: list[DueSource] = []


def register_reminders(*, deadlines: DueSource | None = None, digests: DueSource | None = None) -> None:
    """Called once per domain app when Django starts (its ``AppConfig.ready``)."""
    if deadlines is not None and deadlines not in _deadline_sources:
        _deadline_sources.append(deadlines)
    if digests is not None and digests not in _digest_sources:
        _digest_sources.append(digests)


def reminders_due(*, now: dt.datetime) -> list[Due]:
    """Everything the 15-minute sweep would queue at ``now``, before the sent-log filters
    out what is already queued."""
    return [due for source in _deadline_sources for due in source(now)]


def digests_due(*, now: dt.datetime) -> list[Due]:
    return [due for source in _digest_sources for due in source(now)]


# --- Queuing -----------------------------------------------------------------------------------


def _insert(rows: list[Reminder]) -> None:
    # INSERT … ON CONFLICT DO NOTHING on the unique key. A concurrent sweep inserting the same
    # key blocks on our uncommitted row until we commit, then inserts nothing.
    Reminder.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)


def _queue(due: list[Due], *, now: dt.datetime) -> list[int]:
    """Insert the sent-log rows for ``due`` and return the ids this call inserted; their
    send tasks are enqueued once the surrounding transaction commits."""
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
    return _queue(digests_due(now=now), now=now)
