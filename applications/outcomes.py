"""Outcome reports: what a firm supported at a trade show or on a delegation achieved.

The firm drafts the report once its application is approved, and submits it after the event
has ended; officers then accept it (which completes the application) or return it. Every
write goes through here, so pages, API and tasks share the same rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.errors import InvalidInput, NotPermitted, TransitionNotAllowed
from applications.models import Application, OutcomeReport
from applications.workflow import ActorKind, Status
from programs.models import ProgramKind

if TYPE_CHECKING:
    from django.contrib.auth.models import User as AbstractBaseUser

# Kinds whose support ends in an event the firm reports on.
REPORTING_KINDS = frozenset({ProgramKind.TRADE_SHOW, ProgramKind.BUSINESS_DELEGATION})
EDITABLE = frozenset({OutcomeReport.ReportStatus.DRAFT, OutcomeReport.ReportStatus.RETURNED})


def outcome_report_required(application: Application) -> bool:
    return application.program.kind in REPORTING_KINDS and application.status in (Status.APPROVED, Status.COMPLETED)


def outcome_report_due_on(application: Application) -> dt.date:
    """``OUTCOME_REPORT_DUE_DAYS`` after the event ends (after approval if no end date is known)."""
    program = application.program
    ends = program.event_ends_on or timezone.localdate(application.decided_at or timezone.now())
    return ends + dt.timedelta(days=settings.OUTCOME_REPORT_DUE_DAYS)


def _locked_application(application: Application, actor: AbstractBaseUser) -> Application:
    from applications.services import actor_kind_for

    locked = Application.objects.select_for_update().select_related("program").get(pk=application.pk)
    if actor_kind_for(actor=actor, application=locked) != ActorKind.FIRM:
        raise NotPermitted(_("Only the firm's own staff can write its outcome report."))
    if locked.program.kind not in REPORTING_KINDS:
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
    return report


@transaction.atomic
def outcome_report_save_draft(
    *,
    application: Application,
    actor: AbstractBaseUser,
    buyer_meetings: int = 0,
    consultation_usd: int = 0,
    contracts_usd: int = 0,
    ip_filed: int = 0,
    new_countries: Iterable[Any] = (),
    narrative: str = "",
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
    )


@transaction.atomic
def outcome_report_submit(
    *,
    application: Application,
    actor: AbstractBaseUser,
    buyer_meetings: int = 0,
    consultation_usd: int = 0,
    contracts_usd: int = 0,
    ip_filed: int = 0,
    new_countries: Iterable[Any] = (),
    narrative: str = "",
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
    )
    report.status = OutcomeReport.ReportStatus.SUBMITTED
    report.submitted_at = timezone.now()
    report.save(update_fields=["status", "submitted_at"])
    _notify_officers(report)
    return report


def _notify_officers(report: OutcomeReport) -> None:
    from notifications.services import notify

    application = report.application
    officers = [a.user for a in application.program.officer_assignments.select_related("user")]
    if not officers:
        return
    notify(
        users=officers,
        kind="outcome_report_submitted",
        title=lambda: _("Outcome report submitted for %(application)s") % {"application": application},
        application=application,
    )
