"""The priority score of a target market: pure arithmetic over what is known of each country.

The method is ``SCORE_METHOD`` below; the API documents it with the same text.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar

from programs.models import PriorityFactor

SCORE_METHOD = """How a country's score is computed:

1. Each of the five factors is normalised to 0–1 across the countries that have data for it:

   - **Market size**: log10 of GDP (current USD), min–max scaled. The log keeps a handful of
     very large economies from squashing every other country to zero.
   - **Growth potential**: real GDP growth (annual %), clipped to the 5th–95th percentile of
     the countries' values (linear interpolation between order statistics, as numpy's default
     and Excel's PERCENTILE.INC), then min–max scaled over the clipped range. Clipping keeps
     one post-crisis rebound (or collapse) from deciding everyone else's growth score.
   - **Relationship maturity**: the mean of the components that are known:
       * FTA in force: 1, recorded as not in force: 0 (no record: unknown);
       * live MOUs: min(count, 3) / 3. The MOU register is complete, so no MOU is a real
         zero, but only once something else is known of the relationship: a country with
         no FTA record, no trade figure and no live MOU has no relationship data at all;
       * bilateral trade volume: log10 of USD (below 1 USD counts as 1), min–max scaled.
   - **Cultural intimacy** and **IP protection**: already indices on a fixed 0–100 scale the
     agency defines, so simply divided by 100 (min–max would blow small differences up).

   Min–max scaling maps the lowest value to 0 and the highest to 1; when every country has
   the same value the factor says nothing about their order and each gets 0.5.

2. A missing value is never taken as zero. A country's score is the weighted mean of the
   factors it *has*, with the weights renormalised over those factors:

       score = 100 × Σ w_f·n_f / Σ w_f        (sums over the factors with data)

   and a factor's contribution is its term, 100 × w_f·n_f / Σ w_f, so the contributions add
   up to the score. ``coverage`` is the share of the total weight the country has data for.

3. Countries are ranked by score (highest first; ties by coverage, then English name).
   A country with no data for any factor of positive weight is listed after them, unranked.
"""

K = TypeVar("K", bound=Hashable)

MOU_CAP = 3
GROWTH_CLIP_PERCENTILES = (5.0, 95.0)
NO_SPREAD = 0.5


@dataclass(frozen=True)
class CountryFacts:
    """The raw inputs for one country; ``None`` means not known."""

    key: str
    name: str = ""
    gdp_usd: Decimal | None = None
    gdp_growth_pct: Decimal | None = None
    trade_volume_usd: Decimal | None = None
    fta_in_force: bool | None = None
    live_mous: int = 0
    cultural_intimacy: Decimal | None = None
    ip_protection: Decimal | None = None


@dataclass
class CountryScore:
    key: str
    name: str
    # Normalised value (0–1) of each factor, None where the country has no data for it.
    normalised: dict[str, float | None]
    # Points each factor adds to the score (0 for a missing factor; they sum to ``score``).
    contributions: dict[str, float]
    missing: list[str]
    coverage: float
    score: float | None = None
    rank: int | None = None
    # The relationship components that went into the factor (fta, mous, trade), for display.
    relationship_components: dict[str, float | None] = field(default_factory=dict)

    @property
    def is_ranked(self) -> bool:
        return self.rank is not None


def min_max(values: Mapping[K, float]) -> dict[K, float]:
    """Scale to 0–1: the lowest value maps to 0, the highest to 1; no spread gives 0.5 each."""
    if not values:
        return {}
    low, high = min(values.values()), max(values.values())
    if math.isclose(high, low):
        return dict.fromkeys(values, NO_SPREAD)
    return {key: (value - low) / (high - low) for key, value in values.items()}


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0–100) with linear interpolation between the sorted values."""
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    position = (len(ordered) - 1) * p / 100
    lower = math.floor(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def clipped_min_max(values: Mapping[K, float], low_p: float, high_p: float) -> dict[K, float]:
    """Clip to the [low_p, high_p] percentiles, then min–max scale."""
    if not values:
        return {}
    low = percentile(list(values.values()), low_p)
    high = percentile(list(values.values()), high_p)
    return min_max({key: min(max(value, low), high) for key, value in values.items()})


def _known(facts: Sequence[CountryFacts], read: Callable[[CountryFacts], Decimal | None]) -> dict[str, float]:
    return {f.key: float(value) for f in facts if (value := read(f)) is not None}


def normalise(facts: Sequence[CountryFacts]) -> dict[str, dict[str, float | None]]:
    """The normalised value of every factor for every country (None: no data), plus the
    relationship components under the keys ``fta``, ``mous`` and ``trade``."""
    market = min_max({k: math.log10(v) for k, v in _known(facts, lambda f: f.gdp_usd).items() if v > 0})
    growth = clipped_min_max(_known(facts, lambda f: f.gdp_growth_pct), *GROWTH_CLIP_PERCENTILES)
    trade = min_max({k: math.log10(max(v, 1.0)) for k, v in _known(facts, lambda f: f.trade_volume_usd).items()})
    result: dict[str, dict[str, float | None]] = {}
    for f in facts:
        fta = None if f.fta_in_force is None else float(f.fta_in_force)
        trade_n = trade.get(f.key)
        relationship_known = fta is not None or trade_n is not None or f.live_mous > 0
        mous = min(f.live_mous, MOU_CAP) / MOU_CAP if relationship_known else None
        components = [c for c in (fta, mous, trade_n) if c is not None]
        result[f.key] = {
            PriorityFactor.MARKET_SIZE: market.get(f.key),
            PriorityFactor.GROWTH_POTENTIAL: growth.get(f.key),
            PriorityFactor.RELATIONSHIP_MATURITY: sum(components) / len(components) if components else None,
            PriorityFactor.CULTURAL_INTIMACY: _index(f.cultural_intimacy),
            PriorityFactor.IP_PROTECTION: _index(f.ip_protection),
            "fta": fta,
            "mous": mous,
            "trade": trade_n,
        }
    return result


def _index(value: Decimal | None) -> float | None:
    return None if value is None else min(max(float(value) / 100, 0.0), 1.0)


def score_countries(facts: Sequence[CountryFacts], weights: Mapping[str, Decimal]) -> list[CountryScore]:
    """Score and rank every country (see the module's docstring); ranked countries first."""
    total_weight = sum(float(weights[factor]) for factor in PriorityFactor.values)
    if total_weight <= 0:
        raise ValueError("At least one weight must be above zero.")
    normalised = normalise(facts)
    scores: list[CountryScore] = []
    for f in facts:
        values = normalised[f.key]
        factor_values = {factor: values[factor] for factor in PriorityFactor.values}
        missing = [factor for factor, value in factor_values.items() if value is None]
        present_weight = sum(float(weights[factor]) for factor, value in factor_values.items() if value is not None)
        contributions = dict.fromkeys(PriorityFactor.values, 0.0)
        score = None
        if present_weight > 0:
            for factor, value in factor_values.items():
                if value is not None:
                    contributions[factor] = 100 * float(weights[factor]) * value / present_weight
            score = sum(contributions.values())
        scores.append(
            CountryScore(
                key=f.key,
                name=f.name,
                normalised=factor_values,
                contributions=contributions,
                missing=missing,
                coverage=present_weight / total_weight,
                score=score,
                relationship_components={k: values[k] for k in ("fta", "mous", "trade")},
            )
        )
    ranked = sorted((s for s in scores if s.score is not None), key=lambda s: (-(s.score or 0), -s.coverage, s.name))
    for position, row in enumerate(ranked, start=1):
        row.rank = position
    unranked = sorted((s for s in scores if s.score is None), key=lambda s: s.name)
    return ranked + unranked
