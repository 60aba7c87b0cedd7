"""Sending a queued reminder exactly once, and getting stuck ones going again.

A reminder row moves QUEUED → SENDING → SENT, or back to QUEUED with a backoff after a
failed attempt, or to FAILED after the last one. Every move is a conditional UPDATE on the
state the mover saw, so of two workers holding the same row only one acts (healthchecks'
``sendalerts``: "another worker got there first").

A worker that dies while SENDING leaves a claim nobody releases; once that claim is older
than REMINDER_STUCK_AFTER any worker may take it over. That window must exceed the longest
real send (EMAIL_TIMEOUT), or a slow send could be repeated — the settings refuse a shorter
one. The one case that can still send twice is a worker dying after the mail server
accepted the message and before the row was marked SENT: email offers no transaction to
join, and we prefer a rare duplicate to a reminder lost.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from notifications import mail
from notifications.models import Notification, Reminder, ReminderState
from notifications.reminder_mail import ReminderMessage, SubjectGone, compose
from sme_support.queue import enqueue_or_leave_to_sweeper

logger = logging.getLogger(__name__)


class Outcome(StrEnum):
    SENT = "sent"
    # Another worker already finished it (sent or failed for good), or it no longer exists.
    DONE = "done"
    # Another worker holds a fresh claim on it; look again once that claim could be stale.
    IN_FLIGHT = "in_flight"
    # This attempt failed; the row is queued again for after the backoff.
    RETRY = "retry"
    FAILED = "failed"


@dataclass(frozen=True)
class Delivery:
    outcome: Outcome
    retry_in: int | None = None


def _backoff(attempt: int) -> int:
    base = settings.REMINDER_RETRY_BACKOFF_SECONDS
    return int(min(base * 2 ** max(attempt - 1, 0), settings.REMINDER_RETRY_BACKOFF_MAX_SECONDS))


def _claim(reminder_id: int, now: dt.datetime) -> bool:
    """QUEUED → SENDING, or take over a SENDING claim gone stale. Counts the attempt."""
    stale_before = now - settings.REMINDER_STUCK_AFTER
    claimed = (
        Reminder.objects.filter(pk=reminder_id)
        .filter(Q(state=ReminderState.QUEUED) | Q(state=ReminderState.SENDING, claimed_at__lt=stale_before))
        .update(state=ReminderState.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    return claimed == 1


def _ours(reminder: Reminder, attempt: int) -> QuerySet[Reminder]:
    # The attempt number identifies a claim: a worker that took over a stale claim has
    # bumped it, so the original holder's later writes match nothing.
    return Reminder.objects.filter(pk=reminder.pk, state=ReminderState.SENDING, attempts=attempt)


def _record_failure(reminder: Reminder, attempt: int, error: str, *, now: dt.datetime, final: bool) -> Delivery:
    final = final or attempt >= settings.REMINDER_MAX_ATTEMPTS
    delay = _backoff(attempt)
    if final:
        fields = {"state": ReminderState.FAILED, "failed_at": now}
    else:
        fields = {"state": ReminderState.QUEUED, "next_attempt_at": now + dt.timedelta(seconds=delay)}
    if not _ours(reminder, attempt).update(last_error=error[:2000], **fields):
        return Delivery(Outcome.DONE)
    if final:
        logger.error("Reminder %s failed for good after %d attempts: %s", reminder.pk, attempt, error)
        return Delivery(Outcome.FAILED)
    logger.warning("Reminder %s attempt %d failed, retrying in %ds: %s", reminder.pk, attempt, delay, error)
    return Delivery(Outcome.RETRY, retry_in=delay)


def _record_sent(
    reminder: Reminder, attempt: int, message: ReminderMessage, *, now: dt.datetime, note: str
) -> Delivery:
    # The in-app notification is written in the same transaction that marks the row SENT,
    # and only if this worker still holds the claim: exactly one per reminder.
    with transaction.atomic():
        notification = Notification.objects.create(
            user_id=reminder.recipient_id,
            kind=f"reminder.{reminder.kind}",
            title=message.mail.subject,
            body=message.mail.summary,
            url=message.path,
            application_id=message.application.pk if message.application is not None else None,
        )
        marked = _ours(reminder, attempt).update(
            state=ReminderState.SENT,
            sent_at=now,
            notification=notification,
            language=message.language,
            subject_line=message.mail.subject,
            last_error=note,
        )
        if not marked:
            transaction.set_rollback(True)
    if not marked:
        logger.warning("Reminder %s was taken over by another worker while this one sent it.", reminder.pk)
        return Delivery(Outcome.DONE)
    return Delivery(Outcome.SENT)


def reminder_deliver(*, reminder_id: int, now: dt.datetime | None = None) -> Delivery:
    """Send one queued reminder (the send task's job).

    1. Claim the row with a conditional UPDATE; if that matches nothing, someone else has
       it (or had it) and we stop.
    2. Compose the mail in the recipient's language from the row's subject.
    3. Hand it to the email backend (a user without an address gets the in-app copy only).
    4. Mark it SENT and write the in-app notification in one transaction — or, on failure,
       record the error and queue it again with a backoff, FAILED after the last attempt.
    """
    now = now or timezone.now()
    if not _claim(reminder_id, now):
        state = Reminder.objects.filter(pk=reminder_id).values_list("state", flat=True).first()
        if state == ReminderState.SENDING:
            return Delivery(Outcome.IN_FLIGHT, retry_in=int(settings.REMINDER_STUCK_AFTER.total_seconds()) + 1)
        return Delivery(Outcome.DONE)
    reminder = Reminder.objects.select_related("recipient", "subject_type").get(pk=reminder_id)
    attempt = reminder.attempts
    try:
        message = compose(reminder, now=now)
    except SubjectGone as exc:
        return _record_failure(reminder, attempt, str(exc), now=now, final=True)
    except Exception as exc:
        logger.exception("Could not compose reminder %s", reminder_id)
        return _record_failure(reminder, attempt, f"{type(exc).__name__}: {exc}", now=now, final=False)
    address = reminder.recipient.email
    if address:
        try:
            mail.deliver(to=address, mail=message.mail, headers={"X-Reminder-Id": str(reminder.pk)})
        except Exception as exc:
            return _record_failure(reminder, attempt, f"{type(exc).__name__}: {exc}", now=now, final=False)
    note = "" if address else "The recipient has no email address; sent as an in-app notification only."
    return _record_sent(reminder, attempt, message, now=now, note=note)


# --- Enqueuing and the sweeper -------------------------------------------------------------------


def enqueue_reminders(reminder_ids: Iterable[int]) -> int:
    """Enqueue a send task per id; returns how many were handed to the broker.

    Stops at the first broker error: the rest stay QUEUED and the requeue sweeper enqueues
    them later, so an outage costs one fast failure rather than one per row.
    """
    sent = 0
    for pk in reminder_ids:
        if not enqueue_or_leave_to_sweeper("notifications.tasks.send_reminder", pk, what=f"reminder {pk}"):
            break
        sent += 1
    return sent


def reminders_requeue_stuck(*, now: dt.datetime | None = None, limit: int = 1000) -> list[int]:
    """Enqueue again the rows that have waited longer than REMINDER_STUCK_AFTER: QUEUED ones
    whose task never ran (broker down, message lost) and SENDING ones whose worker died."""
    now = now or timezone.now()
    cutoff = now - settings.REMINDER_STUCK_AFTER
    ids = list(
        Reminder.objects.filter(
            Q(state=ReminderState.QUEUED, next_attempt_at__lt=cutoff)
            | Q(state=ReminderState.SENDING, claimed_at__lt=cutoff)
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    if not ids:
        return []
    # Restart the clock of the QUEUED ones, so that the next sweep leaves them to this
    # message instead of enqueueing another while it waits for a worker.
    Reminder.objects.filter(pk__in=ids, state=ReminderState.QUEUED, next_attempt_at__lt=cutoff).update(
        next_attempt_at=now
    )
    enqueued = enqueue_reminders(ids)
    logger.info("Re-enqueued %d of %d stuck reminders", enqueued, len(ids))
    return ids


@transaction.atomic
def reminders_retry_failed(*, reminder_ids: Iterable[int], now: dt.datetime | None = None) -> list[int]:
    """Give FAILED reminders a fresh set of attempts (an admin action, after fixing the cause)."""
    now = now or timezone.now()
    ids = list(
        Reminder.objects.select_for_update()
        .filter(pk__in=list(reminder_ids), state=ReminderState.FAILED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    Reminder.objects.filter(pk__in=ids).update(
        state=ReminderState.QUEUED, attempts=0, failed_at=None, next_attempt_at=now
    )
    transaction.on_commit(lambda: enqueue_reminders(ids))
    return ids
