"""The eligibility check after a submission: the worker's job, one application at a time.

``intake.services.application_submit`` enqueues it once the submission has committed; the
worker moves the application submitted → screening → eligible or ineligible with the results
stored on it, and a first-come-first-served program decides an eligible one at once.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from applications.decisions.fcfs import fcfs_on_eligible
from applications.eligibility.engine import evaluate
from applications.models import Application
from applications.transitions import apply_transition, lock_application
from applications.workflow import Status


@transaction.atomic
def application_screen(*, application_id: int) -> Application | None:
    """Run the eligibility check for a submitted application (the worker's job).

    Idempotent: a re-delivered task finds the application already screened and does nothing.
    """
    try:
        locked = lock_application(application_id)
    except Application.DoesNotExist:
        return None
    if locked.status == Status.SUBMITTED:
        apply_transition(application=locked, name="start_screening", actor=None)
    if locked.status != Status.SCREENING:
        return locked
    outcome = evaluate(locked)
    locked.eligibility_results = outcome.results
    locked.eligibility_rules_version = outcome.rules_version
    locked.eligibility_checked_at = timezone.now()
    locked.save(update_fields=["eligibility_results", "eligibility_rules_version", "eligibility_checked_at"])
    apply_transition(application=locked, name="mark_eligible" if outcome.passed else "mark_ineligible", actor=None)
    if outcome.passed:
        # First come, first served: decided the moment it is found eligible (decisions.fcfs).
        fcfs_on_eligible(application=locked)
    return locked
