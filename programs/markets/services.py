"""Target markets: importing World Bank WDI indicators, keeping the agency's own country
figures, MOUs and priority weights, and the ranked list managers pick target markets from.

The WDI file layouts are read by ``programs.markets.wdi``; the arithmetic of the priority score,
and its documentation, is in ``programs.markets.priority``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.markets.priority import CountryFacts, CountryScore, score_countries
from programs.markets.wdi import DEFAULT_SOURCE, WDI_AGGREGATES, WDI_SERIES, BadLine, Observation, parse_wdi_csv
from programs.models import (
    MOU,
    Country,
    CountryIndicator,
    CountryRelationship,
    IndicatorCode,
    PriorityFactor,
    PriorityWeights,
)
from sme_support.roles import is_manager, is_officer

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from sme_support.roles import AnyUser

logger = logging.getLogger(__name__)

# --- Importing indicators ---------------------------------------------------------------------

SOURCE_MAX_LENGTH = 200  # CountryIndicator.source
WDI_DECLARED_NAMES = {"world development indicators", "wdi"}
SKIP_AGGREGATE = "aggregate"
SKIP_UNKNOWN = "unknown_country"
SKIP_NO_VALUE = "no_value"
SKIP_REASONS = {
    SKIP_AGGREGATE: "WDI aggregate (region or income group), not a country",
    SKIP_UNKNOWN: "country code not in the ISO 3166 list",
    SKIP_NO_VALUE: "no value in any year",
}


@dataclass
class ImportReport:
    layout: str
    source: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # Reason (SKIP_*) → sorted "ISO3 indicator" entries.
    skipped: dict[str, list[str]] = field(default_factory=dict)
    bad_lines: list[BadLine] = field(default_factory=list)
    ignored_series: dict[str, int] = field(default_factory=dict)


def _skip_reason(iso3: str, known: Mapping[str, str]) -> str | None:
    if iso3 in WDI_AGGREGATES:
        return SKIP_AGGREGATE
    if iso3 not in known:
        return SKIP_UNKNOWN
    return None


def import_source(*, declared: str, given: str | None) -> str:
    """The source recorded with each value: the one given, else "World Bank WDI", unless the
    file declares something other than WDI itself (the shipped samples say SAMPLE DATA)."""
    if given is not None:
        return given.strip()
    if declared and declared.lower() not in WDI_DECLARED_NAMES:
        return f"{declared} ({DEFAULT_SOURCE} layout)"[:SOURCE_MAX_LENGTH]
    return DEFAULT_SOURCE


@transaction.atomic
def country_indicators_import(*, lines: str | Iterable[str], source: str | None = None) -> ImportReport:
    """Write the most recent value of each WDI series the agency uses for every country in
    the file; a re-run updates the rows in place (one row per country and indicator).

    Raises ``WDIFormatError`` for a file in neither layout; bad rows are reported, not fatal.
    """
    if source is not None and not 1 <= len(source.strip()) <= SOURCE_MAX_LENGTH:
        raise ValidationError(_("Give a source of 1 to 200 characters."))
    parsed = parse_wdi_csv(lines)
    source = import_source(declared=parsed.declared_source, given=source)
    report = ImportReport(
        layout=parsed.layout,
        source=source,
        bad_lines=parsed.bad_lines,
        ignored_series=dict(sorted(parsed.ignored_series.items())),
    )
    country_by_iso3 = dict(Country.objects.values_list("iso3", "iso2"))
    skipped: dict[str, set[str]] = {}
    for iso3, indicator in parsed.no_value:
        reason = _skip_reason(iso3, country_by_iso3) or SKIP_NO_VALUE
        skipped.setdefault(reason, set()).add(f"{iso3} {indicator}")
    wanted: dict[tuple[str, str], Observation] = {}
    for (iso3, indicator), observation in parsed.observations.items():
        skip = _skip_reason(iso3, country_by_iso3)
        if skip:
            skipped.setdefault(skip, set()).add(f"{iso3} {indicator}")
        else:
            wanted[(country_by_iso3[iso3], indicator)] = observation
    report.skipped = {reason: sorted(entries) for reason, entries in sorted(skipped.items())}

    existing = {
        (row.country_id, row.indicator): row
        for row in CountryIndicator.objects.select_for_update().filter(
            country_id__in={iso2 for iso2, _ in wanted}, indicator__in=WDI_SERIES.values()
        )
    }
    now = timezone.now()
    to_write: list[CountryIndicator] = []
    for (iso2, indicator), observation in sorted(wanted.items()):
        current = existing.get((iso2, indicator))
        if current is not None and (current.value, current.year, current.source) == (
            observation.value,
            observation.year,
            source,
        ):
            report.unchanged += 1
            continue
        if current is None:
            report.created += 1
        else:
            report.updated += 1
        to_write.append(
            CountryIndicator(
                country_id=iso2,
                indicator=indicator,
                value=observation.value,
                year=observation.year,
                source=source,
                updated_at=now,
            )
        )
    # An upsert on the unique (country, indicator): a concurrent import of the same file can
    # never produce a duplicate, it only makes the created/updated split of one report approximate.
    CountryIndicator.objects.bulk_create(
        to_write,
        update_conflicts=True,
        unique_fields=["country", "indicator"],
        update_fields=["value", "year", "source", "updated_at"],
    )
    logger.info(
        "WDI import (%s layout, source %r): %d created, %d updated, %d unchanged, %d bad lines",
        report.layout,
        source,
        report.created,
        report.updated,
        report.unchanged,
        len(report.bad_lines),
    )
    return report


# --- Agency-maintained data -------------------------------------------------------------------


@transaction.atomic
def country_indicator_set(
    *, country: Country, indicator: str, value: Decimal, year: int, source: str
) -> CountryIndicator:
    """Record (or replace) one indicator value of a country."""
    row = CountryIndicator.objects.select_for_update().filter(country=country, indicator=indicator).first()
    row = row or CountryIndicator(country=country, indicator=indicator)
    row.value, row.year, row.source = Decimal(value), year, source
    row.full_clean(validate_unique=row.pk is not None)
    row.save()
    return row


@transaction.atomic
def country_relationship_set(
    *, country: Country, fta_in_force: bool, source: str, fta_since: date | None = None, fta_name: str = ""
) -> CountryRelationship:
    row = CountryRelationship.objects.select_for_update().filter(country=country).first()
    row = row or CountryRelationship(country=country)
    row.fta_in_force, row.fta_since, row.fta_name, row.source = fta_in_force, fta_since, fta_name, source
    row.full_clean(validate_unique=False)
    row.save()
    return row


@transaction.atomic
def mou_record(
    *,
    country: Country,
    partner_institution: str,
    signed_on: date,
    expires_on: date | None = None,
    sectors: Sequence[str] = (),
    scope: str = "",
) -> MOU:
    """Record an MOU, or update the one with the same partner country, institution and date."""
    mou = (
        MOU.objects.select_for_update()
        .filter(country=country, partner_institution=partner_institution, signed_on=signed_on)
        .first()
    ) or MOU(country=country, partner_institution=partner_institution, signed_on=signed_on)
    mou.expires_on, mou.sectors, mou.scope = expires_on, list(sectors), scope
    mou.full_clean(validate_unique=mou.pk is None)
    mou.save()
    return mou


# --- Manager decisions ------------------------------------------------------------------------


def _require_manager(actor: AnyUser, message: str) -> None:
    if not is_manager(actor):
        raise PermissionDenied(message)


@transaction.atomic
def priority_weights_update(*, actor: User, weights: Mapping[str, Decimal]) -> PriorityWeights:
    """Set the five factor weights (each 0–100, not all zero); the ranking follows at once."""
    _require_manager(actor, _("Only managers set the priority weights."))
    unknown = set(weights) - set(PriorityFactor.values)
    missing = set(PriorityFactor.values) - set(weights)
    if unknown or missing:
        raise ValidationError(
            _("Give a weight for each factor: %(factors)s.") % {"factors": ", ".join(PriorityFactor.values)}
        )
    # The lock makes two managers' saves queue up; the later one wins whole, never a mix.
    row, _created = PriorityWeights.objects.select_for_update().get_or_create(pk=PriorityWeights.SINGLETON_PK)
    for factor in PriorityFactor.values:
        setattr(row, factor, weights[factor])
    row.updated_by = actor
    row.full_clean(validate_unique=False)
    row.save()
    logger.info("Priority weights set by %s: %s", actor, row.as_dict())
    return row


@transaction.atomic
def country_set_strategic_target(*, country: Country, is_strategic_target: bool, actor: User) -> Country:
    _require_manager(actor, _("Only managers choose the strategic target markets."))
    Country.objects.filter(pk=country.pk).update(is_strategic_target=is_strategic_target)
    country.is_strategic_target = is_strategic_target
    logger.info("%s marked %s as %sa strategic target", actor, country.pk, "" if is_strategic_target else "not ")
    return country


# --- Reads ------------------------------------------------------------------------------------


def priority_weights_current() -> PriorityWeights:
    """The saved weights, or the defaults (unsaved) before any manager has set them."""
    return PriorityWeights.objects.filter(pk=PriorityWeights.SINGLETON_PK).first() or PriorityWeights()


@dataclass(frozen=True)
class Input:
    """One raw value behind a factor, as shown next to the score."""

    name: str
    label: str
    value: Decimal | int | bool
    year: int | None
    source: str


@dataclass
class MarketPriority:
    country: Country
    result: CountryScore
    inputs: dict[str, Input]

    @property
    def factors(self) -> list[tuple[str, str, float | None, float]]:
        """(factor, label, normalised value, contribution) in display order."""
        return [
            (factor, str(label), self.result.normalised[factor], self.result.contributions[factor])
            for factor, label in PriorityFactor.choices
        ]

    @property
    def missing_labels(self) -> list[str]:
        return [str(PriorityFactor(factor).label) for factor in self.result.missing]


@dataclass
class MarketPriorities:
    weights: PriorityWeights
    rows: list[MarketPriority]

    @property
    def ranked(self) -> list[MarketPriority]:
        return [row for row in self.rows if row.result.is_ranked]

    @property
    def unranked(self) -> list[MarketPriority]:
        return [row for row in self.rows if not row.result.is_ranked]


MOU_REGISTER = "MOU register"


def market_priority_list(*, user: AnyUser, on: date | None = None) -> MarketPriorities:
    """Every country scored and ranked with the current weights (officers and managers; an
    empty list for anyone else). Three queries, however many countries."""
    weights = priority_weights_current()
    if not is_officer(user):
        return MarketPriorities(weights=weights, rows=[])
    day = on or timezone.localdate()
    live = Q(mous__signed_on__lte=day) & (Q(mous__expires_on__isnull=True) | Q(mous__expires_on__gte=day))
    countries = list(Country.objects.select_related("relationship").annotate(live_mous=Count("mous", filter=live)))
    indicators: dict[str, dict[str, CountryIndicator]] = {}
    for row in CountryIndicator.objects.all():
        indicators.setdefault(row.country_id, {})[row.indicator] = row
    inputs = {c.pk: _inputs(c, indicators.get(c.pk, {})) for c in countries}
    facts = [_facts(c, indicators.get(c.pk, {})) for c in countries]
    by_key = {c.pk: c for c in countries}
    results = score_countries(facts, weights.as_dict())
    return MarketPriorities(
        weights=weights,
        rows=[MarketPriority(country=by_key[r.key], result=r, inputs=inputs[r.key]) for r in results],
    )


def _relationship(country: Country) -> CountryRelationship | None:
    try:
        return country.relationship
    except CountryRelationship.DoesNotExist:
        return None


def _facts(country: Country, indicators: Mapping[str, CountryIndicator]) -> CountryFacts:
    def value(code: str) -> Decimal | None:
        row = indicators.get(code)
        return None if row is None else row.value

    relationship = _relationship(country)
    return CountryFacts(
        key=country.pk,
        name=country.name_en,
        gdp_usd=value(IndicatorCode.GDP_USD),
        gdp_growth_pct=value(IndicatorCode.GDP_GROWTH_PCT),
        trade_volume_usd=value(IndicatorCode.TRADE_VOLUME_USD),
        fta_in_force=None if relationship is None else relationship.fta_in_force,
        live_mous=country.live_mous,  # type: ignore[attr-defined]
        cultural_intimacy=value(IndicatorCode.CULTURAL_INTIMACY),
        ip_protection=value(IndicatorCode.IP_PROTECTION),
    )


def _inputs(country: Country, indicators: Mapping[str, CountryIndicator]) -> dict[str, Input]:
    found = {
        code: Input(code, str(IndicatorCode(code).label), row.value, row.year, row.source)
        for code, row in indicators.items()
    }
    relationship = _relationship(country)
    if relationship is not None:
        since = relationship.fta_since
        found["fta_in_force"] = Input(
            "fta_in_force",
            _("FTA in force"),
            relationship.fta_in_force,
            since.year if since else None,
            relationship.source,
        )
    found["live_mous"] = Input("live_mous", _("Live MOUs"), country.live_mous, None, MOU_REGISTER)  # type: ignore[attr-defined]
    return found
