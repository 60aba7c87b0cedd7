"""GET /api/v1/markets/priority/: who may read it, what it says, CSV, and its schema."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from programs.models import Country, IndicatorCode, PriorityWeights
from tests.markets.conftest import set_indicator

pytestmark = pytest.mark.django_db

URL = "/api/v1/markets/priority/"


def api(user: Any | None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def test_anonymous_requests_are_401() -> None:
    response = api(None).get(URL)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_firms_staff_get_404(firm_staff_user: Any, three_countries: dict[str, str]) -> None:
    response = api(firm_staff_user).get(URL)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert api(firm_staff_user).get(URL, {"format": "csv"}).status_code == 404


@pytest.mark.parametrize("role", ["officer_user", "manager_user"])
def test_officers_and_managers_read_the_ranking(role: str, request: Any, three_countries: dict[str, str]) -> None:
    response = api(request.getfixturevalue(role)).get(URL)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == Country.objects.count()
    assert body["ranked"] == 3
    assert body["weights"] == {
        "market_size": "30.00",
        "growth_potential": "20.00",
        "relationship_maturity": "20.00",
        "cultural_intimacy": "15.00",
        "ip_protection": "15.00",
    }
    top = body["results"][:3]
    assert [(r["rank"], r["iso2"], r["score"]) for r in top] == [(1, "FR", 75.5), (2, "JP", 41.5), (3, "VN", 40.0)]
    vietnam = top[2]
    assert vietnam["coverage"] == 0.65
    assert vietnam["missing_factors"] == ["relationship_maturity", "cultural_intimacy"]
    factors = {f["factor"]: f for f in vietnam["factors"]}
    assert factors["growth_potential"] == {
        "factor": "growth_potential",
        "label": "Growth potential",
        "weight": "20.00",
        "normalised": 1.0,
        "contribution": 30.77,
    }
    assert factors["relationship_maturity"]["normalised"] is None
    assert factors["relationship_maturity"]["contribution"] == 0.0
    inputs = {i["name"]: i for i in top[0]["inputs"]}
    assert inputs["gdp_usd"]["value"] == "1000000000000.0000"
    assert inputs["gdp_usd"]["year"] == 2023 and inputs["gdp_usd"]["source"] == "test source"
    assert inputs["fta_in_force"]["value"] == "true" and inputs["fta_in_force"]["year"] == 2011
    assert inputs["live_mous"]["value"] == "3"
    # After the ranked rows, every other country, unranked.
    rest = body["results"][3:]
    assert all(r["rank"] is None and r["score"] is None and r["coverage"] == 0 for r in rest)


def test_saved_weights_show_in_the_api(manager_user: Any, three_countries: dict[str, str]) -> None:
    PriorityWeights.objects.create(
        market_size=0, growth_potential=100, relationship_maturity=0, cultural_intimacy=0, ip_protection=0
    )
    body = api(manager_user).get(URL).json()
    assert [r["iso2"] for r in body["results"][:3]] == ["VN", "JP", "FR"]
    assert body["results"][0]["score"] == 100.0


def test_korean_labels_and_names_with_accept_language(manager_user: Any, three_countries: dict[str, str]) -> None:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="ko")
    client.force_login(manager_user)
    first = client.get(URL).json()["results"][0]
    assert first["name"] == Country.objects.get(pk="FR").name_ko


def test_csv_export(manager_user: Any, three_countries: dict[str, str]) -> None:
    response = api(manager_user).get(URL, {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == Country.objects.count()
    first = rows[0]
    assert (first["rank"], first["iso2"], first["score"], first["coverage"]) == ("1", "FR", "75.5", "1.0")
    assert first["market_size_contribution"] == "30.0"
    assert first["gdp_usd_value"] == "1000000000000.0000" and first["gdp_usd_year"] == "2023"
    assert first["fta_in_force_value"] == "true"
    vietnam = rows[2]
    assert vietnam["missing_factors"] == "relationship_maturity;cultural_intimacy"
    assert vietnam["relationship_maturity_normalised"] == ""
    assert rows[-1]["rank"] == "" and rows[-1]["score"] == ""


def test_csv_by_accept_header(officer_user: Any) -> None:
    client = api(officer_user)
    response = client.get(URL, HTTP_ACCEPT="text/csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")


def test_the_endpoint_is_read_only(manager_user: Any) -> None:
    assert api(manager_user).post(URL, {}).status_code == 405


def test_schema_documents_the_endpoint_without_warnings() -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", stdout=out, stderr=err)
    schema = json.loads(out.getvalue())
    operation = schema["paths"][URL]["get"]
    assert {"200", "401", "403", "404"} <= set(operation["responses"])
    assert "text/csv" in operation["responses"]["200"]["content"]
    assert "renormalised" in operation["description"]
    result = schema["components"]["schemas"]["MarketPriority"]
    assert {"rank", "score", "coverage", "missing_factors", "factors", "inputs"} <= set(result["properties"])


def test_csv_neutralises_formulas_and_keeps_negative_figures_numbers(
    manager_user: Any, three_countries: dict[str, str]
) -> None:
    """A country's name is agency data, but the CSV goes to a spreadsheet all the same; a
    negative GDP growth must stay a number the sheet can sort and sum."""
    Country.objects.filter(pk="JP").update(name_en='=HYPERLINK("http://evil.example","x")', name_ko="-검토 중")
    set_indicator("JP", IndicatorCode.GDP_GROWTH_PCT, "-2.8")
    response = api(manager_user).get(URL, {"format": "csv"})
    rows = {
        row["iso2"]: row
        for row in csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    }
    japan = rows["JP"]
    assert japan["name_en"] == '\'=HYPERLINK("http://evil.example","x")'
    assert japan["name_ko"] == "'-검토 중"
    assert japan["gdp_growth_pct_value"] == "-2.8000"
    assert float(japan["score"]) > 0
