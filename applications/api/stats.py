"""Statistics endpoints: grouped counts, rates and totals, computed in one aggregate query.

The filters are the applications list's own (same scope, same meaning), ``group_by`` picks
dimensions from a whitelist, and ``?format=csv`` streams the same rows as CSV. What each
metric means is documented in ``applications.statistics.aggregates``.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import utils as filter_utils
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from applications.api.filters import ApplicationFilter, OutcomeStatisticsFilter
from applications.models import Application
from applications.selectors import application_list, ip_holding_list
from applications.statistics import aggregates as statistics
from applications.workflow import Status
from firms.models import ExportTier, IPHolding, Region, Sector, SizeClass
from programs.models import ProgramKind
from sme_support.api.base import FORMAT_PARAMETER, ApiViewMixin
from sme_support.api.csv_export import stream_rows

# --- Shapes -----------------------------------------------------------------------------------


class _DimensionFields(serializers.Serializer):
    """Present only for the dimensions grouped by."""

    program = serializers.IntegerField(required=False)
    program_code = serializers.CharField(required=False)
    program_title = serializers.CharField(required=False)
    kind = serializers.ChoiceField(choices=ProgramKind.choices, required=False)
    kind_label = serializers.CharField(required=False)
    fiscal_year = serializers.IntegerField(required=False)
    month = serializers.CharField(
        required=False, allow_null=True, help_text=_("YYYY-MM of submission; null for drafts.")
    )
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    status_label = serializers.CharField(required=False)
    sector = serializers.ChoiceField(choices=Sector.choices, required=False)
    sector_label = serializers.CharField(required=False)
    size_class = serializers.ChoiceField(choices=SizeClass.choices, required=False)
    size_class_label = serializers.CharField(required=False)
    export_tier = serializers.ChoiceField(choices=ExportTier.choices, required=False)
    export_tier_label = serializers.CharField(required=False)
    region = serializers.ChoiceField(choices=Region.choices, required=False)
    region_label = serializers.CharField(required=False)
    country = serializers.CharField(
        required=False, allow_null=True, help_text=_("Target country (ISO code); null for programs without one.")
    )
    country_name = serializers.CharField(required=False, allow_null=True)


class ApplicationStatisticsRowSerializer(_DimensionFields):
    applications = serializers.IntegerField()
    firms = serializers.IntegerField(help_text=_("Distinct firms."))
    decided = serializers.IntegerField(help_text=_("Applications that received a decision."))
    approved = serializers.IntegerField(help_text=_("Approved or completed."))
    approval_rate = serializers.FloatField(allow_null=True, help_text=_("approved / decided; null if none decided."))
    median_days_to_decision = serializers.FloatField(
        allow_null=True,
        help_text=_(
            "Median days from submission to decision, rounded to one decimal (a plain number such as 0.0 or 12.5); "
            "null if none decided."
        ),
    )
    waitlisted = serializers.IntegerField()
    allocated_krw = serializers.IntegerField(help_text=_("KRW of live allocations in export-funding programs."))
    allocated_booths = serializers.IntegerField(help_text=_("Booths of live allocations in trade-show programs."))
    allocated_seats = serializers.IntegerField(
        help_text=_("Seats of live allocations in business-delegation programs.")
    )
    capacity_krw = serializers.IntegerField(
        allow_null=True,
        help_text=_(
            "Budget (KRW) of the group's export-funding programs; null unless grouped only by program, kind or "
            "fiscal_year."
        ),
    )
    capacity_booths = serializers.IntegerField(
        allow_null=True,
        help_text=_(
            "Booths of the group's trade-show programs; null unless grouped only by program, kind or fiscal_year."
        ),
    )
    capacity_seats = serializers.IntegerField(
        allow_null=True,
        help_text=_(
            "Seats of the group's business-delegation programs; null unless grouped only by program, kind or "
            "fiscal_year."
        ),
    )
    outcome_reports = serializers.IntegerField(help_text=_("Submitted or accepted outcome reports."))
    buyer_meetings = serializers.IntegerField()
    consultation_usd = serializers.IntegerField()
    contracts_usd = serializers.IntegerField()
    support_krw = serializers.IntegerField(help_text=_("KRW of support behind the counted outcome reports."))
    contracts_usd_per_krw = serializers.FloatField(allow_null=True)


class ApplicationStatisticsSerializer(serializers.Serializer):
    group_by = serializers.ListField(child=serializers.ChoiceField(choices=statistics.APPLICATION_GROUP_BY))
    count = serializers.IntegerField(help_text=_("Number of rows (groups)."))
    results = ApplicationStatisticsRowSerializer(many=True)


class OutcomeStatisticsRowSerializer(_DimensionFields):
    reports = serializers.IntegerField()
    firms = serializers.IntegerField(help_text=_("Distinct firms."))
    buyer_meetings = serializers.IntegerField()
    consultation_usd = serializers.IntegerField()
    contracts_usd = serializers.IntegerField()
    ip_filed = serializers.IntegerField()
    support_krw = serializers.IntegerField(help_text=_("KRW of support behind the reports."))
    contracts_usd_per_krw = serializers.FloatField(allow_null=True)
    first_time_exporters = serializers.IntegerField(
        help_text=_("Distinct firms behind the reports that exported nothing the year before.")
    )
    new_countries = serializers.IntegerField(help_text=_("New countries entered, summed over the reports."))
    followup_contracts_usd = serializers.IntegerField(
        help_text=_("Contracts of each report's latest accepted 6- or 12-month follow-up, summed.")
    )


class OutcomeStatisticsSerializer(serializers.Serializer):
    group_by = serializers.ListField(child=serializers.ChoiceField(choices=statistics.OUTCOME_GROUP_BY))
    count = serializers.IntegerField(help_text=_("Number of rows (groups)."))
    results = OutcomeStatisticsRowSerializer(many=True)


def _group_by_parameter(allowed: Sequence[str]) -> OpenApiParameter:
    return OpenApiParameter(
        "group_by",
        {"type": "array", "items": {"type": "string", "enum": list(allowed)}},
        style="form",
        explode=False,
        description=_(
            "Dimensions to group by, comma-separated, any combination; none gives one row of totals. "
            "An unknown dimension is a 400 that lists the allowed ones."
        ),
    )


# --- Views ------------------------------------------------------------------------------------


class _GroupedStatisticsView(ApiViewMixin, GenericAPIView, abc.ABC):
    """Shared by every statistics endpoint: group_by parsing, JSON or streamed CSV."""

    # True even without filters: the schema then documents the 400 of a bad group_by.
    documents_filters = True
    allowed_group_by: Sequence[str] = ()
    csv_filename = "statistics.csv"

    def _offers_csv(self) -> bool:
        return True

    def group_by(self) -> list[str]:
        try:
            return statistics.parse_group_by(
                self.request.query_params.getlist("group_by"), allowed=self.allowed_group_by
            )
        except statistics.UnknownDimension as exc:
            raise exceptions.ValidationError({"group_by": [str(exc)]}) from exc

    @abc.abstractmethod
    def compute(self) -> statistics.Statistics:
        """The endpoint's one aggregate, for this request's scope and group_by."""

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        result = self.compute()
        if self.wants_csv(request):
            return stream_rows(header=result.columns, rows=result.table(), filename=self.csv_filename)
        rows = list(result.rows())
        data = {"group_by": result.group_by, "count": len(rows), "results": rows}
        return Response(self.get_serializer(data).data)


class _StatisticsView(_GroupedStatisticsView):
    """Statistics over applications: the applications list's scope and filters."""

    filter_backends = [DjangoFilterBackend]
    # For the schema generator (it reads the model from here); requests use get_queryset().
    queryset = Application.objects.none()
    filter_values: dict[str, Any]
    filterset_class: type[ApplicationFilter]

    def get_queryset(self) -> QuerySet[Application]:
        return application_list(user=self.request.user)

    def filtered_applications(self) -> QuerySet[Application]:
        filterset = self.filterset_class(self.request.query_params, queryset=self.get_queryset(), request=self.request)
        if not filterset.is_valid():
            raise filter_utils.translate_validation(filterset.errors)
        self.filter_values = filterset.form.cleaned_data
        return filterset.qs


@extend_schema(
    summary=_("Application statistics"),
    description=statistics.__doc__,
    parameters=[_group_by_parameter(statistics.APPLICATION_GROUP_BY), FORMAT_PARAMETER],
)
class ApplicationStatisticsView(_StatisticsView):
    """Counts, approval rate, time to decision, capacity used and outcome totals by group."""

    serializer_class = ApplicationStatisticsSerializer
    filterset_class = ApplicationFilter
    allowed_group_by = statistics.APPLICATION_GROUP_BY
    csv_filename = "application-statistics.csv"

    def compute(self) -> statistics.Statistics:
        group_by = self.group_by()
        return statistics.application_statistics(applications=self.filtered_applications(), group_by=group_by)


@extend_schema(
    summary=_("Outcome statistics"),
    description=_(
        "Totals of outcome reports (buyer meetings, consultations, contracts, IP filed) and the "
        "support behind them, by group. Counts submitted and accepted reports unless report_status says otherwise."
    ),
    parameters=[_group_by_parameter(statistics.OUTCOME_GROUP_BY), FORMAT_PARAMETER],
)
class OutcomeStatisticsView(_StatisticsView):
    serializer_class = OutcomeStatisticsSerializer
    filterset_class = OutcomeStatisticsFilter
    allowed_group_by = statistics.OUTCOME_GROUP_BY
    csv_filename = "outcome-statistics.csv"

    def compute(self) -> statistics.Statistics:
        group_by = self.group_by()
        applications = self.filtered_applications()
        # An explicit report_status filter already narrowed the reports; otherwise the default.
        explicit = bool(self.filter_values.get("report_status"))
        return statistics.outcome_statistics(
            applications=applications, group_by=group_by, report_statuses=[] if explicit else None
        )


class IPFilingStatisticsRowSerializer(serializers.Serializer):
    """Dimension fields are present only for the dimensions grouped by."""

    country = serializers.CharField(required=False, help_text=_("Country of registration (ISO code)."))
    country_name = serializers.CharField(required=False)
    kind = serializers.ChoiceField(choices=IPHolding.Kind.choices, required=False)
    kind_label = serializers.CharField(required=False)
    sector = serializers.ChoiceField(choices=Sector.choices, required=False)
    sector_label = serializers.CharField(required=False)
    size_class = serializers.ChoiceField(choices=SizeClass.choices, required=False)
    size_class_label = serializers.CharField(required=False)
    region = serializers.ChoiceField(choices=Region.choices, required=False)
    region_label = serializers.CharField(required=False)
    filings = serializers.IntegerField(help_text=_("IP registrations abroad."))
    firms = serializers.IntegerField(help_text=_("Distinct firms holding them."))


class IPFilingStatisticsSerializer(serializers.Serializer):
    group_by = serializers.ListField(child=serializers.ChoiceField(choices=statistics.IP_FILING_GROUP_BY))
    count = serializers.IntegerField(help_text=_("Number of rows (groups)."))
    results = IPFilingStatisticsRowSerializer(many=True)


@extend_schema(
    summary=_("IP filing statistics"),
    description=_(
        "Intellectual property the firms registered abroad (trademarks, patents, design rights, "
        "copyrights), counted by country of registration, kind or the firm's sector, size or region. "
        "Scoped like the firms list: a firm's staff see their own firm's, an officer those of the "
        "firms that applied to their programs, a manager all."
    ),
    parameters=[_group_by_parameter(statistics.IP_FILING_GROUP_BY), FORMAT_PARAMETER],
)
class IPFilingStatisticsView(_GroupedStatisticsView):
    serializer_class = IPFilingStatisticsSerializer
    filter_backends: list[Any] = []
    allowed_group_by = statistics.IP_FILING_GROUP_BY
    csv_filename = "ip-filing-statistics.csv"
    # For the schema generator (it reads the model from here); requests use get_queryset().
    queryset = IPHolding.objects.none()

    def get_queryset(self) -> QuerySet[IPHolding]:
        return ip_holding_list(user=self.request.user)

    def compute(self) -> statistics.Statistics:
        group_by = self.group_by()
        return statistics.ip_filing_statistics(holdings=self.get_queryset(), group_by=group_by)
