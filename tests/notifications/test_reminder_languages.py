"""Reminder emails in Korean and English, rendered with the Korean catalogue for the
notifications app compiled from its .po (locale-pending/ until the translator pass merges it
into locale/)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.management import call_command

from applications.models import InfoRequest, OutcomeReport
from applications.workflow import Status
from notifications.models import Reminder, ReminderKind
from notifications.reminder_mail import compose
from notifications.reminders import reminders_sweep
from notifications.services import language_set
from sme_support.roles import Role
from tests.factories import ApplicationFactory, FirmFactory, ProgramFactory, assign_officer, user_in_group
from tests.notifications.conftest import at, speaker

pytestmark = pytest.mark.django_db

PENDING = Path(django_settings.BASE_DIR) / "locale-pending" / "notifications.ko.po"
MERGED = Path(django_settings.BASE_DIR) / "locale" / "ko" / "LC_MESSAGES" / "django.po"
NOW = at(2026, 6, 13, 9)


@pytest.fixture
def korean_catalogue(tmp_path, settings):
    source = PENDING if PENDING.exists() else MERGED
    folder = tmp_path / "ko" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    shutil.copy(source, folder / "django.po")
    settings.LOCALE_PATHS = [tmp_path]
    call_command("compile_translations", locale=["ko"], verbosity=0)
    assert (folder / "django.mo").exists()


@pytest.fixture
def scene(time_machine):
    """One subject for every kind of reminder, a Korean-reading firm user and officer."""
    time_machine.move_to(NOW, tick=False)
    firm = FirmFactory(name_ko="한빛디자인", name_en="Hanbit Design")
    kim = speaker(firm, username="kim", language="ko", first_name="김민지")
    officer = user_in_group(Role.OFFICER, username="choi", email="choi@agency.test", first_name="최현우")
    language_set(user=officer, language="ko")

    def program(**kwargs):
        return ProgramFactory(title_ko="수출바우처", title_en="Export voucher", **kwargs)

    draft = ApplicationFactory(program=program(opens_at=at(2026, 5, 1), closes_at=at(2026, 6, 20, 18)), firm=firm)
    past = {"opens_at": at(2026, 3, 1), "closes_at": at(2026, 3, 31)}
    asked = ApplicationFactory(
        program=program(**past), firm=firm, status=Status.INFO_REQUESTED, receipt_number="R2026-0000042"
    )
    request = InfoRequest.objects.create(
        application=asked, message="수출 계획서를 보내 주세요.", due_on=dt.date(2026, 6, 15)
    )
    approved = ApplicationFactory(
        program=program(**past), firm=firm, status=Status.APPROVED, receipt_number="R2026-0000077"
    )
    report = OutcomeReport.objects.create(application=approved, due_on=dt.date(2026, 6, 27))
    review_program = program(**past)
    assign_officer(review_program, officer)
    waiting = ApplicationFactory(
        program=review_program,
        firm=firm,
        status=Status.ELIGIBLE,
        status_changed_at=at(2026, 5, 20),
        receipt_number="R2026-0000101",
    )
    return {
        ReminderKind.CALL_CLOSING: (kim, draft, 7),
        ReminderKind.INFO_DUE: (kim, request, 2),
        ReminderKind.INFO_OVERDUE: (kim, request, -1),
        ReminderKind.OUTCOME_DUE: (kim, report, 14),
        ReminderKind.OUTCOME_OVERDUE: (kim, report, -1),
        ReminderKind.REVIEW_OVERDUE: (officer, waiting, -1),
        ReminderKind.OFFICER_DIGEST: (officer, officer, 0),
    }


def _reminder(kind: str, recipient, subject, offset: int) -> Reminder:
    return Reminder(
        recipient=recipient,
        kind=kind,
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=subject.pk,
        deadline=NOW,
        offset_days=offset,
    )


# Left in a Korean mail on purpose: links, addresses, receipt numbers. Status labels belong
# to the applications app's catalogue, which this test does not compile.
_NOT_PROSE = re.compile(r"https?://\S+|\S+@\S+|R\d{4}-\d{7}|" + "|".join(re.escape(str(s.label)) for s in Status))
_LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


@pytest.mark.parametrize("kind", ReminderKind.values)
def test_every_reminder_reads_fully_in_korean(korean_catalogue, scene, kind):
    recipient, subject, offset = scene[kind]

    message = compose(_reminder(kind, recipient, subject, offset), now=NOW)

    assert message.language == "ko"
    for text in (message.mail.subject, message.mail.text, message.mail.summary):
        assert re.search("[가-힣]", text)
        assert _LATIN_WORD.findall(_NOT_PROSE.sub("", text)) == [], text
    assert '<html lang="ko">' in message.mail.html


def test_korean_and_english_colleagues_each_read_their_own_language(korean_catalogue, scene, run_sweep):
    firm = scene[ReminderKind.CALL_CLOSING][1].firm
    speaker(firm, username="lee", language="en")

    run_sweep(reminders_sweep)

    closing = {str(pk) for pk in Reminder.objects.filter(kind=ReminderKind.CALL_CLOSING).values_list("pk", flat=True)}
    mails = {m.to[0]: m for m in mail.outbox if m.extra_headers["X-Reminder-Id"] in closing}
    korean, english = mails["kim@example.test"], mails["lee@example.test"]
    assert korean.subject == "[알림] “수출바우처” 공고 마감 7일 전"
    assert korean.body.startswith("김민지님, 안녕하세요.")
    assert "신청 마감은 2026년 6월 20일 6:00 오후(한국 시간)입니다." in korean.body
    assert english.subject == "Reminder: “Export voucher” closes in 7 days"
    assert english.body.startswith("Hello lee,")
    assert "Applications close on June 20, 2026, 6 p.m. (Korea time)." in english.body
