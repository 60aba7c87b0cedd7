"""Celery tasks for reminders: thin wrappers around ``notifications.reminders`` and
``notifications.delivery``. Schedules are in ``CELERY_BEAT_SCHEDULE``.

Every task is safe to run twice: the sweeps insert against a unique key, and a send claims
its row before it acts. ``acks_late`` (with ``task_reject_on_worker_lost`` in settings) means
a worker that dies mid-task leaves the message to be delivered again.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.conf import settings

from notifications import delivery, reminders
from sme_support.task_retry import OUTAGE_BACKOFF_MAX, OUTAGE_ERRORS, SWEEP_MAX_RETRIES


@shared_task(
    acks_late=True,
    autoretry_for=OUTAGE_ERRORS,
    retry_backoff=True,
    retry_backoff_max=OUTAGE_BACKOFF_MAX,
    max_retries=SWEEP_MAX_RETRIES,
)
def reminders_sweep() -> int:
    return len(reminders.reminders_sweep())


@shared_task(
    acks_late=True,
    autoretry_for=OUTAGE_ERRORS,
    retry_backoff=True,
    retry_backoff_max=OUTAGE_BACKOFF_MAX,
    max_retries=SWEEP_MAX_RETRIES,
)
def officer_digest() -> int:
    return len(reminders.digests_sweep())


@shared_task(
    acks_late=True,
    autoretry_for=OUTAGE_ERRORS,
    retry_backoff=True,
    retry_backoff_max=OUTAGE_BACKOFF_MAX,
    max_retries=SWEEP_MAX_RETRIES,
)
def requeue_stuck_reminders() -> int:
    return len(delivery.reminders_requeue_stuck())


@shared_task(
    bind=True,
    acks_late=True,
    # Unexpected errors (the database away, say) retry with Celery's own backoff; a failed
    # send is counted on the row and retried below with the row's backoff.
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=OUTAGE_BACKOFF_MAX,
    # Bounds the chain of messages; the row's REMINDER_MAX_ATTEMPTS bounds the sends. A row
    # left QUEUED when these run out is picked up again by requeue_stuck_reminders.
    max_retries=settings.REMINDER_MAX_ATTEMPTS + 5,
)
def send_reminder(self: Any, reminder_id: int) -> str:
    result = delivery.reminder_deliver(reminder_id=reminder_id)
    if result.retry_in is not None:
        raise self.retry(countdown=result.retry_in)
    return result.outcome.value
