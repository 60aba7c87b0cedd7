"""programs.markets.wdi reads both WDI CSV layouts; no database needed."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest

from programs.markets.wdi import BadLine, WDIFormatError, parse_wdi_csv

DATA = Path(__file__).resolve().parents[2] / "programs" / "data"

GDP = "NY.GDP.MKTP.CD"
GROWTH = "NY.GDP.MKTP.KD.ZG"

WIDE_PREAMBLE = '\ufeff"Data Source","World Development Indicators",\n\n"Last Updated Date","2024-06-28",\n\n'
WIDE_HEADER = '"Country Name","Country Code","Indicator Name","Indicator Code","2020","2021","2022","2023",\n'


def wide(*rows: str) -> str:
    return WIDE_PREAMBLE + WIDE_HEADER + "".join(row + "\n" for row in rows)


def test_wide_layout_keeps_the_most_recent_non_empty_year() -> None:
    parsed = parse_wdi_csv(
        wide(
            f'"France","FRA","GDP (current US$)","{GDP}","2630000000000","2960000000000","2780000000000","",',
            f'"France","FRA","GDP growth (annual %)","{GROWTH}","-7.4","6.9","2.6","0.9",',
            f'"Japan","JPN","GDP (current US$)","{GDP}","5040000000000","","","",',
        )
    )
    assert parsed.layout == "wide"
    assert parsed.bad_lines == []
    fr_gdp = parsed.observations[("FRA", "gdp_usd")]
    assert (fr_gdp.year, fr_gdp.value, fr_gdp.line) == (2022, Decimal("2780000000000"), 6)
    assert parsed.observations[("FRA", "gdp_growth_pct")].year == 2023
    assert parsed.observations[("FRA", "gdp_growth_pct")].value == Decimal("0.9")
    # Only 2020 has a value: an old value is still the most recent one there is.
    assert parsed.observations[("JPN", "gdp_usd")].year == 2020
    assert parsed.declared_source == "World Development Indicators"


def test_wide_row_without_any_value_is_reported_as_no_value() -> None:
    parsed = parse_wdi_csv(wide(f'"Nowhere","FRA","GDP (current US$)","{GDP}","","..","","",'))
    assert parsed.observations == {}
    assert parsed.no_value == {("FRA", "gdp_usd")}


def test_malformed_rows_are_reported_with_their_line_number_and_skipped() -> None:
    parsed = parse_wdi_csv(
        wide(
            f'"France","FRA","GDP (current US$)","{GDP}","1","2","3","4",',  # line 6: fine
            f'"Japan","JPN","GDP (current US$)","{GDP}","1","2",',  # line 7: too few cells
            f'"Germany","DEU","GDP (current US$)","{GDP}","1","2","lots","4",',  # line 8: not a number
            f'"Italy","ITA","GDP (current US$)","{GDP}","1","2","3","-5",',  # line 9: negative GDP
            f'"Spain","ESP","GDP growth (annual %)","{GROWTH}","1","2","3","4","5","6",',  # line 10: too many
            f'"Korea","KOR","GDP growth (annual %)","{GROWTH}","1","2","3","Infinity",',  # line 11: not finite
        )
    )
    assert [(bad.line, bad.reason) for bad in parsed.bad_lines] == [
        (7, "expected 9 columns, found 7"),
        (8, "column 2022: not a number: 'lots'"),
        (9, "column 2023: GDP must be above zero, got '-5'"),
        (10, "expected 9 columns, found 11"),
        (11, "column 2023: not a usable number: 'Infinity'"),
    ]
    # A bad row is skipped whole, even its good cells; the good rows are kept.
    assert set(parsed.observations) == {("FRA", "gdp_usd")}


def test_line_numbers_count_physical_lines_across_quoted_line_breaks() -> None:
    parsed = parse_wdi_csv(
        wide(
            f'"Côte\nd\'Ivoire","CIV","GDP (current US$)","{GDP}","1","2","3","4",',  # lines 6–7
            f'"Japan","JPN","GDP (current US$)","{GDP}","x","2","3","4",',  # line 8
        )
    )
    assert [bad.line for bad in parsed.bad_lines] == [8]
    assert parsed.observations[("CIV", "gdp_usd")].line == 6


def test_other_series_are_counted_and_ignored() -> None:
    parsed = parse_wdi_csv(
        wide(
            '"France","FRA","Population, total","SP.POP.TOTL","1","2","3","oops",',
            '"Japan","JPN","Population, total","SP.POP.TOTL","1","2","3","4",',
            f'"Japan","JPN","GDP (current US$)","{GDP}","1","2","3","4",',
        )
    )
    assert dict(parsed.ignored_series) == {"SP.POP.TOTL": 2}
    assert parsed.bad_lines == []  # an ignored series' cells are not checked
    assert set(parsed.observations) == {("JPN", "gdp_usd")}


def test_wide_layout_without_preamble_and_with_databank_year_columns() -> None:
    text = (
        "Country Name,Country Code,Series Name,Series Code,2022 [YR2022],2023 [YR2023]\n"
        f"Viet Nam,VNM,GDP growth (annual %),{GROWTH},8.1,..\n"
        f"Viet Nam,VNM,GDP (current US$),{GDP},..,..\n"
        "\n"
        "Data from database: World Development Indicators,,,,,\n"
        "Last Updated: 06/28/2024,,,,,\n"
    )
    parsed = parse_wdi_csv(text)
    assert parsed.layout == "wide"
    assert parsed.observations[("VNM", "gdp_growth_pct")].year == 2022
    assert parsed.no_value == {("VNM", "gdp_usd")}
    assert parsed.bad_lines == []  # the blank line and DataBank's footer are not rows


@pytest.mark.parametrize(
    ("time_column", "times"),
    [
        ("Time", ("2021 [YR2021]", "2022 [YR2022]", "2023 [YR2023]")),
        ("Time", ("2021", "2022", "2023")),
        ("Time", ("YR2021", "YR2022", "YR2023")),
        ("Year", ("2021", "2022", "2023")),
    ],
)
def test_narrow_layout_variants(time_column: str, times: tuple[str, str, str]) -> None:
    rows = [
        f"Country Name,Country Code,Series Name,Series Code,{time_column},Value",
        f"Brazil,BRA,GDP (current US$),{GDP},{times[0]},1650000000000",
        f"Brazil,BRA,GDP (current US$),{GDP},{times[2]},..",
        f"Brazil,BRA,GDP (current US$),{GDP},{times[1]},1950000000000",
        f"Brazil,BRA,GDP growth (annual %),{GROWTH},{times[2]},2.9",
    ]
    parsed = parse_wdi_csv("\r\n".join(rows) + "\r\n")
    assert parsed.layout == "narrow"
    gdp = parsed.observations[("BRA", "gdp_usd")]
    assert (gdp.year, gdp.value, gdp.line) == (2022, Decimal("1950000000000"), 4)
    assert parsed.observations[("BRA", "gdp_growth_pct")].year == 2023


def test_narrow_layout_reports_bad_years_and_values_with_line_numbers() -> None:
    text = (
        "Time,Time Code,Country Name,Country Code,Series Name,Series Code,Value\n"
        f"2022,YR2022,Mexico,MEX,GDP growth (annual %),{GROWTH},3.7\n"
        f"last year,YR2023,Mexico,MEX,GDP growth (annual %),{GROWTH},3.2\n"
        f"2023,YR2023,Mexico,MEX,GDP (current US$),{GDP},n/a\n"
        f"2023,YR2023,Mexico,MEX,GDP (current US$),{GDP}\n"
        f"2023,YR2023,,,GDP (current US$),{GDP},1\n"
    )
    parsed = parse_wdi_csv(text)
    assert [(bad.line, bad.reason) for bad in parsed.bad_lines] == [
        (3, "not a year: 'last year'"),
        (4, "not a number: 'n/a'"),
        (5, "expected 7 columns, found 6"),
        (6, "no country code"),
    ]
    assert parsed.observations[("MEX", "gdp_growth_pct")].year == 2022


def test_values_are_kept_to_four_decimals() -> None:
    parsed = parse_wdi_csv(wide(f'"France","FRA","GDP growth (annual %)","{GROWTH}","","","","0.912345678",'))
    assert parsed.observations[("FRA", "gdp_growth_pct")].value == Decimal("0.9123")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "No header row with a 'Country Code' column"),
        ("name,value\nFrance,1\n", "No header row with a 'Country Code' column"),
        ("Country Name,Country Code,Value\nFrance,FRA,1\n", "no 'Indicator Code' or 'Series Code' column"),
        ("Country Name,Country Code,Indicator Code,Notes\nFrance,FRA,X,1\n", "neither year columns"),
    ],
)
def test_a_file_in_neither_layout_is_a_format_error(text: str, message: str) -> None:
    with pytest.raises(WDIFormatError, match=message):
        parse_wdi_csv(text)


def test_the_header_is_looked_for_only_near_the_top() -> None:
    text = "junk\n" * 40 + "Country Name,Country Code,Indicator Code,2023\n"
    with pytest.raises(WDIFormatError, match="first 30 lines"):
        parse_wdi_csv(text)


@pytest.mark.parametrize("name", ["wdi_sample_wide.csv", "wdi_sample_narrow.csv"])
def test_the_shipped_samples_parse_cleanly_and_agree(name: str) -> None:
    parsed = parse_wdi_csv((DATA / name).read_text(encoding="utf-8-sig"))
    assert parsed.bad_lines == []
    assert "SAMPLE DATA" in parsed.declared_source
    assert len({iso3 for iso3, _ in parsed.observations}) == 19  # 16 countries and 3 aggregates
    # Left missing on purpose: the 2022 value is the most recent there is.
    assert parsed.observations[("ARE", "gdp_usd")].year == 2022
    assert parsed.observations[("SGP", "gdp_growth_pct")].year == 2022
    assert parsed.observations[("USA", "gdp_usd")].year == 2023


def test_both_samples_carry_the_same_most_recent_values() -> None:
    wide_parse = parse_wdi_csv((DATA / "wdi_sample_wide.csv").read_text(encoding="utf-8-sig"))
    narrow_parse = parse_wdi_csv((DATA / "wdi_sample_narrow.csv").read_text(encoding="utf-8-sig"))
    assert wide_parse.layout == "wide" and narrow_parse.layout == "narrow"
    simplify = {key: (o.year, o.value) for key, o in wide_parse.observations.items()}
    assert simplify == {key: (o.year, o.value) for key, o in narrow_parse.observations.items()}


def test_a_file_object_is_read_row_by_row_with_the_same_result() -> None:
    text = wide(
        f'"France","FRA","GDP (current US$)","{GDP}","1","2","3","",',
        f'"Japan","JPN","GDP (current US$)","{GDP}","1","x","3","",',
    )
    from_text = parse_wdi_csv(text)
    from_file = parse_wdi_csv(io.StringIO(text, newline=""))  # still carries the byte-order mark
    assert from_file.layout == from_text.layout == "wide"
    assert from_file.observations == from_text.observations
    assert from_file.bad_lines == from_text.bad_lines == [BadLine(7, "column 2021: not a number: 'x'")]
    assert from_file.declared_source == "World Development Indicators"


def test_a_byte_order_mark_before_a_bare_header_is_ignored() -> None:
    parsed = parse_wdi_csv(io.StringIO(f"\ufeffCountry Code,Indicator Code,2023\nFRA,{GDP},5\n", newline=""))
    assert parsed.observations[("FRA", "gdp_usd")].value == 5
