"""Celery tasks: thin wrappers that load ids and call the services."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from applications.decisions.fcfs import fcfs_decide_backlog as decide_fcfs_backlog
from applications.decisions.offers import waitlist_expire_offers
from applications.decisions.waitlist import waitlist_offer_free_capacity, waitlist_promote
from applications.eligibility.recheck import enqueue_recheck, program_recheck, programs_with_stale_results
from applications.eligibility.screening import application_screen
from applications.intake.services import enqueue_screening
from applications.models import Application
from applications.workflow import Status
from sme_support.task_retry import OUTAGE_BACKOFF_MAX, OUTAGE_ERRORS, SWEEP_MAX_RETRIES, WORK_MAX_RETRIES

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=OUTAGE_BACKOFF_MAX,
    max_retries=WORK_MAX_RETRIES,
)
def screen_application(self: object, application_id: int) -> str | None:
    application = application_screen(application_id=application_id)
    return application.status if application else None


@shared_task(
    acks_late=True,
    autoretry_for=OUTAGE_ERRORS,
    retry_backoff=True,
    retry_backoff_max=OUTAGE_BACKOFF_MAX,
    max_retries=SWEEP_MAX_RETRIES,
)
def requeue_stuck_screening() -> int:
    """Re-enqueue applications that were submitted but never screened (broker down at
    submit time, worker lost). Screening is idempotent, so a duplicate is harmless."""
    cutoff = timezone.now() - settings.SCREENING_STUCK_AFTER
    ids = list(
        Application.objects.filter(
            status__in=[Status.SUBMITTED, Status.SCREENING], status_changed_at__lt=cutoff
        ).values_list("pk", flat=True)[:1000]
    )
    enqueued = 0
    # A copy lives until the next sweep may send another, so a backlog does not keep growing.
    expires = max(settings.SCREENING_SWEEP_SECONDS, settings.SCREENING_STUCK_AFTER.total_seconds())
    for pk in ids:
        # With the broker still down every publish would wait out its timeout; stop at the
        # first failure and leave the rest to the next run.
        if not enqueue_screening(pk, expires=expires):
            break
        enqueued += 1
    if ids:
        logger.info("Re-enqueued screening for %d of %d waiting applications", enqueued, len(ids))
    return enqueued


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=OUTAGE_BACKOFF_MAX,
    max_retries=WORK_MAX_RETRIES,
)
def recheck_program(self: object, program_id: int) -> int:
    """Re-check a program's open applications after its rules changed (idempotent)."""
    return program_recheck(program_id=program_id)


@shared_task(
    acks_late=True,
    autoretry_for=OUTAGE_ERRORS,
    retry_backoff=True,
    retry_backoff_max=OUTAGE_BACKOFF_MAX,
    max_retries=SWEEP_MAX_RETRIES,
)
def requeue_stale_rechecks() -> int:
    """Re-enqueue the re-check of programs whose open applications are still judged under
    older rules (the broker was down when the rules changed, or the task failed for good).
    Rules changed in the last ``RECHECK_STALE_AFTER`` are left to the re-check under way."""
    program_ids = programs_with_stale_results(settled_before=timezone.now() - settings.RECHECK_STALE_AFTER)
    for program_id in program_ids:
        enqueue_recheck(program_id)
    if program_ids:
        logger.info("Re-enqueued the eligibility re-check of %d programs", len(program_ids))
    return len(program_ids)


@shared_task(
    acks_late=True,
    autoretry_for=OUTAGE_ERRORS,
    retry_backoff=True,
    retry_backoff_max=OUTAGE_BACKOFF_MAX,
    max_retries=SWEEP_MAX_RETRIES,
)
def waitlist_sweep() -> dict[str, int]:
    """Expire waitlist offers past their deadline (each passes its place on), then offer any
    free capacity an active waitlist is waiting for. Each offer is handled in its own
    transaction and re-checked under its lock, so a duplicate run does nothing twice."""
    expired = waitlist_expire_offers()
    offered = waitlist_offer_free_capacity()
    if expired or offered:
        logger.info("Waitlist sweep: %d offers expired, %d places offered", expired, offered)
    return {"expired": expired, "offered": offered}


@shared_task(
    acks_late=True,
    autoretry_for=OUTAGE_ERRORS,
    retry_backoff=True,
    retry_backoff_max=OUTAGE_BACKOFF_MAX,
    max_retries=SWEEP_MAX_RETRIES,
)
def fcfs_decide_backlog() -> int:
    """Decide first come, first served applications that became eligible without screening
    (an override, a rules re-check); deciding re-checks the status under the row lock."""
    decided = decide_fcfs_backlog()
    if decided:
        logger.info("Decided %d first come, first served applications", decided)
    return decided


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=OUTAGE_BACKOFF_MAX,
    max_retries=WORK_MAX_RETRIES,
)
def waitlist_promote_program(self: object, program_id: int) -> int:
    """Offer a program's free capacity to its waitlist (a promotion that passed over a busy
    application asks for this); idempotent — nothing free, nothing offered."""
    with transaction.atomic():
        return len(waitlist_promote(program_id=program_id))
