"""The screening wiring without a worker: a broker error never fails a submission, the
sweeper re-enqueues what waits, and screening twice does no harm."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from celery.schedules import crontab
from django.conf import settings as django_settings
from django.utils import timezone
from kombu.exceptions import OperationalError

from applications.intake.services import application_submit
from applications.models import Application
from applications.tasks import requeue_stuck_screening, screen_application
from applications.workflow import Status
from notifications.tasks import send_reminder
from sme_support.celery import app as celery_app
from tests.factories import ApplicationFactory, FirmFactory, ProgramFactory, firm_user

pytestmark = pytest.mark.django_db


def _draft():
    firm = FirmFactory()
    user = firm_user(firm)
    return ApplicationFactory(program=ProgramFactory(), firm=firm, created_by=user), user


@pytest.fixture
def draft():
    return _draft()


def _broker_down():
    return mock.patch.object(screen_application, "delay", side_effect=OperationalError("Connection refused"))


def test_a_broker_error_at_submit_leaves_the_application_submitted(draft, django_capture_on_commit_callbacks, caplog):
    application, user = draft
    with _broker_down() as delay, django_capture_on_commit_callbacks(execute=True):
        application_submit(application=application, actor=user)

    delay.assert_called_once_with(application.pk)
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert "the sweeper will retry" in caplog.text


def test_the_screening_is_enqueued_only_after_the_submission_commits(draft, django_capture_on_commit_callbacks):
    application, user = draft
    with mock.patch.object(screen_application, "delay") as delay:
        with django_capture_on_commit_callbacks() as callbacks:
            application_submit(application=application, actor=user)
        delay.assert_not_called()
        for callback in callbacks:
            callback()
    delay.assert_called_once_with(application.pk)


def test_the_sweeper_re_enqueues_only_what_has_waited_too_long(settings):
    long_ago = timezone.now() - settings.SCREENING_STUCK_AFTER - dt.timedelta(minutes=1)
    stuck, user = _draft()
    application_submit(application=stuck, actor=user)
    Application.objects.filter(pk=stuck.pk).update(status_changed_at=long_ago)
    lost_worker = ApplicationFactory(status=Status.SCREENING, status_changed_at=long_ago)
    fresh, user = _draft()
    application_submit(application=fresh, actor=user)
    ApplicationFactory(status=Status.ELIGIBLE, status_changed_at=long_ago)

    with mock.patch.object(screen_application, "apply_async") as apply_async:
        assert requeue_stuck_screening() == 2

    assert sorted(call.args[0][0] for call in apply_async.call_args_list) == sorted([stuck.pk, lost_worker.pk])
    # The sweeper's copy expires unread once the next sweep may send another, so a backlog
    # does not grow by one message per waiting application per sweep.
    for call in apply_async.call_args_list:
        assert call.kwargs["expires"] == max(
            settings.SCREENING_SWEEP_SECONDS, settings.SCREENING_STUCK_AFTER.total_seconds()
        )


def test_the_sweeper_runs_often_enough_to_screen_within_a_minute_of_the_broker_returning():
    entry = django_settings.CELERY_BEAT_SCHEDULE["requeue-stuck-screening"]
    assert entry["schedule"] + django_settings.SCREENING_STUCK_AFTER <= dt.timedelta(seconds=90)
    assert entry["schedule"] <= dt.timedelta(seconds=30)


def test_the_sweeper_stops_at_the_first_broker_error(settings):
    settings.SCREENING_STUCK_AFTER = dt.timedelta(0)
    for _ in range(3):
        application, user = _draft()
        application_submit(application=application, actor=user)

    with mock.patch.object(
        screen_application, "apply_async", side_effect=OperationalError("Connection refused")
    ) as apply_async:
        assert requeue_stuck_screening() == 0

    assert apply_async.call_count == 1


def test_screening_twice_records_one_screening(draft):
    application, user = draft
    application_submit(application=application, actor=user)

    screen_application.apply(args=[application.pk])
    screen_application.apply(args=[application.pk])

    transitions = list(application.history.values_list("transition", flat=True))
    assert transitions == ["submit", "start_screening", "mark_eligible"]


def test_tasks_acknowledge_late_and_are_redelivered_when_a_worker_is_lost():
    assert celery_app.conf.task_acks_late is True
    assert celery_app.conf.task_reject_on_worker_lost is True
    assert celery_app.conf.worker_prefetch_multiplier == 1
    for task in (screen_application, send_reminder):
        assert task.acks_late is True
        assert task.autoretry_for == (Exception,)
        assert task.retry_backoff
        # Once the database is back, the next attempt is at most half a minute away.
        assert task.retry_backoff_max <= 30


def test_one_beat_schedule_holds_every_periodic_job():
    schedule = django_settings.CELERY_BEAT_SCHEDULE
    assert schedule["requeue-stuck-screening"]["task"] == "applications.tasks.requeue_stuck_screening"
    assert schedule["reminders-sweep"]["schedule"] == dt.timedelta(minutes=15)
    assert schedule["requeue-stuck-reminders"]["schedule"] == dt.timedelta(minutes=5)
    assert django_settings.CELERY_BEAT_SCHEDULER == "sme_support.beat:Scheduler"
    assert schedule["officer-digest"]["schedule"] == crontab(hour=8, minute=0)
    assert django_settings.CELERY_TIMEZONE == "Asia/Seoul"
    celery_app.loader.import_default_modules()  # what a worker does on start: every app's tasks
    for entry in schedule.values():
        assert entry["task"] in celery_app.tasks, entry["task"]
