"""Concurrent sweeps and concurrent sends against the real PostgreSQL, each in its own thread
with its own connection and committed transactions."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.core import mail
from django.db import connection

from notifications import delivery, reminders
from notifications.delivery import Outcome
from notifications.models import Notification, Reminder, ReminderState
from tests.factories import ApplicationFactory, FirmFactory, ProgramFactory
from tests.notifications.conftest import at, speaker

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

FIRMS = 5


@pytest.fixture
def drafts(time_machine):
    """Five firms with two users each and a draft on a call closing in seven days."""
    time_machine.move_to(at(2026, 6, 13, 9), tick=False)
    program = ProgramFactory(opens_at=at(2026, 5, 1), closes_at=at(2026, 6, 20, 18))
    for n in range(FIRMS):
        firm = FirmFactory()
        speaker(firm, username=f"ko{n}", language="ko")
        speaker(firm, username=f"en{n}", language="en")
        ApplicationFactory(program=program, firm=firm)
    return program


def _in_threads(target, count: int = 2) -> list:
    """Run ``target`` in ``count`` threads at once; each thread has its own DB connection."""
    results: list = [None] * count
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            results[i] = target()
        except BaseException as exc:  # surfaced below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    assert not errors, errors
    return results


def _both_decide_before_either_inserts(monkeypatch) -> list[int]:
    """Hold each sweep after it decided what is due and before it inserts, until both have
    decided: the window in which a count-then-insert would send everything twice."""
    barrier = threading.Barrier(2, timeout=30)
    decided: list[int] = []
    insert = reminders._insert

    def held_insert(rows):
        decided.append(len(rows))
        barrier.wait()
        insert(rows)

    monkeypatch.setattr(reminders, "_insert", held_insert)
    return decided


def test_two_concurrent_sweeps_queue_and_send_each_reminder_once(drafts, monkeypatch, eager_celery):
    decided = _both_decide_before_either_inserts(monkeypatch)

    inserted = _in_threads(reminders.reminders_sweep)

    # Both sweeps decided that all ten reminders were due …
    assert decided == [2 * FIRMS, 2 * FIRMS]
    # … and the unique key let each reminder into exactly one of them.
    assert sorted(inserted[0] + inserted[1]) == sorted(Reminder.objects.values_list("pk", flat=True))
    assert Reminder.objects.count() == 2 * FIRMS
    assert Reminder.objects.filter(state=ReminderState.SENT).count() == 2 * FIRMS
    sent_to = Counter(address for message in mail.outbox for address in message.to)
    assert len(sent_to) == 2 * FIRMS
    assert set(sent_to.values()) == {1}
    assert Notification.objects.count() == 2 * FIRMS


def test_control_without_the_unique_key_concurrent_sweeps_send_twice(drafts, monkeypatch, eager_celery):
    """The race the unique key closes is real: drop it, and the same two sweeps queue and send
    every reminder twice."""
    constraint = next(c for c in Reminder._meta.constraints if c.name == "uniq_reminder_once")
    with connection.schema_editor() as editor:
        editor.remove_constraint(Reminder, constraint)
    try:
        _both_decide_before_either_inserts(monkeypatch)
        _in_threads(reminders.reminders_sweep)

        assert Reminder.objects.count() == 4 * FIRMS
        assert len(mail.outbox) == 4 * FIRMS
    finally:
        Reminder.objects.all().delete()
        with connection.schema_editor() as editor:
            editor.add_constraint(Reminder, constraint)


def test_two_workers_sending_the_same_reminder_send_it_once(drafts, monkeypatch):
    monkeypatch.setattr(delivery, "enqueue_reminders", lambda ids: 0)  # the threads below are the workers
    [pk, *_] = reminders.reminders_sweep()
    barrier = threading.Barrier(2, timeout=30)
    claim = delivery._claim

    def claim_together(reminder_id, now):
        barrier.wait()
        return claim(reminder_id, now)

    monkeypatch.setattr(delivery, "_claim", claim_together)

    outcomes = _in_threads(lambda: delivery.reminder_deliver(reminder_id=pk).outcome)

    # The loser finds the row claimed (still sending, or already sent).
    assert outcomes.count(Outcome.SENT) == 1
    assert set(outcomes) - {Outcome.SENT} <= {Outcome.IN_FLIGHT, Outcome.DONE}
    assert len(mail.outbox) == 1
    reminder = Reminder.objects.get(pk=pk)
    assert (reminder.state, reminder.attempts) == (ReminderState.SENT, 1)
    assert Notification.objects.filter(reminder=reminder).count() == 1
