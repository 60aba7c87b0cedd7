"""Filters of the applications list, the outcome-report list and the statistics (which use
exactly the same ones, so a dashboard number always matches the list behind it)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from applications.models import Application, OutcomeReport
from applications.workflow import Status
from firms.models import ExportTier, Region, Sector, SizeClass
from programs.models import ProgramKind
from sme_support.api.filters import CountryCodeFilter, FiscalYearFilter, IdFilter


class ApplicationFilter(filters.FilterSet):
    program = IdFilter(field_name="program_id", help_text=_("Program id."))
    firm = IdFilter(field_name="firm_id", help_text=_("Firm id."))
    kind = filters.ChoiceFilter(field_name="program__kind", choices=ProgramKind.choices)
    fiscal_year = FiscalYearFilter(field_name="program__fiscal_year")
    status = filters.MultipleChoiceFilter(choices=Status.choices, help_text=_("One or more statuses."))
    sector = filters.ChoiceFilter(field_name="firm__sector", choices=Sector.choices)
    size_class = filters.ChoiceFilter(field_name="firm__size_class", choices=SizeClass.choices)
    export_tier = filters.ChoiceFilter(field_name="firm__export_tier", choices=ExportTier.choices)
    region = filters.ChoiceFilter(field_name="firm__region", choices=Region.choices)
    country = CountryCodeFilter(
        field_name="program__target_countries", help_text=_("Target country of the program (ISO code).")
    )
    submitted_after = filters.DateFilter(
        field_name="submitted_at", lookup_expr="date__gte", help_text=_("Submitted on or after this day (Seoul time).")
    )
    submitted_before = filters.DateFilter(
        field_name="submitted_at", lookup_expr="date__lte", help_text=_("Submitted on or before this day (Seoul time).")
    )
    decided_after = filters.DateFilter(
        field_name="decided_at", lookup_expr="date__gte", help_text=_("Decided on or after this day (Seoul time).")
    )
    decided_before = filters.DateFilter(
        field_name="decided_at", lookup_expr="date__lte", help_text=_("Decided on or before this day (Seoul time).")
    )

    class Meta:
        model = Application
        fields = [
            "program",
            "firm",
            "kind",
            "fiscal_year",
            "status",
            "sector",
            "size_class",
            "export_tier",
            "region",
            "country",
            "submitted_after",
            "submitted_before",
            "decided_after",
            "decided_before",
        ]


class OutcomeReportFilter(filters.FilterSet):
    program = IdFilter(field_name="application__program_id", help_text=_("Program id."))
    firm = IdFilter(field_name="application__firm_id", help_text=_("Firm id."))
    kind = filters.ChoiceFilter(field_name="application__program__kind", choices=ProgramKind.choices)
    fiscal_year = FiscalYearFilter(field_name="application__program__fiscal_year")
    status = filters.MultipleChoiceFilter(
        choices=OutcomeReport.ReportStatus.choices, help_text=_("One or more report statuses.")
    )
    sector = filters.ChoiceFilter(field_name="application__firm__sector", choices=Sector.choices)
    size_class = filters.ChoiceFilter(field_name="application__firm__size_class", choices=SizeClass.choices)
    region = filters.ChoiceFilter(field_name="application__firm__region", choices=Region.choices)
    country = CountryCodeFilter(
        field_name="application__program__target_countries", help_text=_("Target country of the program (ISO code).")
    )
    due_after = filters.DateFilter(field_name="due_on", lookup_expr="gte")
    due_before = filters.DateFilter(field_name="due_on", lookup_expr="lte")

    class Meta:
        model = OutcomeReport
        fields = [
            "program",
            "firm",
            "kind",
            "fiscal_year",
            "status",
            "sector",
            "size_class",
            "region",
            "country",
            "due_after",
            "due_before",
        ]


class OutcomeStatisticsFilter(ApplicationFilter):
    """The applications filters plus which outcome reports count."""

    report_status = filters.MultipleChoiceFilter(
        field_name="outcome_report__status",
        choices=OutcomeReport.ReportStatus.choices,
        help_text=_("Outcome-report statuses to count; by default submitted and accepted."),
    )

    class Meta(ApplicationFilter.Meta):
        fields = [*ApplicationFilter.Meta.fields, "report_status"]
