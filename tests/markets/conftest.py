"""Set-up for the target-markets tests: signed-in clients per role and a three-country world
whose scores are worked out by hand in test_priority_score.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from programs.markets.services import country_indicator_set, country_relationship_set, mou_record
from programs.models import Country, IndicatorCode
from sme_support.roles import Role
from tests.factories import firm_user, user_in_group

SOURCE = "test source"


@pytest.fixture(autouse=True)
def _fast_and_clean(settings: Any) -> Iterator[None]:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    # Messages raised outside a request are matched in English (pages pick their own language).
    with translation.override("en"):
        yield


@pytest.fixture
def manager_user(db: Any) -> Any:
    return user_in_group(Role.MANAGER)


@pytest.fixture
def officer_user(db: Any) -> Any:
    return user_in_group(Role.OFFICER)


@pytest.fixture
def firm_staff_user(db: Any) -> Any:
    return firm_user()


def client_for(user: Any | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def set_indicator(iso2: str, indicator: str, value: Any, year: int = 2023) -> None:
    country_indicator_set(
        country=Country.objects.get(pk=iso2), indicator=indicator, value=Decimal(str(value)), year=year, source=SOURCE
    )


@pytest.fixture
def three_countries(db: Any) -> dict[str, str]:
    """FR ("A"), JP ("B") and VN ("C"): the hand-computed example of test_priority_score.py.

    A: GDP 1e12, growth 2 %, FTA in force, 3 live MOUs, trade 1e10, intimacy 80, IP 90
    B: GDP 1e11, growth 5 %, no FTA, no MOU, trade 1e9, intimacy 60, IP 50
    C: GDP 1e10, growth 8 %, nothing recorded of the relationship, IP 40
    """
    for iso2, gdp, growth in (("FR", 10**12, 2), ("JP", 10**11, 5), ("VN", 10**10, 8)):
        set_indicator(iso2, IndicatorCode.GDP_USD, gdp)
        set_indicator(iso2, IndicatorCode.GDP_GROWTH_PCT, growth)
    set_indicator("FR", IndicatorCode.TRADE_VOLUME_USD, 10**10)
    set_indicator("JP", IndicatorCode.TRADE_VOLUME_USD, 10**9)
    for iso2, intimacy in (("FR", 80), ("JP", 60)):
        set_indicator(iso2, IndicatorCode.CULTURAL_INTIMACY, intimacy, year=2024)
    for iso2, ip in (("FR", 90), ("JP", 50), ("VN", 40)):
        set_indicator(iso2, IndicatorCode.IP_PROTECTION, ip, year=2024)
    france, japan = Country.objects.get(pk="FR"), Country.objects.get(pk="JP")
    country_relationship_set(country=france, fta_in_force=True, fta_since=dt.date(2011, 7, 1), source=SOURCE)
    country_relationship_set(country=japan, fta_in_force=False, source=SOURCE)
    for n in range(3):
        mou_record(country=france, partner_institution=f"Live partner {n}", signed_on=dt.date(2020 + n, 1, 1))
    # Neither counts: one expired, one not yet signed.
    mou_record(
        country=france, partner_institution="Old partner", signed_on=dt.date(2010, 1, 1), expires_on=dt.date(2015, 1, 1)
    )
    mou_record(country=japan, partner_institution="Future partner", signed_on=dt.date(2099, 1, 1))
    return {"A": "FR", "B": "JP", "C": "VN"}
