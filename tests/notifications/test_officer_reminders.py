"""Officers: applications waiting past the review target, and the daily digest."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from applications.workflow import Status
from notifications.models import Reminder, ReminderKind
from notifications.reminders import digests_sweep, reminders_sweep
from notifications.services import language_set
from sme_support.roles import Role
from tests.factories import ApplicationFactory, FirmFactory, ProgramFactory, assign_officer, user_in_group
from tests.notifications.conftest import at

pytestmark = pytest.mark.django_db


def _officer(username: str, language: str):
    user = user_in_group(Role.OFFICER, username=username, email=f"{username}@agency.test")
    language_set(user=user, language=language)
    return user


@pytest.fixture
def desk(time_machine):
    """Program A (review target 14 days) with two assigned officers, an officer of another
    program, and an application that became eligible on 1 June at 10:00."""
    time_machine.move_to(at(2026, 6, 1, 10, 0), tick=False)
    program = ProgramFactory(
        opens_at=at(2026, 5, 1), closes_at=at(2026, 5, 31), review_target_days=14, title_en="Export voucher A"
    )
    choi, jones = _officer("choi", "ko"), _officer("jones", "en")
    assign_officer(program, choi, lead=True)
    assign_officer(program, jones)
    elsewhere = _officer("elsewhere", "en")
    assign_officer(ProgramFactory(), elsewhere)
    firm = FirmFactory(name_ko="한빛디자인", name_en="Hanbit Design")
    application = ApplicationFactory(
        program=program,
        firm=firm,
        status=Status.ELIGIBLE,
        status_changed_at=at(2026, 6, 1, 10, 0),
        receipt_number="R2026-0000101",
    )
    return {"program": program, "application": application, "choi": choi, "jones": jones, "elsewhere": elsewhere}


# --- Review past its target --------------------------------------------------------------------------


def test_nothing_is_sent_before_the_review_target_has_passed(desk, run_sweep, time_machine):
    time_machine.move_to(at(2026, 6, 15, 9, 59), tick=False)
    run_sweep(reminders_sweep)
    assert mail.outbox == []


def test_the_assigned_officers_are_told_once_the_target_has_passed(desk, run_sweep, time_machine):
    time_machine.move_to(at(2026, 6, 15, 10, 1), tick=False)
    run_sweep(reminders_sweep)
    for day in range(16, 30):
        time_machine.move_to(at(2026, 6, day, 11), tick=False)
        run_sweep(reminders_sweep)

    assert sorted(m.to[0] for m in mail.outbox) == ["choi@agency.test", "jones@agency.test"]
    english = next(m for m in mail.outbox if m.to == ["jones@agency.test"])
    assert english.subject == "Review overdue: application R2026-0000101 from Hanbit Design"
    assert "has been “Eligible” since June 1, 2026" in english.body
    assert "The program's review target is 14 days." in english.body
    assert f"/officer/applications/{desk['application'].pk}/" in english.body
    korean = next(m for m in mail.outbox if m.to == ["choi@agency.test"])
    assert "한빛디자인" in korean.subject


def test_the_review_clock_restarts_when_the_status_changes(desk, run_sweep, time_machine):
    time_machine.move_to(at(2026, 6, 16), tick=False)
    run_sweep(reminders_sweep)
    application = desk["application"]
    application.status = Status.UNDER_REVIEW
    application.status_changed_at = at(2026, 6, 16)
    application.save(update_fields=["status", "status_changed_at"])

    time_machine.move_to(at(2026, 6, 29), tick=False)
    run_sweep(reminders_sweep)
    assert len(mail.outbox) == 2

    time_machine.move_to(at(2026, 6, 30, 9, 1), tick=False)
    run_sweep(reminders_sweep)
    assert len(mail.outbox) == 4
    assert "has been “Under review” since June 16, 2026" in mail.outbox[-1].body


@pytest.mark.parametrize("status", [Status.INFO_REQUESTED, Status.APPROVED, Status.SUBMITTED])
def test_applications_not_waiting_for_an_officer_are_not_reminded(desk, run_sweep, time_machine, status):
    desk["application"].status = status
    desk["application"].save(update_fields=["status"])
    time_machine.move_to(at(2026, 6, 20), tick=False)
    run_sweep(reminders_sweep)
    assert mail.outbox == []


def test_the_programs_own_review_target_applies(desk, run_sweep, time_machine):
    quick = ProgramFactory(opens_at=at(2026, 5, 1), closes_at=at(2026, 5, 31), review_target_days=3)
    assign_officer(quick, desk["elsewhere"])
    ApplicationFactory(program=quick, status=Status.UNDER_REVIEW, status_changed_at=at(2026, 6, 1, 10, 0))

    time_machine.move_to(at(2026, 6, 4, 10, 1), tick=False)
    run_sweep(reminders_sweep)

    assert [m.to[0] for m in mail.outbox] == ["elsewhere@agency.test"]


# --- Daily digest ------------------------------------------------------------------------------------------


@pytest.fixture
def workload(desk):
    program = desk["program"]
    ApplicationFactory(program=program, status=Status.UNDER_REVIEW, status_changed_at=at(2026, 6, 5))
    ApplicationFactory(program=program, status=Status.ELIGIBLE, status_changed_at=at(2026, 6, 7))
    ApplicationFactory(program=program, status=Status.INFO_REQUESTED, status_changed_at=at(2026, 5, 20))
    second = ProgramFactory(opens_at=at(2026, 5, 1), closes_at=at(2026, 6, 10), title_en="Delegation B")
    assign_officer(second, desk["jones"])
    ApplicationFactory(program=second, status=Status.ELIGIBLE, status_changed_at=at(2026, 6, 11, 15, 0))
    return desk


def test_the_digest_counts_what_waits_per_program_and_status(workload, run_sweep, time_machine, settings):
    settings.SITE_URL = "https://support.example.kr"
    time_machine.move_to(at(2026, 6, 12, 8, 0), tick=False)
    run_sweep(digests_sweep)

    jones = next(m for m in mail.outbox if m.to == ["jones@agency.test"])
    assert jones.subject == "Your daily digest: 4 applications wait for you"
    body = jones.body
    assert "Export voucher A\n  - Eligible: 2\n  - Under review: 1\n" in body
    assert "Waiting longest: R2026-0000101 (Hanbit Design), “Eligible” since June 1, 2026, 10 days" in body
    assert "Delegation B\n  - Eligible: 1\n" in body
    assert "Your work list: https://support.example.kr/officer/" in body
    html = jones.alternatives[0][0]
    assert "Delegation B" in html
    choi = next(m for m in mail.outbox if m.to == ["choi@agency.test"])
    assert "Delegation B" not in choi.body
    # Nothing waits for the officer of the other program.
    assert all(m.to != ["elsewhere@agency.test"] for m in mail.outbox)


def test_the_digest_goes_out_once_a_day(workload, run_sweep, time_machine):
    time_machine.move_to(at(2026, 6, 12, 8, 0), tick=False)
    run_sweep(digests_sweep)
    time_machine.move_to(at(2026, 6, 12, 8, 1), tick=False)
    assert run_sweep(digests_sweep) == []
    time_machine.move_to(at(2026, 6, 13, 8, 0), tick=False)
    run_sweep(digests_sweep)

    assert len(mail.outbox) == 4
    days = Reminder.objects.filter(kind=ReminderKind.OFFICER_DIGEST).values_list("deadline", flat=True)
    assert sorted({timezone.localtime(d).date() for d in days}) == [dt.date(2026, 6, 12), dt.date(2026, 6, 13)]


def test_inactive_officers_get_no_digest(workload, run_sweep, time_machine):
    workload["choi"].is_active = False
    workload["choi"].save(update_fields=["is_active"])
    time_machine.move_to(at(2026, 6, 12, 8, 0), tick=False)
    run_sweep(digests_sweep)
    assert [m.to[0] for m in mail.outbox] == ["jones@agency.test"]
