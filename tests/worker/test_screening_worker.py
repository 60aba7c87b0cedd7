"""A real worker on the real Redis runs what the services enqueue."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone

from applications.intake.services import application_submit
from applications.models import Application
from applications.workflow import Status
from notifications.models import Reminder, ReminderState
from notifications.services import language_set
from notifications.tasks import reminders_sweep
from tests.factories import ApplicationFactory, FirmFactory, ProgramFactory, firm_user
from tests.worker.conftest import wait_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.worker,
    pytest.mark.slow,
]


def _status(pk: int) -> str:
    return Application.objects.values_list("status", flat=True).get(pk=pk)


def test_a_submitted_application_is_screened_by_the_worker(workers):
    firm = FirmFactory()
    user = firm_user(firm)
    application = ApplicationFactory(program=ProgramFactory(), firm=firm, created_by=user)
    workers.start()

    application_submit(application=application, actor=user)

    wait_for(lambda: _status(application.pk) == Status.ELIGIBLE, timeout=30, what="the worker to screen it")
    transitions = list(application.history.values_list("transition", flat=True))
    assert transitions == ["submit", "start_screening", "mark_eligible"]
    application.refresh_from_db()
    assert application.eligibility_results and application.eligibility_checked_at


def test_the_beat_sweep_run_twice_by_a_worker_mails_each_reminder_once(workers):
    program = ProgramFactory(closes_at=timezone.now() + dt.timedelta(days=7), title_en="Export voucher")
    firm = FirmFactory()
    for username, language in (("kim", "ko"), ("lee", "en")):
        language_set(user=firm_user(firm, username=username, email=f"{username}@example.test"), language=language)
    ApplicationFactory(program=program, firm=firm)
    workers.start()

    reminders_sweep.delay()
    reminders_sweep.delay()

    wait_for(
        lambda: Reminder.objects.filter(state=ReminderState.SENT).count() == 2, timeout=30, what="two reminders sent"
    )
    time.sleep(2)  # room for a duplicate to show up, were there one
    assert Reminder.objects.count() == 2
    mails = workers.mails()
    assert len(mails) == 2
    assert sorted(line for m in mails for line in m.splitlines() if line.startswith("To: ")) == [
        "To: kim@example.test",
        "To: lee@example.test",
    ]
