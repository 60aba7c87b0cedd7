"""REST API over countries and programs (read-only: both are reference data for API users)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers

from firms.models import Sector
from programs.models import CapacityUnit, Country, ExpenseCategory, Program, ProgramKind, SelectionMode
from programs.selectors import country_list, program_catalogue
from sme_support.api.base import FORMAT_PARAMETER, ScopedReadOnlyViewSet
from sme_support.api.csv_export import CsvColumn
from sme_support.api.filters import CountryCodeFilter, FiscalYearFilter, StrictBooleanFilter

# --- Countries ------------------------------------------------------------------------------


class CountrySerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text=_("The name in the request's language."))

    class Meta:
        model = Country
        fields = ["iso2", "iso3", "numeric", "name_en", "name_ko", "name", "is_strategic_target"]


class CountryFilter(filters.FilterSet):
    is_strategic_target = StrictBooleanFilter(help_text=_("Only (or never) the agency's strategic target markets."))

    class Meta:
        model = Country
        fields = ["is_strategic_target"]


@extend_schema_view(
    list=extend_schema(summary=_("List countries"), parameters=[FORMAT_PARAMETER]),
    retrieve=extend_schema(summary=_("One country, by ISO code")),
)
class CountryViewSet(ScopedReadOnlyViewSet):
    """ISO 3166 countries and whether the agency targets them."""

    serializer_class = CountrySerializer
    filterset_class = CountryFilter
    ordering_fields = ["iso2", "name_en", "name_ko"]
    ordering = ["name_en"]
    lookup_value_regex = "[A-Za-z]{2}"
    csv_filename = "countries.csv"
    csv_columns = [
        CsvColumn(name, name) for name in ["iso2", "iso3", "numeric", "name_en", "name_ko", "is_strategic_target"]
    ]

    def get_queryset(self) -> QuerySet[Country]:
        return country_list(user=self.request.user)

    def get_object(self) -> Country:
        # ISO codes are upper case; accept "fr" as well as "FR".
        self.kwargs[self.lookup_field] = str(self.kwargs[self.lookup_field]).upper()
        return super().get_object()


# --- Programs -------------------------------------------------------------------------------


class ProgramSerializer(serializers.ModelSerializer):
    title = serializers.CharField(read_only=True, help_text=_("The title in the request's language."))
    capacity_unit = serializers.ChoiceField(choices=CapacityUnit.choices, read_only=True)
    capacity_remaining = serializers.IntegerField(read_only=True)
    is_open = serializers.SerializerMethodField(help_text=_("Whether the call accepts applications now."))
    target_countries: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text=_("ISO codes of the target countries.")
    )
    target_sectors = serializers.ListField(
        child=serializers.ChoiceField(choices=Sector.choices),
        read_only=True,
        help_text=_("Empty means every creative sector."),
    )
    eligible_expenses = serializers.ListField(
        child=serializers.ChoiceField(choices=ExpenseCategory.choices), read_only=True
    )

    class Meta:
        model = Program
        fields = [
            "id",
            "code",
            "kind",
            "title",
            "title_ko",
            "title_en",
            "description_ko",
            "description_en",
            "fiscal_year",
            "opens_at",
            "closes_at",
            "is_open",
            "selection_mode",
            "capacity",
            "capacity_unit",
            "allocated",
            "capacity_remaining",
            "per_firm_cap",
            "target_countries",
            "target_sectors",
            "review_target_days",
            "co_funding_share",
            "eligible_expenses",
            "event_name",
            "event_city",
            "event_country",
            "organiser",
            "event_starts_on",
            "event_ends_on",
            "subsidy_per_booth_krw",
            "firm_fee_krw",
            "buyer_matchmaking",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.BooleanField())
    def get_is_open(self, program: Program) -> bool:
        return program.is_open(self.context.get("now"))


class ProgramFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=ProgramKind.choices)
    fiscal_year = FiscalYearFilter()
    country = CountryCodeFilter(field_name="target_countries", help_text=_("Programs targeting this country."))
    sector = filters.ChoiceFilter(
        choices=Sector.choices, method="filter_sector", help_text=_("Programs open to firms of this sector.")
    )
    selection_mode = filters.ChoiceFilter(choices=SelectionMode.choices)
    is_open = StrictBooleanFilter(method="filter_open", help_text=_("Calls open (or not open) right now."))

    class Meta:
        model = Program
        fields = ["kind", "fiscal_year", "country", "sector", "selection_mode", "is_open"]

    def filter_sector(self, queryset: QuerySet[Program], name: str, value: str) -> QuerySet[Program]:
        # target_sectors is a JSON list of codes; matching the quoted code as text works on both
        # PostgreSQL and SQLite (whose JSON has no containment lookup), and codes never nest.
        return queryset.filter(Q(target_sectors=[]) | Q(target_sectors__icontains=f'"{value}"'))

    def filter_open(self, queryset: QuerySet[Program], name: str, value: bool) -> QuerySet[Program]:
        now = timezone.now()
        is_open = Q(opens_at__lte=now, closes_at__gt=now)
        return queryset.filter(is_open) if value else queryset.exclude(is_open)


def _target_countries(program: Program) -> list[str]:
    return [country.pk for country in program.target_countries.all()]


@extend_schema_view(
    list=extend_schema(summary=_("List programs (calls for applications)"), parameters=[FORMAT_PARAMETER]),
    retrieve=extend_schema(summary=_("One program")),
)
class ProgramViewSet(ScopedReadOnlyViewSet):
    """Programs are public calls: every signed-in user may list them."""

    serializer_class = ProgramSerializer
    filterset_class = ProgramFilter
    ordering_fields = ["id", "code", "fiscal_year", "opens_at", "closes_at", "capacity"]
    ordering = ["-fiscal_year", "closes_at"]
    csv_filename = "programs.csv"
    csv_columns = [
        *(
            CsvColumn(name, name)
            for name in [
                "id",
                "code",
                "kind",
                "title_ko",
                "title_en",
                "fiscal_year",
                "opens_at",
                "closes_at",
                "selection_mode",
                "capacity",
                "capacity_unit",
                "allocated",
                "per_firm_cap",
            ]
        ),
        CsvColumn("target_countries", _target_countries),
        CsvColumn("target_sectors", "target_sectors"),
        CsvColumn("event_name", "event_name"),
        CsvColumn("event_city", "event_city"),
        CsvColumn("event_country", "event_country_id"),
        CsvColumn("event_starts_on", "event_starts_on"),
        CsvColumn("event_ends_on", "event_ends_on"),
    ]

    def get_queryset(self) -> QuerySet[Program]:
        return program_catalogue(user=self.request.user)

    def get_serializer_context(self) -> dict[str, Any]:
        # One clock for the whole page, so that "open" means the same for every row.
        return {**super().get_serializer_context(), "now": timezone.now()}
