"""Sending one queued reminder: the claim, failures and retries, the stuck-row sweeper."""

from __future__ import annotations

import datetime as dt
import smtplib
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone
from kombu.exceptions import OperationalError

from notifications import delivery
from notifications.delivery import Outcome, reminder_deliver, reminders_requeue_stuck, reminders_retry_failed
from notifications.models import Notification, Reminder, ReminderState
from notifications.reminders import reminders_sweep
from notifications.tasks import send_reminder
from tests.factories import ApplicationFactory, FirmFactory, ProgramFactory
from tests.notifications.conftest import at, speaker

pytestmark = pytest.mark.django_db

NOW = at(2026, 6, 13, 9, 0)


@pytest.fixture
def queued(time_machine):
    """One QUEUED reminder (a call closing in 7 days) for an English-speaking firm user.
    The sweep runs inside the test's transaction, so nothing is enqueued."""
    time_machine.move_to(NOW, tick=False)
    program = ProgramFactory(opens_at=at(2026, 5, 1), closes_at=at(2026, 6, 20, 18), title_en="Export voucher June")
    firm = FirmFactory()
    speaker(firm, username="lee", language="en")
    ApplicationFactory(program=program, firm=firm)
    [pk] = reminders_sweep()
    return Reminder.objects.get(pk=pk)


def _failing(times: int, error: Exception | None = None):
    """A stand-in for mail.deliver that fails ``times`` times, then sends."""
    real = delivery.mail.deliver
    calls = {"n": 0}

    def deliver(**kwargs):
        calls["n"] += 1
        if calls["n"] <= times:
            raise error or smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return real(**kwargs)

    return deliver


def test_a_queued_reminder_is_sent_once_however_often_it_is_delivered(queued):
    assert reminder_deliver(reminder_id=queued.pk).outcome == Outcome.SENT
    assert reminder_deliver(reminder_id=queued.pk).outcome == Outcome.DONE

    queued.refresh_from_db()
    assert queued.state == ReminderState.SENT
    assert queued.attempts == 1
    assert queued.sent_at == NOW
    assert queued.subject_line == "Reminder: “Export voucher June” closes in 7 days"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["X-Reminder-Id"] == str(queued.pk)
    assert Notification.objects.count() == 1


def test_a_fresh_claim_of_another_worker_is_left_alone(queued):
    Reminder.objects.filter(pk=queued.pk).update(state=ReminderState.SENDING, claimed_at=NOW, attempts=1)

    result = reminder_deliver(reminder_id=queued.pk)

    assert result.outcome == Outcome.IN_FLIGHT
    assert result.retry_in == 601  # look again once that claim could have gone stale
    assert mail.outbox == []


def test_a_stale_claim_of_a_dead_worker_is_taken_over(queued, settings):
    claimed = NOW - settings.REMINDER_STUCK_AFTER - dt.timedelta(seconds=1)
    Reminder.objects.filter(pk=queued.pk).update(state=ReminderState.SENDING, claimed_at=claimed, attempts=1)

    assert reminder_deliver(reminder_id=queued.pk).outcome == Outcome.SENT

    queued.refresh_from_db()
    assert (queued.state, queued.attempts) == (ReminderState.SENT, 2)
    assert len(mail.outbox) == 1


def test_a_failed_send_is_recorded_and_queued_again_with_a_growing_backoff(queued):
    with mock.patch.object(delivery.mail, "deliver", _failing(2)):
        first = reminder_deliver(reminder_id=queued.pk)
        queued.refresh_from_db()
        assert (first.outcome, first.retry_in) == (Outcome.RETRY, 60)
        assert queued.state == ReminderState.QUEUED
        assert queued.attempts == 1
        assert "SMTPServerDisconnected: Connection unexpectedly closed" in queued.last_error
        assert queued.next_attempt_at == NOW + dt.timedelta(seconds=60)

        second = reminder_deliver(reminder_id=queued.pk)
        assert (second.outcome, second.retry_in) == (Outcome.RETRY, 120)

        assert reminder_deliver(reminder_id=queued.pk).outcome == Outcome.SENT

    queued.refresh_from_db()
    assert (queued.state, queued.attempts) == (ReminderState.SENT, 3)
    assert len(mail.outbox) == 1


def test_the_last_failed_attempt_marks_the_reminder_failed(queued, settings):
    settings.REMINDER_MAX_ATTEMPTS = 3
    with mock.patch.object(delivery.mail, "deliver", _failing(99)):
        outcomes = [reminder_deliver(reminder_id=queued.pk).outcome for _ in range(4)]

    assert outcomes == [Outcome.RETRY, Outcome.RETRY, Outcome.FAILED, Outcome.DONE]
    queued.refresh_from_db()
    assert queued.state == ReminderState.FAILED
    assert queued.attempts == 3
    assert queued.failed_at == NOW
    assert not Notification.objects.exists()


def test_the_send_task_retries_until_the_mail_goes_out(queued):
    # apply() runs the task here, and each retry with it, ignoring the countdown.
    with mock.patch.object(delivery.mail, "deliver", _failing(2)):
        assert send_reminder.apply(args=[queued.pk]).get() == "sent"

    queued.refresh_from_db()
    assert (queued.state, queued.attempts) == (ReminderState.SENT, 3)
    assert len(mail.outbox) == 1
    assert Notification.objects.count() == 1


def test_the_send_task_gives_up_after_the_last_attempt_and_leaves_a_visible_failure(queued, settings):
    settings.REMINDER_MAX_ATTEMPTS = 3
    with mock.patch.object(delivery.mail, "deliver", _failing(99)):
        result = send_reminder.apply(args=[queued.pk])

    assert result.get() == "failed"
    queued.refresh_from_db()
    assert (queued.state, queued.attempts) == (ReminderState.FAILED, 3)
    assert queued.last_error
    assert mail.outbox == []


def test_a_worker_whose_claim_was_taken_over_mid_send_records_nothing(queued):
    def slow_send(**kwargs):
        # While this worker talks to the mail server its claim goes stale and another
        # worker takes it over (bumping the attempt number).
        Reminder.objects.filter(pk=queued.pk).update(attempts=2, claimed_at=timezone.now())

    with mock.patch.object(delivery.mail, "deliver", slow_send):
        assert reminder_deliver(reminder_id=queued.pk).outcome == Outcome.DONE

    queued.refresh_from_db()
    assert queued.state == ReminderState.SENDING  # the new holder will finish it
    assert not Notification.objects.exists()


def test_a_reminder_whose_subject_was_deleted_fails_at_once(queued):
    queued.subject.delete()

    assert reminder_deliver(reminder_id=queued.pk).outcome == Outcome.FAILED

    queued.refresh_from_db()
    assert queued.state == ReminderState.FAILED
    assert "no longer exists" in queued.last_error
    assert mail.outbox == []


def test_a_recipient_without_an_email_address_gets_the_in_app_notification(queued):
    queued.recipient.email = ""
    queued.recipient.save(update_fields=["email"])

    assert reminder_deliver(reminder_id=queued.pk).outcome == Outcome.SENT

    queued.refresh_from_db()
    assert queued.state == ReminderState.SENT
    assert "no email address" in queued.last_error
    assert mail.outbox == []
    assert queued.notification.user == queued.recipient


def test_a_missing_reminder_is_done(db):
    assert reminder_deliver(reminder_id=987654).outcome == Outcome.DONE


# --- Enqueuing and the stuck-row sweeper ---------------------------------------------------------------


def test_enqueuing_stops_at_the_first_broker_error(queued):
    with mock.patch.object(send_reminder, "delay", side_effect=OperationalError("Connection refused")) as delay:
        assert delivery.enqueue_reminders([queued.pk, queued.pk + 1, queued.pk + 2]) == 0
    assert delay.call_count == 1


def test_a_sweep_whose_enqueue_fails_keeps_its_rows_for_the_sweeper(queued, django_capture_on_commit_callbacks):
    Reminder.objects.all().delete()
    with (
        mock.patch.object(send_reminder, "delay", side_effect=OperationalError("Connection refused")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        ids = reminders_sweep()

    assert Reminder.objects.get(pk__in=ids).state == ReminderState.QUEUED


def test_the_sweeper_enqueues_rows_stuck_in_queued_or_sending(queued, eager_celery, settings, time_machine):
    stuck_for = settings.REMINDER_STUCK_AFTER + dt.timedelta(seconds=1)
    program = ProgramFactory(opens_at=at(2026, 5, 1), closes_at=at(2026, 6, 20, 18))
    firm = FirmFactory()
    speaker(firm, username="kim", language="ko")
    ApplicationFactory(program=program, firm=firm)
    fresh = Reminder.objects.get(pk=reminders_sweep()[0])
    dead_worker = Reminder.objects.create(
        recipient=fresh.recipient,
        kind=fresh.kind,
        subject_type=fresh.subject_type,
        subject_id=fresh.subject_id,
        deadline=fresh.deadline,
        offset_days=3,
        sweep_id=fresh.sweep_id,
        state=ReminderState.SENDING,
        claimed_at=NOW - stuck_for,
        attempts=1,
    )
    Reminder.objects.filter(pk=queued.pk).update(next_attempt_at=NOW - stuck_for)

    requeued = reminders_requeue_stuck()

    assert requeued == [queued.pk, dead_worker.pk]
    states = dict(Reminder.objects.values_list("pk", "state"))
    assert states == {queued.pk: "sent", dead_worker.pk: "sent", fresh.pk: "queued"}
    assert len(mail.outbox) == 2


def test_the_sweeper_restarts_the_clock_of_what_it_could_not_enqueue(queued, settings):
    Reminder.objects.filter(pk=queued.pk).update(next_attempt_at=NOW - dt.timedelta(hours=1))

    with mock.patch.object(send_reminder, "delay", side_effect=OperationalError("Connection refused")):
        assert reminders_requeue_stuck() == [queued.pk]
    # Not picked again until another REMINDER_STUCK_AFTER has passed.
    assert reminders_requeue_stuck(now=NOW + dt.timedelta(minutes=5)) == []
    queued.refresh_from_db()
    assert queued.state == ReminderState.QUEUED
    assert queued.next_attempt_at == NOW


def test_failed_reminders_can_be_given_fresh_attempts(queued, eager_celery, django_capture_on_commit_callbacks):
    Reminder.objects.filter(pk=queued.pk).update(
        state=ReminderState.FAILED, attempts=5, failed_at=NOW, last_error="SMTP down"
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_retry_failed(reminder_ids=[queued.pk]) == [queued.pk]

    queued.refresh_from_db()
    assert (queued.state, queued.attempts, queued.failed_at) == (ReminderState.SENT, 1, None)
    assert len(mail.outbox) == 1


def test_retrying_leaves_reminders_that_did_not_fail_alone(queued):
    assert reminders_retry_failed(reminder_ids=[queued.pk]) == []
