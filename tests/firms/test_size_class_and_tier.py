"""Size classes and export tiers come from the threshold tables seeded by
firms/migrations/0002_reference_data.py, not from code: boundaries sit exactly at the decree's
limits, an edit to a row changes the answer, and the bulk re-derivation agrees with the
one-firm derivation."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from firms.models import ExportTier, ExportTierBand, Firm, Region, Sector, SizeClass, SizeClassThreshold
from firms.services.registry import export_tier_for, firm_create, firm_update, firms_rederive_all, size_class_for
from tests.factories import FirmFactory, make_brn

pytestmark = pytest.mark.django_db

BN = 1_000_000_000
M_SECTOR = Sector.DESIGN  # professional services: small ≤ 3bn, medium ≤ 60bn
J_SECTOR = Sector.GAMES  # information and communication: small ≤ 5bn, medium ≤ 80bn

MICRO, SMALL, MEDIUM, NON_SME = SizeClass.MICRO, SizeClass.SMALL, SizeClass.MEDIUM, SizeClass.NON_SME


# --- The seeded table ----------------------------------------------------------------------


def test_every_sector_has_a_row_for_each_class() -> None:
    rows = set(SizeClassThreshold.objects.values_list("sector", "size_class"))
    assert rows == {(s, c) for s in Sector.values for c in (MICRO, SMALL, MEDIUM)}


@pytest.mark.parametrize(
    ("sector", "small", "medium"),
    [(M_SECTOR, 3 * BN, 60 * BN), (J_SECTOR, 5 * BN, 80 * BN), (Sector.ARCHITECTURE, 3 * BN, 60 * BN)],
)
def test_seeded_limits_are_the_decrees(sector: str, small: int, medium: int) -> None:
    rows = {t.size_class: t for t in SizeClassThreshold.objects.filter(sector=sector)}
    assert (rows[MICRO].max_employees, rows[MICRO].max_revenue_krw) == (4, small)
    assert (rows[SMALL].max_employees, rows[SMALL].max_revenue_krw) == (None, small)
    assert (rows[MEDIUM].max_employees, rows[MEDIUM].max_revenue_krw) == (None, medium)


# --- Boundaries ------------------------------------------------------------------------------

BOUNDARIES = [
    # M sector (design): micro ≤ 4 employees and ≤ 3bn; small ≤ 3bn; medium ≤ 60bn.
    (M_SECTOR, 0, 0, MICRO),
    (M_SECTOR, 4, 3 * BN, MICRO),
    (M_SECTOR, 5, 3 * BN, SMALL),
    (M_SECTOR, 4, 3 * BN + 1, MEDIUM),
    (M_SECTOR, 5, 3 * BN + 1, MEDIUM),
    (M_SECTOR, 1_000, 60 * BN, MEDIUM),
    (M_SECTOR, 1_000, 60 * BN + 1, NON_SME),
    (M_SECTOR, 4, 60 * BN + 1, NON_SME),
    # J sector (games): micro ≤ 4 employees and ≤ 5bn; small ≤ 5bn; medium ≤ 80bn.
    (J_SECTOR, 0, 0, MICRO),
    (J_SECTOR, 4, 5 * BN, MICRO),
    (J_SECTOR, 5, 5 * BN, SMALL),
    (J_SECTOR, 4, 5 * BN + 1, MEDIUM),
    (J_SECTOR, 5, 5 * BN + 1, MEDIUM),
    (J_SECTOR, 1_000, 80 * BN, MEDIUM),
    (J_SECTOR, 1_000, 80 * BN + 1, NON_SME),
    # The same firm lands differently by sector: 4bn is small in games, medium in design.
    (J_SECTOR, 10, 4 * BN, SMALL),
    (M_SECTOR, 10, 4 * BN, MEDIUM),
    (J_SECTOR, 10, 70 * BN, MEDIUM),
    (M_SECTOR, 10, 70 * BN, NON_SME),
]


@pytest.mark.parametrize(("sector", "employees", "revenue", "expected"), BOUNDARIES)
def test_size_class_boundaries(sector: str, employees: int, revenue: int, expected: str) -> None:
    assert size_class_for(sector=sector, employees=employees, annual_revenue_krw=revenue) == expected


TIERS = [
    (0, ExportTier.DOMESTIC),
    (1, ExportTier.STARTER),
    (99_999, ExportTier.STARTER),
    (100_000, ExportTier.PROMISING),
    (999_999, ExportTier.PROMISING),
    (1_000_000, ExportTier.GROWING),
    (4_999_999, ExportTier.GROWING),
    (5_000_000, ExportTier.GLOBAL),
    (10**12, ExportTier.GLOBAL),
]


@pytest.mark.parametrize(("exports", "expected"), TIERS)
def test_export_tier_boundaries(exports: int, expected: str) -> None:
    assert export_tier_for(exports_last_year_usd=exports) == expected


# --- It is data ------------------------------------------------------------------------------


def test_raising_a_revenue_limit_changes_the_class() -> None:
    assert size_class_for(sector=M_SECTOR, employees=10, annual_revenue_krw=int(3.5 * BN)) == MEDIUM
    row = SizeClassThreshold.objects.get(sector=M_SECTOR, size_class=SMALL)
    row.max_revenue_krw = 4 * BN
    row.save()
    assert size_class_for(sector=M_SECTOR, employees=10, annual_revenue_krw=int(3.5 * BN)) == SMALL
    # Other sectors keep their own rows.
    assert size_class_for(sector=Sector.ARCHITECTURE, employees=10, annual_revenue_krw=int(3.5 * BN)) == MEDIUM


def test_changing_the_micro_headcount_changes_the_class() -> None:
    assert size_class_for(sector=J_SECTOR, employees=9, annual_revenue_krw=BN) == SMALL
    SizeClassThreshold.objects.filter(sector=J_SECTOR, size_class=MICRO).update(max_employees=9)
    assert size_class_for(sector=J_SECTOR, employees=9, annual_revenue_krw=BN) == MICRO
    assert size_class_for(sector=J_SECTOR, employees=10, annual_revenue_krw=BN) == SMALL


def test_a_removed_class_is_skipped() -> None:
    SizeClassThreshold.objects.filter(sector=M_SECTOR, size_class=MEDIUM).delete()
    assert size_class_for(sector=M_SECTOR, employees=10, annual_revenue_krw=10 * BN) == NON_SME
    assert size_class_for(sector=M_SECTOR, employees=10, annual_revenue_krw=BN) == SMALL


def test_moving_a_band_changes_the_tier() -> None:
    assert export_tier_for(exports_last_year_usd=150_000) == ExportTier.PROMISING
    ExportTierBand.objects.filter(tier=ExportTier.PROMISING).update(min_exports_usd=200_000)
    assert export_tier_for(exports_last_year_usd=150_000) == ExportTier.STARTER
    assert export_tier_for(exports_last_year_usd=200_000) == ExportTier.PROMISING


# --- Firms carry the derived values ------------------------------------------------------------


def _create(**overrides: object) -> Firm:
    fields: dict[str, object] = {
        "brn": make_brn(900_001),
        "name_ko": "디자인 스튜디오",
        "name_en": "Design Studio",
        "region": Region.BUSAN,
        "founded_on": dt.date(2020, 1, 1),
        "employees": 4,
        "annual_revenue_krw": 3 * BN,
        "sector": M_SECTOR,
        "exports_last_year_usd": 99_999,
    }
    fields.update(overrides)
    return firm_create(**fields)


def test_firm_create_derives_class_and_tier() -> None:
    firm = _create()
    firm.refresh_from_db()
    assert (firm.size_class, firm.export_tier) == (MICRO, ExportTier.STARTER)


def test_firm_update_derives_again() -> None:
    firm = _create()
    firm_update(firm=firm, employees=5, exports_last_year_usd=100_000)
    firm.refresh_from_db()
    assert (firm.size_class, firm.export_tier) == (SMALL, ExportTier.PROMISING)
    firm_update(firm=firm, annual_revenue_krw=60 * BN + 1, exports_last_year_usd=0)
    firm.refresh_from_db()
    assert (firm.size_class, firm.export_tier) == (NON_SME, ExportTier.DOMESTIC)


# --- Bulk re-derivation ---------------------------------------------------------------------

SPREAD_SECTORS = [M_SECTOR, J_SECTOR, Sector.ARCHITECTURE, Sector.MUSIC]
SPREAD_EMPLOYEES = [0, 4, 5, 300]
SPREAD_REVENUE = [0, 3 * BN, 3 * BN + 1, 5 * BN, 5 * BN + 1, 60 * BN, 60 * BN + 1, 80 * BN, 80 * BN + 1]
SPREAD_EXPORTS = [0, 1, 99_999, 100_000, 999_999, 1_000_000, 4_999_999, 5_000_000]


def _spread(offset: int = 0) -> list[Firm]:
    """Firms across sectors and every boundary, stored with deliberately wrong derived values."""
    combos = itertools.product(SPREAD_SECTORS, SPREAD_EMPLOYEES, SPREAD_REVENUE)
    firms = [
        Firm(
            brn=make_brn(offset + n),
            name_ko=f"회사 {n}",
            name_en=f"Firm {n}",
            region=Region.SEOUL,
            founded_on=dt.date(2015, 5, 5),
            sector=sector,
            employees=employees,
            annual_revenue_krw=revenue,
            exports_last_year_usd=SPREAD_EXPORTS[n % len(SPREAD_EXPORTS)],
            size_class=NON_SME if n % 2 else MICRO,
            export_tier=ExportTier.GLOBAL if n % 2 else ExportTier.DOMESTIC,
        )
        for n, (sector, employees, revenue) in enumerate(combos)
    ]
    return Firm.objects.bulk_create(firms)


def _assert_all_agree() -> None:
    for firm in Firm.objects.all():
        expected = size_class_for(
            sector=firm.sector, employees=firm.employees, annual_revenue_krw=firm.annual_revenue_krw
        )
        assert firm.size_class == expected, (firm.sector, firm.employees, firm.annual_revenue_krw)
        assert firm.export_tier == export_tier_for(exports_last_year_usd=firm.exports_last_year_usd)


def test_rederive_all_agrees_with_the_one_firm_derivation() -> None:
    _spread()
    firms_rederive_all()
    _assert_all_agree()
    # The spread reaches every class and tier, so agreement is not trivial.
    assert set(Firm.objects.values_list("size_class", flat=True)) == set(SizeClass.values)
    assert set(Firm.objects.values_list("export_tier", flat=True)) == set(ExportTier.values)


def test_rederive_all_applies_an_edited_threshold() -> None:
    firm = FirmFactory(sector=M_SECTOR, employees=10, annual_revenue_krw=int(3.5 * BN), exports_last_year_usd=150_000)
    assert (firm.size_class, firm.export_tier) == (MEDIUM, ExportTier.PROMISING)
    SizeClassThreshold.objects.filter(sector=M_SECTOR, size_class=SMALL).update(max_revenue_krw=4 * BN)
    ExportTierBand.objects.filter(tier=ExportTier.PROMISING).update(min_exports_usd=200_000)
    _spread(offset=10_000)

    firms_rederive_all()

    firm.refresh_from_db()
    assert (firm.size_class, firm.export_tier) == (SMALL, ExportTier.STARTER)
    _assert_all_agree()


def test_rederive_all_runs_a_fixed_number_of_queries() -> None:
    _spread()
    with CaptureQueriesContext(connection) as many:
        firms_rederive_all()
    Firm.objects.all().delete()
    FirmFactory()
    with CaptureQueriesContext(connection) as one:
        firms_rederive_all()
    assert len(many) == len(one)
