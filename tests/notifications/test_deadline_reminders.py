"""Information requests and outcome reports: reminded ahead of the due date and once overdue."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from applications.models import InfoRequest, OutcomeReport
from applications.workflow import Status
from notifications.models import Reminder, ReminderKind
from notifications.reminders import reminders_sweep
from tests.factories import ApplicationFactory, FirmFactory, ProgramFactory
from tests.notifications.conftest import at, speaker

pytestmark = pytest.mark.django_db


@pytest.fixture
def firm_people():
    firm = FirmFactory(name_ko="한빛디자인", name_en="Hanbit Design")
    return firm, speaker(firm, username="kim", language="ko"), speaker(firm, username="lee", language="en")


@pytest.fixture
def info_request(firm_people, time_machine):
    time_machine.move_to(at(2026, 6, 1), tick=False)
    firm = firm_people[0]
    program = ProgramFactory(opens_at=at(2026, 5, 1), closes_at=at(2026, 5, 30), title_en="Export voucher")
    application = ApplicationFactory(
        program=program, firm=firm, status=Status.INFO_REQUESTED, receipt_number="R2026-0000042"
    )
    return InfoRequest.objects.create(
        application=application, message="Please send your export plan for Vietnam.", due_on=dt.date(2026, 6, 10)
    )


@pytest.fixture
def outcome_report(firm_people, time_machine):
    time_machine.move_to(at(2026, 6, 1), tick=False)
    firm = firm_people[0]
    program = ProgramFactory(opens_at=at(2026, 3, 1), closes_at=at(2026, 3, 30), title_en="Paris pavilion")
    application = ApplicationFactory(program=program, firm=firm, status=Status.APPROVED, receipt_number="R2026-0000077")
    return OutcomeReport.objects.create(application=application, due_on=dt.date(2026, 7, 31))


def _kinds() -> list[tuple[str, int]]:
    return sorted(Reminder.objects.order_by().values_list("kind", "offset_days").distinct())


def _sweep_days(run_sweep, time_machine, first: dt.date, last: dt.date) -> None:
    day = first
    while day <= last:
        for hour in (7, 19):
            time_machine.move_to(at(day.year, day.month, day.day, hour), tick=False)
            run_sweep(reminders_sweep)
        day += dt.timedelta(days=1)


# --- Information requests -----------------------------------------------------------------------


@pytest.mark.parametrize(("day", "expected"), [(7, []), (8, [("info_due", 2)]), (9, []), (10, [])])
def test_an_open_information_request_is_reminded_two_days_before_it_is_due(
    info_request, run_sweep, time_machine, day, expected
):
    time_machine.move_to(at(2026, 6, day), tick=False)
    run_sweep(reminders_sweep)
    assert _kinds() == expected
    assert len(mail.outbox) == 2 * len(expected)


def test_an_overdue_information_request_is_reminded_once_not_every_day(info_request, run_sweep, time_machine):
    _sweep_days(run_sweep, time_machine, dt.date(2026, 6, 1), dt.date(2026, 6, 30))

    assert _kinds() == [("info_due", 2), ("info_overdue", -1)]
    assert len(mail.outbox) == 4
    overdue = [m for m in mail.outbox if m.to == ["lee@example.test"]][-1]
    assert overdue.subject == "Overdue: the information requested on application R2026-0000042"
    assert "was due on June 10, 2026" in overdue.body
    assert "It is 1 day late" in overdue.body
    assert "Please send your export plan for Vietnam." in overdue.body


def test_the_overdue_notice_repeats_only_at_the_configured_cadence(info_request, run_sweep, time_machine, settings):
    settings.REMINDER_OVERDUE_REPEAT_DAYS = 7
    _sweep_days(run_sweep, time_machine, dt.date(2026, 6, 11), dt.date(2026, 6, 28))

    # Late by 1..18 days: notices on the 1st, 8th and 15th day late.
    offsets = sorted(Reminder.objects.filter(kind=ReminderKind.INFO_OVERDUE).values_list("offset_days", flat=True))
    assert offsets == [-15, -15, -8, -8, -1, -1]
    assert len(mail.outbox) == 6


def test_an_answered_request_or_a_withdrawn_application_is_not_reminded(
    info_request, firm_people, run_sweep, time_machine
):
    info_request.answered_at = timezone.now()
    info_request.save(update_fields=["answered_at"])
    other = InfoRequest.objects.create(
        application=ApplicationFactory(firm=firm_people[0], status=Status.WITHDRAWN),
        message="x",
        due_on=dt.date(2026, 6, 10),
    )
    assert other.is_open

    _sweep_days(run_sweep, time_machine, dt.date(2026, 6, 8), dt.date(2026, 6, 12))

    assert mail.outbox == []


def test_an_extended_due_date_is_reminded_again(info_request, run_sweep, time_machine):
    time_machine.move_to(at(2026, 6, 8), tick=False)
    run_sweep(reminders_sweep)
    info_request.due_on = dt.date(2026, 6, 20)
    info_request.save(update_fields=["due_on"])

    time_machine.move_to(at(2026, 6, 18), tick=False)
    run_sweep(reminders_sweep)

    assert len(mail.outbox) == 4


def test_the_information_reminder_speaks_each_users_language(info_request, firm_people, run_sweep, time_machine):
    time_machine.move_to(at(2026, 6, 8), tick=False)
    run_sweep(reminders_sweep)

    english = next(m for m in mail.outbox if m.to == ["lee@example.test"])
    korean = next(m for m in mail.outbox if m.to == ["kim@example.test"])
    assert english.subject == "Reminder: the information requested on application R2026-0000042 is due in 2 days"
    assert "Please answer by June 10, 2026." in english.body
    assert f"/portal/applications/{info_request.application_id}/" in english.body
    # Dates follow the recipient's language whatever the catalogue holds.
    assert "2026년 6월 10일" in korean.body


# --- Outcome reports -------------------------------------------------------------------------------


@pytest.mark.parametrize(("day", "expected"), [(16, []), (17, [("outcome_due", 14)]), (18, [])])
def test_an_outcome_report_is_reminded_fourteen_days_before_it_is_due(
    outcome_report, run_sweep, time_machine, day, expected
):
    time_machine.move_to(at(2026, 7, day), tick=False)
    run_sweep(reminders_sweep)
    assert _kinds() == expected


def test_an_overdue_outcome_report_is_reminded_once(outcome_report, run_sweep, time_machine):
    _sweep_days(run_sweep, time_machine, dt.date(2026, 7, 15), dt.date(2026, 8, 20))

    assert _kinds() == [("outcome_due", 14), ("outcome_overdue", -1)]
    assert len(mail.outbox) == 4
    overdue = [m for m in mail.outbox if m.to == ["lee@example.test"]][-1]
    assert overdue.subject == "Overdue: your outcome report for “Paris pavilion”"
    assert "It is 1 day late" in overdue.body
    assert f"/portal/applications/{outcome_report.application_id}/outcome/" in overdue.body


@pytest.mark.parametrize("status", [OutcomeReport.ReportStatus.SUBMITTED, OutcomeReport.ReportStatus.ACCEPTED])
def test_a_filed_outcome_report_is_not_reminded(outcome_report, run_sweep, time_machine, status):
    outcome_report.status = status
    outcome_report.save(update_fields=["status"])

    _sweep_days(run_sweep, time_machine, dt.date(2026, 7, 17), dt.date(2026, 8, 2))

    assert mail.outbox == []


def test_a_returned_outcome_report_is_reminded(outcome_report, run_sweep, time_machine):
    outcome_report.status = OutcomeReport.ReportStatus.RETURNED
    outcome_report.save(update_fields=["status"])
    time_machine.move_to(at(2026, 8, 1), tick=False)

    run_sweep(reminders_sweep)

    assert _kinds() == [("outcome_overdue", -1)]
