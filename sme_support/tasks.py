"""Housekeeping of the project's own state (scheduled in ``CELERY_BEAT_SCHEDULE``)."""

from __future__ import annotations

from celery import shared_task

from sme_support import idempotency
from sme_support.task_retry import OUTAGE_BACKOFF_MAX, OUTAGE_ERRORS, SWEEP_MAX_RETRIES


@shared_task(
    acks_late=True,
    autoretry_for=OUTAGE_ERRORS,
    retry_backoff=True,
    retry_backoff_max=OUTAGE_BACKOFF_MAX,
    max_retries=SWEEP_MAX_RETRIES,
)
def prune_idempotency_keys() -> int:
    return idempotency.prune()
