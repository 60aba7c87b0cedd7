"""Outcome reports over the REST API: the list of what the user may see, and the officers'
review of a report and of its 6- and 12-month follow-ups (``applications.outcomes.services``,
the same functions as the workspace; refusals in the API's error shape)."""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from applications.api.filters import OutcomeReportFilter
from applications.api.serializers import NoteInputSerializer, OutcomeReportListSerializer
from applications.models import OutcomeFollowUp, OutcomeReport
from applications.outcomes.services import (
    outcome_followup_accept,
    outcome_followup_return,
    outcome_report_accept,
    outcome_report_return,
)
from applications.selectors import outcome_report_list
from sme_support.api.base import FORMAT_PARAMETER, ErrorSerializer, ScopedReadOnlyViewSet
from sme_support.api.csv_export import CsvColumn

_REVIEWED = {
    200: OutcomeReportListSerializer,
    409: OpenApiResponse(ErrorSerializer, description=gettext_lazy("The report is not waiting for review.")),
}
_MONTHS = r"(?P<months>6|12)"


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("List outcome reports"), parameters=[FORMAT_PARAMETER]),
    retrieve=extend_schema(summary=gettext_lazy("One outcome report")),
)
class OutcomeReportViewSet(ScopedReadOnlyViewSet):
    """Outcome reports of the applications the user may see."""

    serializer_class = OutcomeReportListSerializer
    filterset_class = OutcomeReportFilter
    ordering_fields = ["id", "due_on", "submitted_at", "buyer_meetings", "consultation_usd", "contracts_usd"]
    ordering = ["-due_on"]
    csv_filename = "outcome-reports.csv"
    csv_columns = [
        CsvColumn("id", "pk"),
        CsvColumn("application_id", "application_id"),
        CsvColumn("receipt_number", "application.receipt_number"),
        CsvColumn("program_code", "application.program.code"),
        CsvColumn("fiscal_year", "application.program.fiscal_year"),
        CsvColumn("firm_brn", "application.firm.brn"),
        CsvColumn("firm_name_en", "application.firm.name_en"),
        CsvColumn("sector", "application.firm.sector"),
        CsvColumn("status", "status"),
        CsvColumn("due_on", "due_on"),
        CsvColumn("buyer_meetings", "buyer_meetings"),
        CsvColumn("consultation_usd", "consultation_usd"),
        CsvColumn("contracts_usd", "contracts_usd"),
        CsvColumn("ip_filed", "ip_filed"),
        CsvColumn("new_countries", lambda report: [c.pk for c in report.new_countries.all()]),
        CsvColumn("submitted_at", "submitted_at"),
        CsvColumn("reviewed_at", "reviewed_at"),
    ]

    def get_queryset(self) -> QuerySet[OutcomeReport]:
        return (
            outcome_report_list(user=self.request.user)
            .select_related("application__program", "application__firm")
            .prefetch_related("new_countries", "followups")
        )

    def _review(self, run: Any) -> Response:
        report = self.get_object()
        note = NoteInputSerializer(data=self.request.data)
        note.is_valid(raise_exception=True)
        run(report, cast(User, self.request.user), note.validated_data["note"])
        return Response(self.get_serializer(self.get_queryset().get(pk=report.pk)).data)

    def _followup(self, report: OutcomeReport, months: str) -> OutcomeFollowUp:
        return get_object_or_404(OutcomeFollowUp, report=report, months=int(months))

    @extend_schema(summary=gettext_lazy("Accept a submitted outcome report (completes the application)"),
                   request=NoteInputSerializer, responses=_REVIEWED)  # fmt: skip
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str | None = None) -> Response:
        return self._review(lambda report, actor, note: outcome_report_accept(report=report, actor=actor, note=note))

    @extend_schema(summary=gettext_lazy("Return a submitted outcome report to the firm (a note is required)"),
                   request=NoteInputSerializer, responses=_REVIEWED)  # fmt: skip
    @action(detail=True, methods=["post"], url_path="return")
    def return_report(self, request: Request, pk: str | None = None) -> Response:
        return self._review(lambda report, actor, note: outcome_report_return(report=report, actor=actor, note=note))

    @extend_schema(summary=gettext_lazy("Accept a submitted 6- or 12-month follow-up"),
                   request=NoteInputSerializer, responses=_REVIEWED)  # fmt: skip
    @action(detail=True, methods=["post"], url_path=f"follow-ups/{_MONTHS}/accept")
    def accept_followup(self, request: Request, pk: str | None = None, months: str = "") -> Response:
        return self._review(
            lambda report, actor, note: outcome_followup_accept(
                followup=self._followup(report, months), actor=actor, note=note
            )
        )

    @extend_schema(summary=gettext_lazy("Return a submitted 6- or 12-month follow-up (a note is required)"),
                   request=NoteInputSerializer, responses=_REVIEWED)  # fmt: skip
    @action(detail=True, methods=["post"], url_path=f"follow-ups/{_MONTHS}/return")
    def return_followup(self, request: Request, pk: str | None = None, months: str = "") -> Response:
        return self._review(
            lambda report, actor, note: outcome_followup_return(
                followup=self._followup(report, months), actor=actor, note=note
            )
        )
