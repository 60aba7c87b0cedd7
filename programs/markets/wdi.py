"""Reading World Bank WDI CSV files: pure functions, no database.

Two layouts are understood and told apart by their header row:

- **wide** — the API download (``API_NY.GDP.MKTP.CD_DS2_en_csv_v2.csv``) and the bulk
  ``WDICSV.csv``: "Country Name","Country Code","Indicator Name","Indicator Code","1960",…,
  one column per year, after (in the API download) four preamble lines such as
  "Data Source","World Development Indicators". DataBank's default export is the same with
  "Series Name"/"Series Code" and year columns like "2022 [YR2022]".
- **narrow** — DataBank with the time dimension in rows: "Country Name","Country Code",
  "Series Name","Series Code","Year" (or "Time", with values "2022" or "2022 [YR2022]"),
  "Value"; ".." marks a missing value.

``programs.markets.country_indicators_import`` writes what this reads.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from programs.models import IndicatorCode

DEFAULT_SOURCE = "World Bank WDI"

# The WDI series the agency uses, and which indicator each one fills.
WDI_SERIES: dict[str, str] = {
    "NY.GDP.MKTP.CD": IndicatorCode.GDP_USD,
    "NY.GDP.MKTP.KD.ZG": IndicatorCode.GDP_GROWTH_PCT,
}

# WDI's regional, income and lending groups: rows for them sit among the countries' rows.
# fmt: off
WDI_AGGREGATES = frozenset({
    "AFE", "AFW", "ARB", "CEB", "CSS", "EAP", "EAR", "EAS", "ECA", "ECS", "EMU", "EUU", "FCS", "HIC", "HPC", "IBD",
    "IBT", "IDA", "IDB", "IDX", "INX", "LAC", "LCN", "LDC", "LIC", "LMC", "LMY", "LTE", "MEA", "MIC", "MNA", "NAC",
    "OED", "OSS", "PRE", "PSS", "PST", "SAS", "SSA", "SSF", "SST", "TEA", "TEC", "TLA", "TMN", "TSA", "TSS", "UMC",
    "WLD",
})
# fmt: on

# A year column of the wide layout: "2022" (API download) or "2022 [YR2022]" (DataBank).
_YEAR_COLUMN = re.compile(r"^(\d{4})(?:\s*\[YR\d{4}\])?$", re.IGNORECASE)
# A year value of the narrow layout: "2022", "2022 [YR2022]" or DataBank's time code "YR2022".
_YEAR_VALUE = re.compile(r"^(?:(\d{4})(?:\s*\[YR\d{4}\])?|YR(\d{4}))$", re.IGNORECASE)
_MISSING = {"", ".."}
_HEADER_SEARCH_ROWS = 30
_FOOTER_PREFIXES = ("data from database", "last updated")
# Values are kept with four decimals; anything this large is a broken cell, not a GDP.
_MAX_ABS_VALUE = Decimal("1e19")
_FOUR_PLACES = Decimal("0.0001")


class WDIFormatError(ValueError):
    """The file is not in a World Bank WDI CSV layout; the message says what is wrong."""


@dataclass(frozen=True)
class Observation:
    iso3: str
    indicator: str
    year: int
    value: Decimal
    line: int


@dataclass(frozen=True)
class BadLine:
    line: int
    reason: str


@dataclass
class WDIParse:
    layout: str  # "wide" or "narrow"
    # The most recent year with a value, per (ISO3 code, indicator).
    observations: dict[tuple[str, str], Observation] = field(default_factory=dict)
    bad_lines: list[BadLine] = field(default_factory=list)
    # Series other than the ones in WDI_SERIES: code → number of rows.
    ignored_series: Counter[str] = field(default_factory=Counter)
    # (ISO3 code, indicator) with rows but no value in any year.
    no_value: set[tuple[str, str]] = field(default_factory=set)
    # What the file says it is: the API download's "Data Source" line or DataBank's
    # "Data from database: …" footer ("World Development Indicators" for real WDI files).
    declared_source: str = ""


@dataclass(frozen=True)
class _Layout:
    name: str
    width: int
    country: int
    series: int
    year_columns: tuple[tuple[int, int], ...] = ()  # wide: (column, year)
    year: int = -1  # narrow
    value: int = -1  # narrow


def _find_layout(header: Sequence[str]) -> _Layout | None:
    names = [cell.strip().lower() for cell in header]
    if "country code" not in names:
        return None
    series = next((names.index(n) for n in ("indicator code", "series code") if n in names), None)
    if series is None:
        raise WDIFormatError("The header has no 'Indicator Code' or 'Series Code' column.")
    country = names.index("country code")
    if "value" in names and ("year" in names or "time" in names):
        year = names.index("year") if "year" in names else names.index("time")
        return _Layout("narrow", len(header), country, series, year=year, value=names.index("value"))
    years = tuple(
        (index, int(match.group(1))) for index, cell in enumerate(header) if (match := _YEAR_COLUMN.match(cell.strip()))
    )
    if not years:
        raise WDIFormatError(
            "The header has neither year columns (wide layout) nor 'Year'/'Time' and 'Value' columns (narrow layout)."
        )
    return _Layout("wide", len(header), country, series, year_columns=years)


def _number(raw: str, indicator: str) -> Decimal:
    """A cell's value; raises ValueError with the reason when it is not a usable number."""
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValueError(f"not a number: {raw!r}") from None
    if not value.is_finite() or abs(value) >= _MAX_ABS_VALUE:
        raise ValueError(f"not a usable number: {raw!r}")
    if indicator == IndicatorCode.GDP_USD and value <= 0:
        raise ValueError(f"GDP must be above zero, got {raw!r}")
    return value.quantize(_FOUR_PLACES)


def _is_blank_or_footer(row: Sequence[str]) -> bool:
    cells = [cell.strip() for cell in row]
    if not any(cells):
        return True
    # DataBank ends its files with "Data from database: …" and "Last Updated: …" lines.
    return cells[0].lower().startswith(_FOOTER_PREFIXES) and not any(cells[1:])


def _without_bom(lines: Iterable[str]) -> Iterator[str]:
    """The lines, with a UTF-8 byte-order mark dropped from the first (it would glue onto the
    first cell and hide its quotes from the csv reader)."""
    iterator = iter(lines)
    first = next(iterator, None)
    if first is not None:
        yield first.removeprefix("\ufeff")
        yield from iterator


def _declared_source(row: Sequence[str]) -> str:
    first = row[0].strip() if row else ""
    if first.lower() == "data source" and len(row) > 1:
        return row[1].strip()
    if first.lower().startswith("data from database:"):
        return first.split(":", 1)[1].strip()
    return ""


def parse_wdi_csv(lines: str | Iterable[str]) -> WDIParse:
    """Read a WDI CSV (its text, or a file opened with ``newline=""``) in either layout and keep, per country and indicator, the most recent
    year that has a value.

    1. Skip the preamble (the API download's "Data Source" lines) up to the header row, the
       first row with a "Country Code" column, and tell the layout from the header: year
       columns make it wide, "Year"/"Time" plus "Value" columns make it narrow.
    2. Every following row must have the header's number of cells and numeric values
       (empty and ".." are missing); a row that does not is reported with its line number
       and skipped whole. Rows of other series are counted and ignored.
    3. Country codes are not checked here (``country_indicators_import`` does that).

    Raises ``WDIFormatError`` when no header is found or it fits neither layout.
    """
    # A file object is read row by row: WDI's bulk file holds every series and runs to hundreds of MB.
    reader = csv.reader(_without_bom(io.StringIO(lines, newline="") if isinstance(lines, str) else lines))
    layout: _Layout | None = None
    result: WDIParse | None = None
    seen: set[tuple[str, str]] = set()
    declared = ""
    row_start = 1
    try:
        for row in reader:
            line, row_start = row_start, reader.line_num + 1
            declared = _declared_source(row) or declared
            if layout is None:
                layout = _find_layout(row)
                if layout is None and line >= _HEADER_SEARCH_ROWS:
                    break
                if layout is not None:
                    result = WDIParse(layout=layout.name)
                continue
            assert result is not None
            if _is_blank_or_footer(row):
                continue
            if len(row) != layout.width:
                result.bad_lines.append(BadLine(line, f"expected {layout.width} columns, found {len(row)}"))
                continue
            iso3 = row[layout.country].strip().upper()
            series = row[layout.series].strip()
            indicator = WDI_SERIES.get(series)
            if indicator is None:
                result.ignored_series[series or "(empty)"] += 1
                continue
            if not iso3:
                result.bad_lines.append(BadLine(line, "no country code"))
                continue
            try:
                found = _row_values(row, layout, indicator)
            except ValueError as exc:
                result.bad_lines.append(BadLine(line, str(exc)))
                continue
            seen.add((iso3, indicator))
            if found is None:
                continue
            year, value = found
            current = result.observations.get((iso3, indicator))
            # The most recent year wins; for the same year, the later line.
            if current is None or year >= current.year:
                result.observations[(iso3, indicator)] = Observation(iso3, indicator, year, value, line)
    except csv.Error as exc:
        raise WDIFormatError(f"Line {row_start}: the file is not readable as CSV ({exc}).") from exc
    if layout is None or result is None:
        raise WDIFormatError(
            f"No header row with a 'Country Code' column in the first {_HEADER_SEARCH_ROWS} lines; "
            "is this a World Bank WDI CSV file?"
        )
    result.no_value = seen - set(result.observations)
    result.declared_source = declared
    return result


def _row_values(row: Sequence[str], layout: _Layout, indicator: str) -> tuple[int, Decimal] | None:
    """The (year, value) of the row's most recent non-empty year, or None if it has none."""
    if layout.name == "narrow":
        raw_year = row[layout.year].strip()
        match = _YEAR_VALUE.match(raw_year)
        if not match:
            raise ValueError(f"not a year: {raw_year!r}")
        raw = row[layout.value].strip()
        if raw in _MISSING:
            return None
        return int(match.group(1) or match.group(2)), _number(raw, indicator)
    latest: tuple[int, Decimal] | None = None
    for column, year in layout.year_columns:
        raw = row[column].strip()
        if raw in _MISSING:
            continue
        try:
            value = _number(raw, indicator)
        except ValueError as exc:
            raise ValueError(f"column {year}: {exc}") from None
        if latest is None or year >= latest[0]:
            latest = (year, value)
    return latest
