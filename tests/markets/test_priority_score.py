"""The priority score: normalisation, weights, missing values, and a three-country example
worked out by hand (the numbers in the comments are the hand computation)."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from programs.markets.priority import CountryFacts, clipped_min_max, min_max, normalise, percentile, score_countries
from programs.models import PriorityFactor

F = PriorityFactor
DEFAULT_WEIGHTS = {
    F.MARKET_SIZE: 30,
    F.GROWTH_POTENTIAL: 20,
    F.RELATIONSHIP_MATURITY: 20,
    F.CULTURAL_INTIMACY: 15,
    F.IP_PROTECTION: 15,
}


def weights(**overrides: float) -> dict[str, Decimal]:
    return {factor: Decimal(str(overrides.get(factor, DEFAULT_WEIGHTS[factor]))) for factor in F.values}


def D(value: float | int) -> Decimal:
    return Decimal(str(value))


# A, B and C as in tests/markets/conftest.py's three_countries fixture.
A = CountryFacts("A", "Alpha", D(10**12), D(2), D(10**10), True, 3, D(80), D(90))
B = CountryFacts("B", "Bravo", D(10**11), D(5), D(10**9), False, 0, D(60), D(50))
C = CountryFacts("C", "Charlie", D(10**10), D(8), None, None, 0, None, D(40))
EMPTY = CountryFacts("Z", "Zulu")


# --- Normalisation ------------------------------------------------------------------------------


def test_min_max_maps_lowest_to_zero_and_highest_to_one() -> None:
    assert min_max({"a": 10.0, "b": 15.0, "c": 20.0}) == {"a": 0.0, "b": 0.5, "c": 1.0}


def test_min_max_without_spread_gives_the_midpoint() -> None:
    assert min_max({"a": 3.0, "b": 3.0}) == {"a": 0.5, "b": 0.5}
    assert min_max({"only": 7.0}) == {"only": 0.5}
    assert min_max({}) == {}


def test_percentile_interpolates_linearly_like_numpy() -> None:
    values = [2.0, 5.0, 8.0]
    assert percentile(values, 5) == pytest.approx(2.3)  # position 0.1 between 2 and 5
    assert percentile(values, 95) == pytest.approx(7.7)  # position 1.9 between 5 and 8
    assert percentile([4.0], 95) == 4.0
    assert percentile([1.0, 2.0, 3.0, 4.0, 5.0], 50) == 3.0


def test_growth_outliers_are_clipped_before_scaling() -> None:
    # Twenty ordinary growth rates and one post-crisis rebound of 60 %.
    values = {f"c{i}": float(i % 5) for i in range(20)} | {"rebound": 60.0}
    scaled = clipped_min_max(values, 5, 95)
    assert scaled["rebound"] == 1.0
    # Without clipping a 4 % grower would score 4/60; with it, it sits at the top with the rebound.
    assert scaled["c4"] == 1.0
    assert scaled["c0"] == 0.0


def test_market_size_is_scaled_on_a_log_scale() -> None:
    n = normalise([A, B, C])
    # log10 GDP 12, 11, 10.
    assert (n["A"][F.MARKET_SIZE], n["B"][F.MARKET_SIZE], n["C"][F.MARKET_SIZE]) == (1.0, 0.5, 0.0)


def test_relationship_maturity_is_the_mean_of_the_known_components() -> None:
    n = normalise([A, B, C])
    # A: FTA 1, MOUs min(3, 3)/3 = 1, trade log 10 of (9, 10) → 1. B: 0, 0, 0.
    assert n["A"][F.RELATIONSHIP_MATURITY] == 1.0
    assert n["B"][F.RELATIONSHIP_MATURITY] == 0.0
    # C: no FTA record, no trade figure, no live MOU: nothing is known, so it is missing (not 0).
    assert n["C"][F.RELATIONSHIP_MATURITY] is None


def test_relationship_uses_what_is_known_and_caps_mous() -> None:
    only_mous = CountryFacts("M", "Mike", live_mous=5)
    fta_only = CountryFacts("N", "November", fta_in_force=True, live_mous=1)
    n = normalise([only_mous, fta_only])
    assert n["M"][F.RELATIONSHIP_MATURITY] == 1.0  # five MOUs count as three: 3/3
    assert n["N"][F.RELATIONSHIP_MATURITY] == pytest.approx((1 + 1 / 3) / 2)
    assert n["N"]["trade"] is None


def test_indices_are_divided_by_100() -> None:
    n = normalise([A, B, C])
    assert n["A"][F.CULTURAL_INTIMACY] == pytest.approx(0.8)
    assert n["C"][F.IP_PROTECTION] == pytest.approx(0.4)
    assert n["C"][F.CULTURAL_INTIMACY] is None


def test_a_small_trade_volume_counts_as_one_dollar() -> None:
    n = normalise([CountryFacts("X", "X", trade_volume_usd=D(0)), CountryFacts("Y", "Y", trade_volume_usd=D(100))])
    assert n["X"]["trade"] == 0.0 and n["Y"]["trade"] == 1.0


# --- The hand-computed example ------------------------------------------------------------------


def test_three_countries_scored_by_hand() -> None:
    scores = {s.key: s for s in score_countries([C, A, B], weights())}
    # A: 30·1 + 20·0 + 20·1 + 15·0.8 + 15·0.9 = 75.5 (all factors, weights sum to 100)
    # B: 30·0.5 + 20·0.5 + 20·0 + 15·0.6 + 15·0.5 = 41.5
    # C: growth 1, market 0, IP 0.4 over the weights it has (30+20+15 = 65):
    #    100 · (30·0 + 20·1 + 15·0.4) / 65 = 2600/65 = 40.0
    assert scores["A"].score == pytest.approx(75.5)
    assert scores["B"].score == pytest.approx(41.5)
    assert scores["C"].score == pytest.approx(40.0)
    assert [scores[k].rank for k in "ABC"] == [1, 2, 3]
    assert scores["A"].contributions == pytest.approx(
        {
            F.MARKET_SIZE: 30,
            F.GROWTH_POTENTIAL: 0,
            F.RELATIONSHIP_MATURITY: 20,
            F.CULTURAL_INTIMACY: 12,
            F.IP_PROTECTION: 13.5,
        }
    )
    assert scores["C"].contributions[F.GROWTH_POTENTIAL] == pytest.approx(2000 / 65)  # 30.77
    assert scores["C"].contributions[F.IP_PROTECTION] == pytest.approx(600 / 65)  # 9.23
    assert sum(scores["C"].contributions.values()) == pytest.approx(scores["C"].score)
    assert scores["A"].coverage == 1.0 and scores["A"].missing == []
    assert scores["C"].coverage == pytest.approx(0.65)
    assert scores["C"].missing == [F.RELATIONSHIP_MATURITY, F.CULTURAL_INTIMACY]


def test_missing_factors_are_not_zero_but_renormalised_away() -> None:
    scores = {s.key: s for s in score_countries([A, B, C], weights())}
    # Had C's two missing factors been zeros, its score would be 26 (= 2600/100), below B's 41.5.
    as_if_zero = sum(float(weights()[f]) * (scores["C"].normalised[f] or 0) for f in F.values)
    assert as_if_zero == pytest.approx(26.0)
    assert scores["C"].score == pytest.approx(40.0)


def test_changing_a_weight_changes_the_ranking() -> None:
    growth_only = weights(
        market_size=0, growth_potential=100, relationship_maturity=0, cultural_intimacy=0, ip_protection=0
    )
    ranked = [s.key for s in score_countries([A, B, C], growth_only)]
    # Growth scaled: A 0, B 0.5, C 1.
    assert ranked == ["C", "B", "A"]
    scores = {s.key: s.score for s in score_countries([A, B, C], growth_only)}
    assert scores == pytest.approx({"A": 0.0, "B": 50.0, "C": 100.0})


def test_only_the_ratio_of_the_weights_matters() -> None:
    base = {s.key: s.score for s in score_countries([A, B, C], weights())}
    doubled = {s.key: s.score for s in score_countries([A, B, C], {f: w * 2 for f, w in weights().items()})}
    assert doubled == pytest.approx(base)


def test_a_country_without_data_is_listed_last_unranked() -> None:
    result = score_countries([EMPTY, A, B, C], weights())
    assert [s.key for s in result] == ["A", "B", "C", "Z"]
    last = result[-1]
    assert last.rank is None and last.score is None and last.coverage == 0.0
    assert last.missing == list(F.values)
    assert all(value == 0.0 for value in last.contributions.values())


def test_a_country_whose_only_data_has_zero_weight_is_unranked() -> None:
    only_ip = CountryFacts("I", "India-ish", ip_protection=D(70))
    result = {s.key: s for s in score_countries([A, only_ip], weights(ip_protection=0))}
    assert result["I"].rank is None and result["I"].score is None
    assert result["A"].rank == 1


def test_ties_are_broken_by_coverage_then_name() -> None:
    x = CountryFacts("X", "Xavier", cultural_intimacy=D(50))
    y = CountryFacts("Y", "Yankee", cultural_intimacy=D(50), ip_protection=D(50))
    w = CountryFacts("W", "Whiskey", cultural_intimacy=D(50))
    ranked = [s.key for s in score_countries([x, y, w], weights())]
    assert ranked == ["Y", "W", "X"]


def test_all_zero_weights_are_refused() -> None:
    with pytest.raises(ValueError, match="above zero"):
        score_countries([A], {f: Decimal(0) for f in F.values})


def test_scores_stay_within_0_and_100() -> None:
    extreme = CountryFacts("E", "Echo", D(1), D(-50), D(1), True, 10, D(100), D(100))
    for s in score_countries([A, B, C, extreme], weights()):
        assert s.score is not None and 0.0 <= s.score <= 100.0
        assert not math.isnan(s.score)
