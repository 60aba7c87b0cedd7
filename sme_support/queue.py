"""Handing work to the Celery workers by the task's registered name.

Services enqueue follow-up work (screening after a submission, a re-check after a rules
change, a waitlist promotion) without importing the tasks modules: those are doors that
import the services, and importing them back would close a cycle. A task's name is its
module path and function name (``applications.tasks.screen_application``); the registry
lookup fails loudly on a typo.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import current_app
from celery.result import AsyncResult

logger = logging.getLogger(__name__)


def enqueue(task_name: str, *args: Any, **options: Any) -> AsyncResult:
    """``delay`` (``apply_async`` when given options) on the registered task, eagerly under
    ``CELERY_TASK_ALWAYS_EAGER`` like any other call."""
    task = current_app.tasks[task_name]
    return task.apply_async(args, **options) if options else task.delay(*args)


def enqueue_or_leave_to_sweeper(task_name: str, *args: Any, what: str, **options: Any) -> bool:
    """``enqueue``, but a broker outage only logs: the caller's work is committed, and the
    sweeper that covers this task (see ``CELERY_BEAT_SCHEDULE``) hands it over later. The
    broker settings make an unreachable broker fail within about two seconds. ``what`` names
    the work in the log line ("screening of application 12")."""
    try:
        enqueue(task_name, *args, **options)
    except Exception:  # the broker is down or refuses; the sweeper retries
        logger.warning("Could not enqueue %s; the sweeper will retry.", what, exc_info=True)
        return False
    return True
