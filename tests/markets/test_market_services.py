"""The write paths: indicators, FTA records, MOUs, weights and the strategic-target choice,
and the ranked list read from the database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from programs.markets.services import (
    country_indicator_set,
    country_relationship_set,
    country_set_strategic_target,
    market_priority_list,
    mou_record,
    priority_weights_current,
    priority_weights_update,
)
from programs.models import MOU, Country, CountryIndicator, IndicatorCode, PriorityFactor, PriorityWeights
from tests.markets.conftest import SOURCE

pytestmark = pytest.mark.django_db

F = PriorityFactor


def all_weights(**values: int) -> dict[str, Decimal]:
    return {factor: Decimal(values.get(factor, 10)) for factor in F.values}


# --- Indicators, relationships, MOUs -----------------------------------------------------------


def test_indicator_set_replaces_the_value_in_place() -> None:
    france = Country.objects.get(pk="FR")
    country_indicator_set(
        country=france, indicator=IndicatorCode.IP_PROTECTION, value=Decimal(70), year=2023, source="a"
    )
    country_indicator_set(
        country=france, indicator=IndicatorCode.IP_PROTECTION, value=Decimal(75), year=2024, source="b"
    )
    row = CountryIndicator.objects.get(country=france)
    assert (row.value, row.year, row.source) == (Decimal(75), 2024, "b")


@pytest.mark.parametrize(
    ("indicator", "value"),
    [
        (IndicatorCode.CULTURAL_INTIMACY, 101),
        (IndicatorCode.IP_PROTECTION, -1),
        (IndicatorCode.GDP_USD, 0),
        (IndicatorCode.TRADE_VOLUME_USD, -5),
    ],
)
def test_indicator_values_out_of_range_are_refused(indicator: str, value: int) -> None:
    with pytest.raises(ValidationError) as error:
        country_indicator_set(
            country=Country.objects.get(pk="FR"), indicator=indicator, value=Decimal(value), year=2023, source=SOURCE
        )
    assert "value" in error.value.message_dict


def test_the_database_refuses_an_index_out_of_range_and_duplicates() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        CountryIndicator.objects.create(
            country_id="FR", indicator=IndicatorCode.IP_PROTECTION, value=120, year=2023, source=SOURCE
        )
    CountryIndicator.objects.create(country_id="FR", indicator=IndicatorCode.GDP_USD, value=1, year=2023, source=SOURCE)
    with pytest.raises(IntegrityError), transaction.atomic():
        CountryIndicator.objects.create(
            country_id="FR", indicator=IndicatorCode.GDP_USD, value=2, year=2022, source=SOURCE
        )


def test_an_fta_in_force_needs_its_date_and_only_then() -> None:
    france = Country.objects.get(pk="FR")
    with pytest.raises(ValidationError, match="entered into force"):
        country_relationship_set(country=france, fta_in_force=True, source=SOURCE)
    with pytest.raises(ValidationError, match="no FTA is in force"):
        country_relationship_set(country=france, fta_in_force=False, fta_since=dt.date(2020, 1, 1), source=SOURCE)
    row = country_relationship_set(country=france, fta_in_force=True, fta_since=dt.date(2011, 7, 1), source=SOURCE)
    assert row.fta_since == dt.date(2011, 7, 1)


def test_mou_sectors_are_validated_and_kept_in_sector_order() -> None:
    vietnam = Country.objects.get(pk="VN")
    with pytest.raises(ValidationError, match="Unknown sectors: knitting"):
        mou_record(
            country=vietnam, partner_institution="P", signed_on=dt.date(2024, 1, 1), sectors=["games", "knitting"]
        )
    mou = mou_record(
        country=vietnam, partner_institution="P", signed_on=dt.date(2024, 1, 1), sectors=["music", "games", "games"]
    )
    assert mou.sectors == ["music", "games"]  # the Sector list's order, once each


def test_an_mou_cannot_expire_before_it_is_signed() -> None:
    with pytest.raises(ValidationError, match="expire before"):
        mou_record(
            country=Country.objects.get(pk="VN"),
            partner_institution="P",
            signed_on=dt.date(2024, 1, 1),
            expires_on=dt.date(2023, 1, 1),
        )


def test_mou_record_is_idempotent_on_partner_and_date() -> None:
    vietnam = Country.objects.get(pk="VN")
    mou_record(country=vietnam, partner_institution="P", signed_on=dt.date(2024, 1, 1), scope="first")
    mou_record(country=vietnam, partner_institution="P", signed_on=dt.date(2024, 1, 1), scope="second")
    assert list(MOU.objects.values_list("scope", flat=True)) == ["second"]


def test_live_mous() -> None:
    vietnam = Country.objects.get(pk="VN")
    mou = mou_record(
        country=vietnam, partner_institution="P", signed_on=dt.date(2024, 1, 1), expires_on=dt.date(2024, 12, 31)
    )
    assert not mou.is_live(dt.date(2023, 12, 31))
    assert mou.is_live(dt.date(2024, 1, 1)) and mou.is_live(dt.date(2024, 12, 31))
    assert not mou.is_live(dt.date(2025, 1, 1))
    assert MOU.objects.live(dt.date(2024, 6, 1)).count() == 1
    assert MOU.objects.live(dt.date(2025, 6, 1)).count() == 0


# --- Weights -----------------------------------------------------------------------------------


def test_weights_default_before_anyone_sets_them() -> None:
    weights = priority_weights_current()
    assert weights.pk is not None and not PriorityWeights.objects.exists()
    assert weights.as_dict() == {
        F.MARKET_SIZE: 30,
        F.GROWTH_POTENTIAL: 20,
        F.RELATIONSHIP_MATURITY: 20,
        F.CULTURAL_INTIMACY: 15,
        F.IP_PROTECTION: 15,
    }


def test_a_manager_sets_the_weights(manager_user: Any) -> None:
    priority_weights_update(actor=manager_user, weights=all_weights(market_size=50))
    priority_weights_update(actor=manager_user, weights=all_weights(market_size=60))
    row = PriorityWeights.objects.get()
    assert row.market_size == 60 and row.updated_by == manager_user


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ({f: Decimal(0) for f in F.values}, "At least one weight must be above zero"),
        (all_weights(market_size=-1), "'market_size'"),
        (all_weights(market_size=101), "'market_size'"),
        ({F.MARKET_SIZE: Decimal(1)}, "Give a weight for each factor"),
        (all_weights() | {"gdp": Decimal(1)}, "Give a weight for each factor"),
    ],
)
def test_bad_weights_are_refused(manager_user: Any, weights: dict[str, Decimal], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        priority_weights_update(actor=manager_user, weights=weights)
    assert not PriorityWeights.objects.exists()


def test_only_managers_set_weights_or_targets(officer_user: Any, firm_staff_user: Any) -> None:
    france = Country.objects.get(pk="FR")
    for user in (officer_user, firm_staff_user):
        with pytest.raises(PermissionDenied):
            priority_weights_update(actor=user, weights=all_weights())
        with pytest.raises(PermissionDenied):
            country_set_strategic_target(country=france, is_strategic_target=True, actor=user)
    france.refresh_from_db()
    assert not france.is_strategic_target and not PriorityWeights.objects.exists()


def test_database_refuses_all_zero_or_negative_weights_and_a_second_row() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        PriorityWeights.objects.create(**{f: 0 for f in F.values})
    with pytest.raises(IntegrityError), transaction.atomic():
        PriorityWeights.objects.create(market_size=-1)
    with pytest.raises(IntegrityError), transaction.atomic():
        PriorityWeights.objects.create(id=2)


def test_a_manager_marks_a_strategic_target(manager_user: Any) -> None:
    france = Country.objects.get(pk="FR")
    country_set_strategic_target(country=france, is_strategic_target=True, actor=manager_user)
    assert Country.objects.get(pk="FR").is_strategic_target
    country_set_strategic_target(country=france, is_strategic_target=False, actor=manager_user)
    assert not Country.objects.get(pk="FR").is_strategic_target


# --- The ranked list from the database ----------------------------------------------------------


def test_ranked_list_from_the_database_matches_the_hand_computation(
    three_countries: dict[str, str], officer_user: Any
) -> None:
    priorities = market_priority_list(user=officer_user)
    ranked = priorities.ranked
    assert [row.country.pk for row in ranked] == ["FR", "JP", "VN"]
    assert [row.result.score for row in ranked] == pytest.approx([75.5, 41.5, 40.0])
    vietnam = ranked[2]
    assert vietnam.result.missing == [F.RELATIONSHIP_MATURITY, F.CULTURAL_INTIMACY]
    assert vietnam.result.coverage == pytest.approx(0.65)
    # Every other country is listed, unranked, after them.
    assert len(priorities.rows) == Country.objects.count()
    assert all(row.result.rank is None for row in priorities.unranked)
    # The inputs behind the scores, with year and source.
    france = ranked[0].inputs
    assert france["live_mous"].value == 3  # the expired and the future MOU do not count
    assert france["fta_in_force"].value is True and france["fta_in_force"].year == 2011
    assert (france[IndicatorCode.GDP_USD].year, france[IndicatorCode.GDP_USD].source) == (2023, SOURCE)


def test_saved_weights_change_the_ranking(three_countries: dict[str, str], manager_user: Any) -> None:
    priority_weights_update(
        actor=manager_user, weights={f: Decimal(100 if f == F.GROWTH_POTENTIAL else 0) for f in F.values}
    )
    ranked = market_priority_list(user=manager_user).ranked
    assert [row.country.pk for row in ranked] == ["VN", "JP", "FR"]


def test_the_ranked_list_takes_a_fixed_number_of_queries(
    three_countries: dict[str, str], officer_user: Any, django_assert_max_num_queries: Any
) -> None:
    market_priority_list(user=officer_user)  # warm the role cache
    with django_assert_max_num_queries(4):
        market_priority_list(user=officer_user)


def test_firms_staff_get_an_empty_list(three_countries: dict[str, str], firm_staff_user: Any) -> None:
    assert market_priority_list(user=firm_staff_user).rows == []
