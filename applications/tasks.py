"""Celery tasks: thin wrappers that load ids and call the services."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from applications import services
from applications.models import Application
from applications.workflow import Status

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def screen_application(self: object, application_id: int) -> str | None:
    application = services.application_screen(application_id=application_id)
    return application.status if application else None


@shared_task(acks_late=True)
def requeue_stuck_screening() -> int:
    """Re-enqueue applications that were submitted but never screened (broker down at
    submit time, worker lost). Screening is idempotent, so a duplicate is harmless."""
    cutoff = timezone.now() - settings.SCREENING_STUCK_AFTER
    ids = list(
        Application.objects.filter(
            status__in=[Status.SUBMITTED, Status.SCREENING], status_changed_at__lt=cutoff
        ).values_list("pk", flat=True)[:1000]
    )
    for pk in ids:
        services.enqueue_screening(pk)
    if ids:
        logger.info("Re-enqueued screening for %d applications", len(ids))
    return len(ids)
