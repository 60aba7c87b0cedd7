"""Outcome reports: what a firm supported at a trade show or on a delegation achieved.

The firm drafts the report once its application is approved, and submits it after the event
has ended; officers then accept it (which completes the application) or return it. Every
write goes through here, so pages, API and tasks share the same rules.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.errors import InvalidInput, TransitionNotAllowed
from applications.inputs import required_text, storable_text
from applications.models import Application, BuyerMeeting, OutcomeFollowUp, OutcomeReport
from applications.notices import notify_firm, notify_program_officers
from applications.transitions import apply_transition, firm_member_of, lock_application, officer_of
from applications.workflow import Status
from notifications.links import firm_outcome_report_path
from programs.models import OUTCOME_REPORTING_KINDS

EDITABLE = frozenset({OutcomeReport.ReportStatus.DRAFT, OutcomeReport.ReportStatus.RETURNED})
FOLLOW_UP_MONTHS = (OutcomeFollowUp.Months.SIX, OutcomeFollowUp.Months.TWELVE)


@dataclass(frozen=True)
class MeetingInput:
    """One buyer meeting as the firm reports it; ``held=False`` is a no-show."""

    buyer_name: str
    country: Any
    held: bool = True
    consultation_usd: int = 0
    note: str = ""


def outcome_report_required(application: Application) -> bool:
    return application.program.kind in OUTCOME_REPORTING_KINDS and application.status in (
        Status.APPROVED,
        Status.COMPLETED,
    )


def outcome_report_due_on(application: Application) -> dt.date:
    """``OUTCOME_REPORT_DUE_DAYS`` after the event ends (after approval if no end date is known)."""
    program = application.program
    ends = program.event_ends_on or timezone.localdate(application.decided_at or timezone.now())
    return ends + dt.timedelta(days=settings.OUTCOME_REPORT_DUE_DAYS)


def _locked_application(application: Application, actor: User) -> Application:
    locked = lock_application(application.pk)
    firm_member_of(
        actor=actor, application=locked, refusal=_("Only the firm's own staff can write its outcome report.")
    )
    if locked.program.kind not in OUTCOME_REPORTING_KINDS:
        raise InvalidInput(_("Outcome reports are filed for trade shows and business delegations."))
    if locked.status != Status.APPROVED:
        raise TransitionNotAllowed(_("An outcome report can be written once the application has been approved."))
    return locked


def _write(
    *,
    application: Application,
    buyer_meetings: int,
    consultation_usd: int,
    contracts_usd: int,
    ip_filed: int,
    new_countries: Iterable[Any],
    narrative: str,
    meetings: Sequence[MeetingInput] | None = None,
) -> OutcomeReport:
    report, _created = OutcomeReport.objects.select_for_update().get_or_create(
        application=application, defaults={"due_on": outcome_report_due_on(application)}
    )
    if report.status not in EDITABLE:
        raise TransitionNotAllowed(
            _("This outcome report is “%(status)s” and can no longer be changed.")
            % {"status": report.get_status_display()}
        )
    report.buyer_meetings = buyer_meetings
    report.consultation_usd = consultation_usd
    report.contracts_usd = contracts_usd
    report.ip_filed = ip_filed
    report.narrative = narrative
    try:
        report.full_clean()
    except ValidationError as exc:
        raise InvalidInput("; ".join(exc.messages)) from exc
    report.save()
    report.new_countries.set(list(new_countries))
    if meetings is not None:
        _replace_meetings(report, meetings)
    _recompute_meeting_totals(report)
    return report


def _replace_meetings(report: OutcomeReport, meetings: Sequence[MeetingInput]) -> None:
    rows = []
    for meeting in meetings:
        row = BuyerMeeting(
            report=report,
            buyer_name=meeting.buyer_name.strip(),
            country_id=getattr(meeting.country, "pk", meeting.country),
            held=meeting.held,
            consultation_usd=meeting.consultation_usd,
            note=meeting.note,
        )
        if not row.held and row.consultation_usd:
            raise InvalidInput(_("A buyer who did not show up cannot have a consultation amount."))
        try:
            row.full_clean(exclude=["report"])
        except ValidationError as exc:
            raise InvalidInput("; ".join(exc.messages)) from exc
        rows.append(row)
    report.meetings.all().delete()
    BuyerMeeting.objects.bulk_create(rows)


def _recompute_meeting_totals(report: OutcomeReport) -> None:
    """With meeting records the totals are theirs (held meetings only); without any, the
    figures the firm typed stand."""
    totals = report.meetings.aggregate(
        n_rows=Count("pk"),
        n_held=Count("pk", filter=Q(held=True)),
        usd=Sum("consultation_usd", filter=Q(held=True)),
    )
    if not totals["n_rows"]:
        return
    report.buyer_meetings = totals["n_held"]
    report.consultation_usd = totals["usd"] or 0
    report.save(update_fields=["buyer_meetings", "consultation_usd"])


@transaction.atomic
def outcome_report_save_draft(
    *,
    application: Application,
    actor: User,
    buyer_meetings: int = 0,
    consultation_usd: int = 0,
    contracts_usd: int = 0,
    ip_filed: int = 0,
    new_countries: Iterable[Any] = (),
    narrative: str = "",
    meetings: Sequence[MeetingInput] | None = None,
) -> OutcomeReport:
    locked = _locked_application(application, actor)
    return _write(
        application=locked,
        buyer_meetings=buyer_meetings,
        consultation_usd=consultation_usd,
        contracts_usd=contracts_usd,
        ip_filed=ip_filed,
        new_countries=new_countries,
        narrative=narrative,
        meetings=meetings,
    )


@transaction.atomic
def outcome_report_submit(
    *,
    application: Application,
    actor: User,
    buyer_meetings: int = 0,
    consultation_usd: int = 0,
    contracts_usd: int = 0,
    ip_filed: int = 0,
    new_countries: Iterable[Any] = (),
    narrative: str = "",
    meetings: Sequence[MeetingInput] | None = None,
) -> OutcomeReport:
    """Save and hand the report to the program's officers. Only after the event has ended:
    results reported before it are guesses."""
    locked = _locked_application(application, actor)
    ends = locked.program.event_ends_on
    if ends is not None and timezone.localdate() <= ends:
        raise TransitionNotAllowed(
            _("The event ends on %(date)s; the outcome report can be submitted from the day after.")
            % {"date": ends.isoformat()}
        )
    report = _write(
        application=locked,
        buyer_meetings=buyer_meetings,
        consultation_usd=consultation_usd,
        contracts_usd=contracts_usd,
        ip_filed=ip_filed,
        new_countries=new_countries,
        narrative=narrative,
        meetings=meetings,
    )
    report.status = OutcomeReport.ReportStatus.SUBMITTED
    report.submitted_at = timezone.now()
    report.save(update_fields=["status", "submitted_at"])
    _notify_officers(report)
    return report


def _notify_officers(report: OutcomeReport) -> None:
    application = report.application
    notify_program_officers(
        application=application,
        kind="outcome_report_submitted",
        title=lambda: _("Outcome report submitted for %(application)s") % {"application": application},
    )


# --- Review by the program's officers ---------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved ``months`` calendar months on, clamped to the month's last day (31 Aug + 6 → 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def _locked_for_review(report: OutcomeReport, actor: User) -> tuple[OutcomeReport, Application]:
    # The application first, then the report: the order the firm's writes take them in.
    application = lock_application(report.application_id)
    officer_of(
        actor=actor,
        application=application,
        refusal=_("Only an officer of the program can review its outcome reports."),
    )
    locked = OutcomeReport.objects.select_for_update().get(pk=report.pk)
    return locked, application


def _refuse_unless(status: str, expected: str, label: str) -> None:
    if status != expected:
        raise TransitionNotAllowed(
            _("Only a submitted report can be reviewed; this one is “%(status)s”.") % {"status": label}
        )


@transaction.atomic
def outcome_report_accept(*, report: OutcomeReport, actor: User, note: str = "") -> OutcomeReport:
    """Accept a submitted report: the 6- and 12-month follow-ups are opened, and an approved
    application is completed (its support has been delivered and reported on)."""
    locked, application = _locked_for_review(report, actor)
    _refuse_unless(locked.status, OutcomeReport.ReportStatus.SUBMITTED, locked.get_status_display())
    now = timezone.now()
    locked.status = OutcomeReport.ReportStatus.ACCEPTED
    locked.reviewed_by = actor
    locked.reviewed_at = now
    locked.officer_note = note.strip()
    locked.save(update_fields=["status", "reviewed_by", "reviewed_at", "officer_note"])
    accepted_on = timezone.localdate(now)
    for months in FOLLOW_UP_MONTHS:
        OutcomeFollowUp.objects.get_or_create(
            report=locked, months=months, defaults={"due_on": add_months(accepted_on, months)}
        )
    if application.status == Status.APPROVED:
        # The firm is told below, once, that its report was accepted.
        apply_transition(
            application=application, name="complete", actor=actor, note=note.strip() or _("Outcome report accepted.")
        )
    _notify_firm(
        locked,
        kind="outcome_report_accepted",
        title=lambda: _("Your outcome report for %(application)s was accepted") % {"application": application},
        body=locked.officer_note,
    )
    return locked


@transaction.atomic
def outcome_report_return(*, report: OutcomeReport, actor: User, note: str) -> OutcomeReport:
    """Send a submitted report back to the firm, which can change and submit it again."""
    locked, application = _locked_for_review(report, actor)
    _refuse_unless(locked.status, OutcomeReport.ReportStatus.SUBMITTED, locked.get_status_display())
    if not note.strip():
        raise InvalidInput(_("Please tell the firm what to change in its outcome report."))
    locked.status = OutcomeReport.ReportStatus.RETURNED
    locked.reviewed_by = actor
    locked.reviewed_at = timezone.now()
    locked.officer_note = note.strip()
    locked.save(update_fields=["status", "reviewed_by", "reviewed_at", "officer_note"])
    _notify_firm(
        locked,
        kind="outcome_report_returned",
        title=lambda: (
            _("Your outcome report for %(application)s was returned for changes") % {"application": application}
        ),
        body=locked.officer_note,
    )
    return locked


def _notify_firm(report: OutcomeReport, *, kind: str, title: Any, body: str) -> None:
    application = report.application
    notify_firm(
        application=application, kind=kind, title=title, body=lambda: body, url=firm_outcome_report_path(application.pk)
    )


# --- Follow-ups at 6 and 12 months -------------------------------------------------------------


@transaction.atomic
def outcome_followup_submit(
    *, followup: OutcomeFollowUp, actor: User, contracts_usd: int, note: str = ""
) -> OutcomeFollowUp:
    """The firm reports the contracts signed by the follow-up's date; it can correct a
    submitted follow-up until an officer accepts it."""
    application = lock_application(followup.report.application_id)
    firm_member_of(
        actor=actor, application=application, refusal=_("Only the firm's own staff can file its follow-up reports.")
    )
    locked = OutcomeFollowUp.objects.select_for_update().select_related("report__application").get(pk=followup.pk)
    if locked.status == OutcomeFollowUp.FollowUpStatus.ACCEPTED:
        raise TransitionNotAllowed(_("This follow-up report has been accepted and can no longer be changed."))
    locked.contracts_usd = contracts_usd
    locked.note = note
    try:
        locked.full_clean()
    except ValidationError as exc:
        raise InvalidInput("; ".join(exc.messages)) from exc
    locked.status = OutcomeFollowUp.FollowUpStatus.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.save()
    return locked


def _locked_followup_for_review(followup: OutcomeFollowUp, actor: User) -> OutcomeFollowUp:
    # The application first, then the follow-up: the order the firm's writes take them in.
    application = lock_application(followup.report.application_id)
    officer_of(
        actor=actor,
        application=application,
        refusal=_("Only an officer of the program can review its outcome reports."),
    )
    locked = OutcomeFollowUp.objects.select_for_update().select_related("report__application").get(pk=followup.pk)
    if locked.status != OutcomeFollowUp.FollowUpStatus.SUBMITTED:
        raise TransitionNotAllowed(
            _("Only a submitted follow-up report can be reviewed; this one is “%(status)s”.")
            % {"status": locked.get_status_display()}
        )
    return locked


@transaction.atomic
def outcome_followup_accept(*, followup: OutcomeFollowUp, actor: User, note: str = "") -> OutcomeFollowUp:
    """Accept a submitted follow-up: its contracts count in the outcome statistics from now on."""
    locked = _locked_followup_for_review(followup, actor)
    locked.status = OutcomeFollowUp.FollowUpStatus.ACCEPTED
    locked.reviewed_by = actor
    locked.reviewed_at = timezone.now()
    locked.officer_note = storable_text(note)
    locked.save(update_fields=["status", "reviewed_by", "reviewed_at", "officer_note"])
    application = locked.report.application
    _notify_firm(
        locked.report,
        kind="outcome_followup_accepted",
        title=lambda: (
            _("Your %(months)s-month follow-up for %(application)s was accepted")
            % {"months": locked.months, "application": application}
        ),
        body=locked.officer_note,
    )
    followup.refresh_from_db()
    return locked


@transaction.atomic
def outcome_followup_return(*, followup: OutcomeFollowUp, actor: User, note: str) -> OutcomeFollowUp:
    """Send a submitted follow-up back to the firm with what to change; it files it again."""
    locked = _locked_followup_for_review(followup, actor)
    locked.officer_note = required_text(note, missing=_("Please tell the firm what to change in its follow-up."))
    locked.status = OutcomeFollowUp.FollowUpStatus.RETURNED
    locked.reviewed_by = actor
    locked.reviewed_at = timezone.now()
    locked.save(update_fields=["status", "reviewed_by", "reviewed_at", "officer_note"])
    application = locked.report.application
    _notify_firm(
        locked.report,
        kind="outcome_followup_returned",
        title=lambda: (
            _("Your %(months)s-month follow-up for %(application)s was returned for changes")
            % {"months": locked.months, "application": application}
        ),
        body=locked.officer_note,
    )
    followup.refresh_from_db()
    return locked
