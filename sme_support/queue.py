"""Handing work to the Celery workers by the task's registered name.

Services enqueue follow-up work (screening after a submission, a re-check after a rules
change, a waitlist promotion) without importing the tasks modules: those are doors that
import the services, and importing them back would close a cycle. A task's name is its
module path and function name (``applications.tasks.screen_application``); the registry
lookup fails loudly on a typo.
"""

from __future__ import annotations

from typing import Any

from celery import current_app
from celery.result import AsyncResult


def enqueue(task_name: str, *args: Any, **options: Any) -> AsyncResult:
    """``apply_async`` on the registered task (eagerly under ``CELERY_TASK_ALWAYS_EAGER``)."""
    return current_app.tasks[task_name].apply_async(args=args, **options)
