"""The reminder sent-log in the admin: failures are visible and can be retried, rows are
never edited by hand."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from notifications.models import Reminder, ReminderState
from notifications.reminders import reminders_sweep
from tests.factories import ApplicationFactory, FirmFactory, ProgramFactory
from tests.notifications.conftest import at, speaker

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed(time_machine):
    time_machine.move_to(at(2026, 6, 13, 9), tick=False)
    program = ProgramFactory(opens_at=at(2026, 5, 1), closes_at=at(2026, 6, 20, 18))
    firm = FirmFactory()
    speaker(firm, username="lee", language="en")
    ApplicationFactory(program=program, firm=firm)
    [pk] = reminders_sweep()
    Reminder.objects.filter(pk=pk).update(
        state=ReminderState.FAILED, attempts=5, last_error="SMTPAuthenticationError: 535 bad credentials"
    )
    return Reminder.objects.get(pk=pk)


def test_failed_reminders_are_listed_with_their_error(admin_client, failed):
    listing = admin_client.get(reverse("admin:notifications_reminder_changelist"), {"state__exact": "failed"})
    assert listing.status_code == 200
    assert "Call closing soon" in listing.content.decode()

    detail = admin_client.get(reverse("admin:notifications_reminder_change", args=[failed.pk]))
    assert detail.status_code == 200
    assert "535 bad credentials" in detail.content.decode()


def test_the_retry_action_queues_failed_reminders_again(
    admin_client, failed, eager_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:notifications_reminder_changelist"),
            {"action": "retry_failed", "_selected_action": [failed.pk]},
            follow=True,
        )

    assert response.status_code == 200
    assert "1 reminder queued again." in response.content.decode()
    failed.refresh_from_db()
    assert (failed.state, failed.attempts) == (ReminderState.SENT, 1)
    assert len(mail.outbox) == 1


def test_reminders_cannot_be_added_or_edited_by_hand(admin_client, failed):
    change = reverse("admin:notifications_reminder_change", args=[failed.pk])
    admin_client.post(change, {"state": "sent"})
    failed.refresh_from_db()
    assert failed.state == ReminderState.FAILED
    assert admin_client.get(reverse("admin:notifications_reminder_add")).status_code == 403
