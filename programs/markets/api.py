"""REST API: the ranked list of target markets (GET /api/v1/markets/priority/).

Managers and officers read it; for anyone else it does not exist (404). The list is short
(one row per ISO country) and computed as a whole, so it is not paginated.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer
from rest_framework import exceptions, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from programs.markets import priority
from programs.markets.services import MarketPriorities, MarketPriority, market_priority_list
from programs.models import IndicatorCode, PriorityFactor
from sme_support.api.base import FORMAT_PARAMETER, ApiViewMixin, ErrorSerializer
from sme_support.api.csv_export import stream_rows
from sme_support.roles import is_officer

INPUT_NAMES = [*IndicatorCode.values, "fta_in_force", "live_mous"]


class PriorityWeightsSerializer(serializers.Serializer):
    market_size = serializers.DecimalField(max_digits=5, decimal_places=2)
    growth_potential = serializers.DecimalField(max_digits=5, decimal_places=2)
    relationship_maturity = serializers.DecimalField(max_digits=5, decimal_places=2)
    cultural_intimacy = serializers.DecimalField(max_digits=5, decimal_places=2)
    ip_protection = serializers.DecimalField(max_digits=5, decimal_places=2)


class PriorityFactorSerializer(serializers.Serializer):
    factor = serializers.ChoiceField(choices=PriorityFactor.choices)
    # Serializer fields named like attributes of DRF's Field: the metaclass pops them, mypy can't tell.
    label = serializers.CharField(help_text=_("The factor's name in the request's language."))  # type: ignore[assignment]
    weight = serializers.DecimalField(max_digits=5, decimal_places=2)
    normalised = serializers.FloatField(
        allow_null=True, help_text=_("The factor scaled to 0–1 across countries; null when the country has no data.")
    )
    contribution = serializers.FloatField(help_text=_("Points this factor adds to the score (0 when missing)."))


class PriorityInputSerializer(serializers.Serializer):
    name = serializers.CharField(help_text=_("One of: %(names)s.") % {"names": ", ".join(INPUT_NAMES)})
    label = serializers.CharField()  # type: ignore[assignment]
    value = serializers.CharField(
        help_text=_("The raw value as text: an amount, a percentage, an index, true/false or a count.")
    )
    year = serializers.IntegerField(allow_null=True, help_text=_("The year the value describes (for an FTA: since)."))
    source = serializers.CharField()  # type: ignore[assignment]


class MarketPrioritySerializer(serializers.Serializer):
    rank = serializers.IntegerField(allow_null=True, help_text=_("1 is the highest priority; null: not ranked."))
    iso2 = serializers.CharField()
    iso3 = serializers.CharField()
    name = serializers.CharField(help_text=_("The name in the request's language."))
    name_en = serializers.CharField()
    name_ko = serializers.CharField()
    is_strategic_target = serializers.BooleanField()
    score = serializers.FloatField(allow_null=True, help_text=_("0–100; null when the country has no data."))
    coverage = serializers.FloatField(help_text=_("Share (0–1) of the total weight the country has data for."))
    missing_factors = serializers.ListField(child=serializers.ChoiceField(choices=PriorityFactor.choices))
    factors = PriorityFactorSerializer(many=True)
    inputs = PriorityInputSerializer(many=True)


@extend_schema_serializer(many=False)
class MarketPriorityListSerializer(serializers.Serializer):
    weights = PriorityWeightsSerializer()
    count = serializers.IntegerField()
    ranked = serializers.IntegerField(help_text=_("Rows with a rank; the unranked rows follow them."))
    results = MarketPrioritySerializer(many=True)


def _round(value: float | None, places: int) -> float | None:
    return None if value is None else round(value, places)


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _row(row: MarketPriority, weights: dict[str, Any]) -> dict[str, Any]:
    result = row.result
    return {
        "rank": result.rank,
        "iso2": row.country.iso2,
        "iso3": row.country.iso3,
        "name": row.country.name,
        "name_en": row.country.name_en,
        "name_ko": row.country.name_ko,
        "is_strategic_target": row.country.is_strategic_target,
        "score": _round(result.score, 2),
        "coverage": round(result.coverage, 4),
        "missing_factors": result.missing,
        "factors": [
            {
                "factor": factor,
                "label": label,
                "weight": weights[factor],
                "normalised": _round(normalised, 4),
                "contribution": round(contribution, 2),
            }
            for factor, label, normalised, contribution in row.factors
        ],
        "inputs": [
            {"name": i.name, "label": str(i.label), "value": _text(i.value), "year": i.year, "source": i.source}
            for i in row.inputs.values()
        ],
    }


CSV_HEADER = [
    "rank",
    "iso2",
    "iso3",
    "name_en",
    "name_ko",
    "is_strategic_target",
    "score",
    "coverage",
    "missing_factors",
    *(f"{factor}_{part}" for factor in PriorityFactor.values for part in ("normalised", "contribution")),
    *(f"{name}_{part}" for name in INPUT_NAMES for part in ("value", "year")),
]


def _csv_rows(priorities: MarketPriorities) -> Iterator[list[Any]]:
    for row in priorities.rows:
        result = row.result
        cells: list[Any] = [
            result.rank,
            row.country.iso2,
            row.country.iso3,
            row.country.name_en,
            row.country.name_ko,
            row.country.is_strategic_target,
            _round(result.score, 2),
            round(result.coverage, 4),
            result.missing,
        ]
        for factor in PriorityFactor.values:
            cells += [_round(result.normalised[factor], 4), round(result.contributions[factor], 2)]
        for name in INPUT_NAMES:
            found = row.inputs.get(name)
            cells += [None, None] if found is None else [found.value, found.year]
        yield cells


@extend_schema(
    summary=_("Target markets ranked by priority score"),
    description=priority.SCORE_METHOD,
    parameters=[FORMAT_PARAMETER],
    responses={
        200: MarketPriorityListSerializer,
        404: OpenApiResponse(ErrorSerializer, description=_("Not available to firms' staff.")),
    },
)
class MarketPriorityViewSet(ApiViewMixin, viewsets.GenericViewSet):
    """Every ISO country with its score, each factor's contribution and the missing factors:
    ranked countries first, then those without data."""

    serializer_class = MarketPriorityListSerializer
    pagination_class = None
    filter_backends: list[Any] = []

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        if not is_officer(request.user):
            raise exceptions.NotFound()
        priorities = market_priority_list(user=request.user)
        if self.wants_csv(request):
            return stream_rows(header=CSV_HEADER, rows=_csv_rows(priorities), filename="market-priorities.csv")
        weights = priorities.weights.as_dict()
        data = {
            "weights": weights,
            "count": len(priorities.rows),
            "ranked": len(priorities.ranked),
            "results": [_row(row, weights) for row in priorities.rows],
        }
        return Response(self.get_serializer(data).data)
