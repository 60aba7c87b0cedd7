"""A worker killed in the middle of sending a reminder: acks_late and reject_on_worker_lost
bring the message back, and the reminder still goes out exactly once."""

from __future__ import annotations

import os
import signal
import time

import pytest

from notifications import delivery, reminders
from notifications.models import Notification, Reminder, ReminderState
from notifications.tasks import send_reminder
from tests.factories import ApplicationFactory, FirmFactory, ProgramFactory, firm_user
from tests.worker.conftest import wait_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.worker,
    pytest.mark.slow,
]

VISIBILITY_TIMEOUT = 3
STUCK_AFTER = 2


@pytest.fixture
def reminder(monkeypatch):
    """One committed, QUEUED reminder; the test enqueues its send itself."""
    import datetime as dt

    from django.utils import timezone

    program = ProgramFactory(closes_at=timezone.now() + dt.timedelta(days=7))
    firm = FirmFactory()
    firm_user(firm, username="lee", email="lee@example.test")
    ApplicationFactory(program=program, firm=firm)
    monkeypatch.setattr(delivery, "enqueue_reminders", lambda ids: 0)
    [pk] = reminders.reminders_sweep()
    return Reminder.objects.get(pk=pk)


@pytest.fixture
def slow_env(tmp_path):
    marker = tmp_path / "sending.pid"
    env = {
        "SLOW_MAIL_MARKER": str(marker),
        "SLOW_MAIL_SECONDS": "120",
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        "REMINDER_STUCK_AFTER_SECONDS": str(STUCK_AFTER),
        "EMAIL_TIMEOUT": "1",
    }
    return marker, env


def _wait_until_sending(marker) -> int:
    wait_for(lambda: marker.exists() and marker.read_text(), timeout=30, what="the worker to start sending")
    return int(marker.read_text())


def _assert_sent_once(reminder, workers) -> None:
    wait_for(
        lambda: Reminder.objects.get(pk=reminder.pk).state == ReminderState.SENT,
        timeout=45,
        what="the reminder to be sent",
    )
    time.sleep(STUCK_AFTER + 2)  # room for any other copy of the task to run, were there one
    reminder.refresh_from_db()
    assert reminder.state == ReminderState.SENT
    assert reminder.attempts == 2  # the killed attempt, and the one that sent
    assert len(workers.mails(f"X-Reminder-Id: {reminder.pk}")) == 1
    assert Notification.objects.filter(user=reminder.recipient).count() == 1


def test_a_pool_process_killed_mid_send_is_replaced_and_the_mail_goes_out_once(reminder, workers, slow_env):
    marker, env = slow_env
    worker = workers.start(env=env, args=("--include", "tests.worker.slow_mail"))

    send_reminder.delay(reminder.pk)
    child = _wait_until_sending(marker)
    assert child != worker.proc.pid  # the pool process, not the worker itself
    assert Reminder.objects.get(pk=reminder.pk).state == ReminderState.SENDING
    os.kill(child, signal.SIGKILL)

    _assert_sent_once(reminder, workers)
    assert "WorkerLostError" in worker.output


def test_a_whole_worker_killed_mid_send_leaves_the_message_for_a_fresh_worker(reminder, workers, slow_env):
    marker, env = slow_env
    first = workers.start(env=env, args=("--include", "tests.worker.slow_mail"))

    send_reminder.delay(reminder.pk)
    _wait_until_sending(marker)
    delivered_by = time.time()
    first.kill()  # the machine is gone: no chance to reject or requeue anything

    assert Reminder.objects.get(pk=reminder.pk).state == ReminderState.SENDING
    assert workers.mails() == []
    # Redis hands an unacknowledged message out again once its visibility timeout has passed.
    time.sleep(max(0.0, delivered_by + VISIBILITY_TIMEOUT + 1 - time.time()))
    workers.start(env=env, args=("--include", "tests.worker.slow_mail"))

    _assert_sent_once(reminder, workers)
