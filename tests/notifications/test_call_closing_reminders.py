from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from applications.workflow import Status
from notifications.models import Notification, Reminder, ReminderKind, ReminderState
from notifications.reminders import reminders_sweep
from tests.factories import ApplicationFactory, FirmFactory, ProgramFactory, firm_user
from tests.notifications.conftest import at, speaker

pytestmark = pytest.mark.django_db

CLOSES = at(2026, 6, 20, 18, 0)


@pytest.fixture
def call(time_machine):
    """A call closing on 20 June 18:00 Seoul time; one firm with a draft and two users (one
    reads Korean, one English); one firm that already submitted."""
    time_machine.move_to(at(2026, 5, 2), tick=False)
    program = ProgramFactory(
        opens_at=at(2026, 5, 1), closes_at=CLOSES, title_ko="수출바우처 6월", title_en="Export voucher June"
    )
    firm = FirmFactory()
    kim = speaker(firm, username="kim", language="ko")
    lee = speaker(firm, username="lee", language="en")
    draft = ApplicationFactory(program=program, firm=firm)
    done = FirmFactory()
    speaker(done, username="park", language="ko")
    ApplicationFactory(program=program, firm=done, status=Status.SUBMITTED)
    return {"program": program, "draft": draft, "kim": kim, "lee": lee}


def _sent_to() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


@pytest.mark.parametrize("days_before", [8, 7, 6, 5, 4, 3, 2, 1, 0])
def test_draft_holders_are_reminded_exactly_7_3_and_1_days_before_the_call_closes(
    call, days_before, run_sweep, time_machine
):
    time_machine.move_to(at(2026, 6, 20 - days_before, 10, 30), tick=False)

    run_sweep(reminders_sweep)

    if days_before in (7, 3, 1):
        assert _sent_to() == ["kim@example.test", "lee@example.test"]
        assert set(Reminder.objects.values_list("offset_days", flat=True)) == {days_before}
    else:
        assert mail.outbox == []
        assert not Reminder.objects.exists()


def test_each_user_gets_the_reminder_in_their_own_language(call, run_sweep, time_machine):
    time_machine.move_to(at(2026, 6, 13), tick=False)

    run_sweep(reminders_sweep)

    by_address = {message.to[0]: message for message in mail.outbox}
    korean, english = by_address["kim@example.test"], by_address["lee@example.test"]
    assert "수출바우처 6월" in korean.subject
    assert "Export voucher June" not in korean.subject
    assert english.subject == "Reminder: “Export voucher June” closes in 7 days"
    assert "Dear" not in english.body and english.body.startswith("Hello lee,")
    assert "June 20, 2026" in english.body  # the deadline, in Seoul time, in English
    assert Reminder.objects.get(recipient=call["kim"]).language == "ko"
    assert Reminder.objects.get(recipient=call["lee"]).language == "en"


def test_the_mail_has_text_and_html_and_an_absolute_link_to_the_draft(call, run_sweep, time_machine, settings):
    settings.SITE_URL = "https://support.example.kr"
    time_machine.move_to(at(2026, 6, 17), tick=False)

    run_sweep(reminders_sweep)

    message = next(m for m in mail.outbox if m.to == ["lee@example.test"])
    link = f"https://support.example.kr/portal/applications/{call['draft'].pk}/"
    assert link in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{link}"' in html
    assert '<html lang="en">' in html
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"


def test_a_sweep_repeated_the_same_day_sends_nothing_twice(call, run_sweep, time_machine):
    time_machine.move_to(at(2026, 6, 13, 0, 5), tick=False)
    first = run_sweep(reminders_sweep)
    for hour in (6, 12, 23):
        time_machine.move_to(at(2026, 6, 13, hour, 59), tick=False)
        assert run_sweep(reminders_sweep) == []

    assert len(first) == 2
    assert len(mail.outbox) == 2
    assert Reminder.objects.filter(state=ReminderState.SENT).count() == 2


def test_over_the_last_nine_days_each_user_gets_three_reminders(call, run_sweep, time_machine):
    for day in range(11, 21):
        for hour in (0, 8, 17):
            time_machine.move_to(at(2026, 6, day, hour, 45), tick=False)
            run_sweep(reminders_sweep)

    assert len(mail.outbox) == 6
    for user in (call["kim"], call["lee"]):
        offsets = sorted(Reminder.objects.filter(recipient=user).values_list("offset_days", flat=True))
        assert offsets == [1, 3, 7]


def test_the_reminder_is_also_an_in_app_notification_once(call, run_sweep, time_machine):
    time_machine.move_to(at(2026, 6, 19), tick=False)
    run_sweep(reminders_sweep)
    run_sweep(reminders_sweep)

    notification = Notification.objects.get(user=call["lee"])
    assert notification.kind == "reminder.call_closing"
    assert notification.title == "Reminder: “Export voucher June” closes in 1 day"
    assert notification.url == f"/portal/applications/{call['draft'].pk}/"
    assert notification.application == call["draft"]
    # The in-app text is the message alone: no greeting, no footer.
    assert not notification.body.startswith("Hello")
    assert "The call “Export voucher June” closes in 1 day" in notification.body
    assert Reminder.objects.get(recipient=call["lee"]).notification == notification
    assert Notification.objects.filter(user=call["kim"]).count() == 1


def test_inactive_users_submitted_firms_and_closed_calls_get_nothing(call, run_sweep, time_machine):
    call["kim"].is_active = False
    call["kim"].save(update_fields=["is_active"])
    closed = ProgramFactory(opens_at=at(2026, 5, 1), closes_at=at(2026, 6, 13, 8, 0))
    late = FirmFactory()
    firm_user(late, username="late", email="late@example.test")
    ApplicationFactory(program=closed, firm=late)

    time_machine.move_to(at(2026, 6, 13, 9, 0), tick=False)
    run_sweep(reminders_sweep)

    assert _sent_to() == ["lee@example.test"]


def test_a_moved_deadline_gets_its_own_reminders(call, run_sweep, time_machine):
    time_machine.move_to(at(2026, 6, 13), tick=False)
    run_sweep(reminders_sweep)
    program = call["program"]
    program.closes_at = CLOSES + dt.timedelta(days=7)
    program.save(update_fields=["closes_at"])

    time_machine.move_to(at(2026, 6, 20), tick=False)
    run_sweep(reminders_sweep)

    assert len(mail.outbox) == 4
    assert Reminder.objects.filter(kind=ReminderKind.CALL_CLOSING, deadline=program.closes_at).count() == 2


def test_offsets_come_from_settings(call, run_sweep, time_machine, settings):
    settings.REMINDER_CALL_CLOSING_DAYS = (10, 2)
    time_machine.move_to(at(2026, 6, 13), tick=False)
    run_sweep(reminders_sweep)
    assert mail.outbox == []

    time_machine.move_to(at(2026, 6, 18), tick=False)
    run_sweep(reminders_sweep)
    assert _sent_to() == ["kim@example.test", "lee@example.test"]
