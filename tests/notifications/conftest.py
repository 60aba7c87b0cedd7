from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from notifications.services import language_set
from sme_support.celery import app as celery_app
from tests.factories import firm_user

SEOUL = ZoneInfo("Asia/Seoul")


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    """A moment in the agency's time zone."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=SEOUL)


@pytest.fixture
def eager_celery():
    """Run tasks in-process: the send task enqueued on commit runs at once, through the same
    task code a worker runs (the wiring through a real worker is tested in tests/worker)."""
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.task_eager_propagates
    conf.task_always_eager, conf.task_eager_propagates = True, True
    yield
    conf.task_always_eager, conf.task_eager_propagates = saved


@pytest.fixture
def run_sweep(django_capture_on_commit_callbacks, eager_celery):
    """Call a sweep and run what it enqueues on commit (the sends), as a worker would."""

    def run(sweep, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return sweep(**kwargs)

    return run


def speaker(firm, *, username: str, language: str, **kwargs):
    """A firm user with an email address and a language preference."""
    user = firm_user(firm, username=username, email=f"{username}@example.test", **kwargs)
    language_set(user=user, language=language)
    return user
