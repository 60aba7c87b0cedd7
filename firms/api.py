"""REST API over the firm registry (read-only: firms keep their profile in the portal)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from applications.selectors import application_list, firm_list
from firms.models import ExportTier, Firm, Region, SizeClass
from firms.models import Sector as SectorChoices
from sme_support.api.base import FORMAT_PARAMETER, ScopedReadOnlyViewSet
from sme_support.api.csv_export import CsvColumn
from sme_support.api.filters import CountryCodeFilter, IdFilter


class FirmSerializer(serializers.ModelSerializer):
    brn_display = serializers.CharField(read_only=True, help_text=_("The registration number as 123-45-67890."))
    markets_of_interest: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text=_("ISO codes of the markets the firm wants to enter.")
    )
    # Not a "uri" in the schema: most firms leave it empty.
    website = serializers.CharField(read_only=True, help_text=_("The firm's website URL, or empty."))

    class Meta:
        model = Firm
        fields = [
            "id",
            "brn",
            "brn_display",
            "name_ko",
            "name_en",
            "region",
            "founded_on",
            "employees",
            "annual_revenue_krw",
            "exports_last_year_usd",
            "sector",
            "size_class",
            "export_tier",
            "markets_of_interest",
            "website",
            "sanctioned_until",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class FirmFilter(filters.FilterSet):
    sector = filters.ChoiceFilter(choices=SectorChoices.choices)
    size_class = filters.ChoiceFilter(choices=SizeClass.choices)
    export_tier = filters.ChoiceFilter(choices=ExportTier.choices)
    region = filters.ChoiceFilter(choices=Region.choices)
    country = CountryCodeFilter(field_name="markets_of_interest", help_text=_("Firms interested in this market."))
    program = IdFilter(method="filter_program", help_text=_("Firms that applied to this program (id)."))

    class Meta:
        model = Firm
        fields = ["sector", "size_class", "export_tier", "region", "country", "program"]

    def filter_program(self, queryset: QuerySet[Firm], name: str, value: int) -> QuerySet[Firm]:
        # Through the user's own application scope: an officer must not learn, by filtering,
        # that a firm they see also applied to a program they are not assigned to.
        applied = application_list(user=self.request.user).filter(program_id=value).values("firm_id")
        return queryset.filter(pk__in=applied)


def _markets(firm: Firm) -> list[str]:
    return [country.pk for country in firm.markets_of_interest.all()]


@extend_schema_view(
    list=extend_schema(summary=_("List firms"), parameters=[FORMAT_PARAMETER]),
    retrieve=extend_schema(summary=_("One firm")),
)
class FirmViewSet(ScopedReadOnlyViewSet):
    """A firm's staff see their own firm, officers the firms that applied to their programs,
    managers every firm."""

    serializer_class = FirmSerializer
    filterset_class = FirmFilter
    ordering_fields = [
        "id",
        "name_en",
        "name_ko",
        "founded_on",
        "employees",
        "annual_revenue_krw",
        "exports_last_year_usd",
        "created_at",
    ]
    ordering = ["name_en"]
    csv_filename = "firms.csv"
    csv_columns = [
        *(
            CsvColumn(name, name)
            for name in [
                "id",
                "brn",
                "name_ko",
                "name_en",
                "region",
                "founded_on",
                "employees",
                "annual_revenue_krw",
                "exports_last_year_usd",
                "sector",
                "size_class",
                "export_tier",
            ]
        ),
        CsvColumn("markets_of_interest", _markets),
        CsvColumn("website", "website"),
        CsvColumn("sanctioned_until", "sanctioned_until"),
    ]

    def get_queryset(self) -> QuerySet[Firm]:
        return firm_list(user=self.request.user).prefetch_related("markets_of_interest")
