"""Admin for outcome reports and their follow-ups: shown read-only, reviewed through actions
that call the outcome services (``applications.outcomes.services``)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from applications.admin.notes import NoteAction, NoteActionsMixin
from applications.admin.records import ApplicationProgramFilter, scope_to_user
from applications.models import BuyerMeeting, OutcomeFollowUp, OutcomeReport
from applications.outcomes.services import (
    outcome_followup_accept,
    outcome_followup_return,
    outcome_report_accept,
    outcome_report_return,
)
from programs.models import Program
from sme_support.admin_tools import AgencyViewMixin, NotFoundOutsideScopeMixin, ReadOnlyAdminMixin, ReadOnlyInline


class BuyerMeetingInline(ReadOnlyInline):
    model = BuyerMeeting
    fields = ("buyer_name", "country", "held", "consultation_usd", "note")
    readonly_fields = fields


class OutcomeFollowUpInline(ReadOnlyInline):
    model = OutcomeFollowUp
    fields = (
        "months",
        "due_on",
        "status",
        "contracts_usd",
        "note",
        "submitted_at",
        "reviewed_by",
        "reviewed_at",
        "officer_note",
    )
    readonly_fields = fields


@admin.register(OutcomeReport)
class OutcomeReportAdmin(NoteActionsMixin, NotFoundOutsideScopeMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Shown, not edited: the figures are the firm's. Accepting or returning a report is a
    workflow step (accepting completes the application) that the admin actions hand to the
    outcome report services, as the workspace and the API do."""

    note_actions = (
        NoteAction(
            "accept_reports",
            _("Accept the selected outcome reports…"),
            _("Accept outcome reports"),
            lambda report, actor, note: outcome_report_accept(report=report, actor=actor, note=note),
        ),
        NoteAction(
            "return_reports",
            _("Return the selected outcome reports to the firms…"),
            _("Return outcome reports"),
            lambda report, actor, note: outcome_report_return(report=report, actor=actor, note=note),
        ),
    )

    list_display = (
        "application",
        "firm_column",
        "program_column",
        "status",
        "due_on",
        "buyer_meetings",
        "consultation_usd",
        "contracts_usd",
        "ip_filed",
        "submitted_at",
    )
    list_filter = ("status", ApplicationProgramFilter)
    search_fields = ("application__receipt_number", "application__firm__name_ko", "application__firm__name_en")
    date_hierarchy = "due_on"
    inlines = (BuyerMeetingInline, OutcomeFollowUpInline)
    list_select_related = ("application__firm", "application__program")
    fieldsets = (
        (None, {"fields": ("application", "status", "due_on", "submitted_at")}),
        (
            _("Reported by the firm"),
            {
                "fields": (
                    "buyer_meetings",
                    "consultation_usd",
                    "contracts_usd",
                    "ip_filed",
                    "new_countries",
                    "narrative",
                )
            },
        ),
        (_("Review"), {"fields": ("officer_note", "reviewed_by", "reviewed_at")}),
    )
    readonly_fields = (
        "application",
        "status",
        "due_on",
        "submitted_at",
        "buyer_meetings",
        "consultation_usd",
        "contracts_usd",
        "ip_filed",
        "new_countries",
        "narrative",
        "officer_note",
        "reviewed_by",
        "reviewed_at",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[OutcomeReport]:
        return scope_to_user(request, super().get_queryset(request), "application")

    @admin.display(description=_("firm"), ordering="application__firm__name_en")
    def firm_column(self, obj: OutcomeReport) -> Any:
        return obj.application.firm

    @admin.display(description=_("program"), ordering="application__program")
    def program_column(self, obj: OutcomeReport) -> Program:
        return obj.application.program


@admin.register(OutcomeFollowUp)
class OutcomeFollowUpAdmin(
    AgencyViewMixin, NoteActionsMixin, NotFoundOutsideScopeMixin, ReadOnlyAdminMixin, admin.ModelAdmin
):
    """The 6- and 12-month follow-ups, listed to be reviewed: accepting one counts its
    contracts in the statistics; returning it asks the firm to correct it."""

    note_actions = (
        NoteAction(
            "accept_followups",
            _("Accept the selected follow-ups…"),
            _("Accept follow-ups"),
            lambda followup, actor, note: outcome_followup_accept(followup=followup, actor=actor, note=note),
        ),
        NoteAction(
            "return_followups",
            _("Return the selected follow-ups to the firms…"),
            _("Return follow-ups"),
            lambda followup, actor, note: outcome_followup_return(followup=followup, actor=actor, note=note),
        ),
    )
    list_display = ("report", "months", "status", "due_on", "contracts_usd", "submitted_at", "reviewed_at")
    list_filter = ("status", "months")
    search_fields = ("report__application__receipt_number", "report__application__firm__name_ko")
    list_select_related = ("report__application__firm", "report__application__program")
    fields = (*OutcomeFollowUpInline.fields[:8], "officer_note")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[OutcomeFollowUp]:
        return scope_to_user(request, super().get_queryset(request), "report__application")
