"""Importing WDI files into CountryIndicator: both layouts, skips, bad lines, re-runs, and the
two management commands."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from programs.markets.services import SKIP_AGGREGATE, SKIP_NO_VALUE, SKIP_UNKNOWN, country_indicators_import
from programs.markets.wdi import WDIFormatError
from programs.models import MOU, CountryIndicator, CountryRelationship, IndicatorCode

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[2] / "programs" / "data"
GDP = "NY.GDP.MKTP.CD"
GROWTH = "NY.GDP.MKTP.KD.ZG"

HEADER = (
    '"Data Source","World Development Indicators",\n\n"Last Updated Date","2024-06-28",\n\n'
    '"Country Name","Country Code","Indicator Name","Indicator Code","2021","2022","2023",\n'
)


def wide(*rows: str) -> str:
    return HEADER + "".join(row + "\n" for row in rows)


def value_of(iso2: str, indicator: str) -> tuple[Decimal, int, str]:
    row = CountryIndicator.objects.get(country_id=iso2, indicator=indicator)
    return row.value, row.year, row.source


@pytest.mark.parametrize("name", ["wdi_sample_wide.csv", "wdi_sample_narrow.csv"])
def test_importing_a_shipped_sample(name: str) -> None:
    report = country_indicators_import(lines=(DATA / name).read_text(encoding="utf-8-sig"))
    assert (report.created, report.updated, report.unchanged) == (32, 0, 0)
    assert report.bad_lines == []
    assert report.skipped == {
        SKIP_AGGREGATE: sorted(
            f"{code} {ind}" for code in ("EAS", "HIC", "WLD") for ind in ("gdp_growth_pct", "gdp_usd")
        )
    }
    assert CountryIndicator.objects.count() == 32
    assert value_of("US", IndicatorCode.GDP_USD)[:2] == (Decimal("27360000000000"), 2023)
    assert value_of("AE", IndicatorCode.GDP_USD)[1] == 2022  # 2023 left empty in the sample
    assert value_of("SG", IndicatorCode.GDP_GROWTH_PCT)[:2] == (Decimal("3.8"), 2022)
    # The sample says what it is, and that goes with every value.
    assert value_of("US", IndicatorCode.GDP_USD)[2].startswith("SAMPLE DATA")


def test_unknown_codes_and_aggregates_are_skipped_and_reported() -> None:
    report = country_indicators_import(
        lines=wide(
            f'"France","FRA","GDP","{GDP}","1","2","3",',
            f'"World","WLD","GDP","{GDP}","1","2","3",',
            f'"Channel Islands","CHI","GDP","{GDP}","1","2","3",',
            f'"Kosovo","XKX","GDP growth","{GROWTH}","1","2","3",',
            f'"Japan","JPN","GDP growth","{GROWTH}","","..","",',
        )
    )
    assert report.created == 1
    assert report.skipped == {
        SKIP_AGGREGATE: ["WLD gdp_usd"],
        SKIP_NO_VALUE: ["JPN gdp_growth_pct"],
        SKIP_UNKNOWN: ["CHI gdp_usd", "XKX gdp_growth_pct"],
    }
    assert list(CountryIndicator.objects.values_list("country_id", flat=True)) == ["FR"]


def test_a_rerun_updates_in_place_and_never_duplicates() -> None:
    first = wide(f'"France","FRA","GDP","{GDP}","1","2","3",', f'"Japan","JPN","GDP","{GDP}","4","5","",')
    report = country_indicators_import(lines=first)
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)

    again = country_indicators_import(lines=first)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert CountryIndicator.objects.count() == 2

    # A newer file: France revised, Japan's 2023 published.
    newer = wide(f'"France","FRA","GDP","{GDP}","1","2","30",', f'"Japan","JPN","GDP","{GDP}","4","5","6",')
    revised = country_indicators_import(lines=newer, source="WDI 2024-07")
    assert (revised.created, revised.updated, revised.unchanged) == (0, 2, 0)
    assert CountryIndicator.objects.count() == 2
    assert value_of("FR", IndicatorCode.GDP_USD) == (Decimal(30), 2023, "WDI 2024-07")
    assert value_of("JP", IndicatorCode.GDP_USD) == (Decimal(6), 2023, "WDI 2024-07")


def test_both_layouts_fill_the_same_rows() -> None:
    country_indicators_import(lines=(DATA / "wdi_sample_wide.csv").read_text(encoding="utf-8-sig"))
    report = country_indicators_import(lines=(DATA / "wdi_sample_narrow.csv").read_text(encoding="utf-8-sig"))
    assert (report.created, report.updated, report.unchanged) == (0, 0, 32)
    assert CountryIndicator.objects.count() == 32


def test_other_indicators_are_left_alone() -> None:
    CountryIndicator.objects.create(
        country_id="FR", indicator=IndicatorCode.CULTURAL_INTIMACY, value=70, year=2024, source="agency"
    )
    country_indicators_import(lines=wide(f'"France","FRA","GDP","{GDP}","1","2","3",'))
    assert value_of("FR", IndicatorCode.CULTURAL_INTIMACY) == (Decimal(70), 2024, "agency")


def test_bad_lines_do_not_stop_the_import() -> None:
    report = country_indicators_import(
        lines=wide(
            f'"France","FRA","GDP","{GDP}","1","2",',
            f'"Japan","JPN","GDP","{GDP}","1","2","3",',
            f'"Germany","DEU","GDP","{GDP}","1","two","3",',
        )
    )
    assert [(bad.line, bad.reason) for bad in report.bad_lines] == [
        (6, "expected 8 columns, found 7"),
        (8, "column 2022: not a number: 'two'"),
    ]
    assert report.created == 1


def test_the_source_is_given_or_derived() -> None:
    country_indicators_import(lines=wide(f'"France","FRA","GDP","{GDP}","1","2","3",'))
    assert value_of("FR", IndicatorCode.GDP_USD)[2] == "World Bank WDI"
    country_indicators_import(lines=wide(f'"France","FRA","GDP","{GDP}","1","2","3",'), source="  My source ")
    assert value_of("FR", IndicatorCode.GDP_USD)[2] == "My source"
    with pytest.raises(ValidationError):
        country_indicators_import(lines=wide(), source="   ")
    with pytest.raises(ValidationError):
        country_indicators_import(lines=wide(), source="x" * 201)


def test_a_file_in_neither_layout_writes_nothing() -> None:
    with pytest.raises(WDIFormatError):
        country_indicators_import(lines="a,b,c\n1,2,3\n")
    assert not CountryIndicator.objects.exists()


# --- The commands -------------------------------------------------------------------------------


def run(*args: Any) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_import_command_prints_a_summary_with_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "wdi.csv"
    path.write_text(
        "\ufeff"
        + wide(
            f'"France","FRA","GDP","{GDP}","1","2","3",',
            f'"World","WLD","GDP","{GDP}","1","2","3",',
            f'"Atlantis","ATL","GDP","{GDP}","1","2","3",',
            f'"Japan","JPN","GDP","{GDP}","1","2",',
            '"Japan","JPN","Population","SP.POP.TOTL","1","2","3",',
        ),
        encoding="utf-8",
    )
    out = run("import_country_indicators", str(path), "--source", "World Bank WDI")
    assert "(wide layout)" in out
    assert "Created: 1, updated: 0, unchanged: 0." in out
    assert "Skipped 2:" in out
    assert "WDI aggregate (region or income group), not a country (1): WLD gdp_usd" in out
    assert "country code not in the ISO 3166 list (1): ATL gdp_usd" in out
    assert "line 9: expected 8 columns, found 7" in out
    assert "Rows of other series ignored: 1: SP.POP.TOTL (1)" in out

    again = run("import_country_indicators", str(path), "--source", "World Bank WDI")
    assert "Created: 0, updated: 0, unchanged: 1." in again


def test_import_command_refuses_unreadable_files_clearly(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="No such file"):
        run("import_country_indicators", str(tmp_path / "missing.csv"))
    with pytest.raises(CommandError, match="is a directory"):
        run("import_country_indicators", str(tmp_path))
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("Country Name,Country Code\nCôte d'Ivoire,CIV\n".encode("latin-1"))
    with pytest.raises(CommandError, match="not UTF-8"):
        run("import_country_indicators", str(latin1))
    other = tmp_path / "other.csv"
    other.write_text("name,value\nFrance,1\n", encoding="utf-8")
    with pytest.raises(CommandError, match="World Bank WDI CSV"):
        run("import_country_indicators", str(other))
    with pytest.raises(CommandError, match="source"):
        run("import_country_indicators", str(DATA / "wdi_sample_wide.csv"), "--source", "")


def test_import_command_reads_the_narrow_sample() -> None:
    out = run("import_country_indicators", str(DATA / "wdi_sample_narrow.csv"))
    assert "(narrow layout)" in out and "Created: 32" in out


def test_load_sample_market_data_is_idempotent() -> None:
    first = run("load_sample_market_data")
    assert "Created: 32" in first
    counts = (CountryIndicator.objects.count(), CountryRelationship.objects.count(), MOU.objects.count())
    assert counts == (32 + 3 * 16, 16, 6)
    snapshot = list(CountryIndicator.objects.order_by("pk").values_list("country_id", "indicator", "value", "year"))

    second = run("load_sample_market_data")
    assert "Created: 0, updated: 0, unchanged: 32." in second
    assert (CountryIndicator.objects.count(), CountryRelationship.objects.count(), MOU.objects.count()) == counts
    assert snapshot == list(
        CountryIndicator.objects.order_by("pk").values_list("country_id", "indicator", "value", "year")
    )
    # Everything it adds says it is sample data.
    assert all("SAMPLE" in source for source in CountryIndicator.objects.values_list("source", flat=True))
    assert all(p.startswith("[SAMPLE]") for p in MOU.objects.values_list("partner_institution", flat=True))
    assert CountryRelationship.objects.get(country_id="US").fta_in_force
    assert not CountryRelationship.objects.get(country_id="JP").fta_in_force
