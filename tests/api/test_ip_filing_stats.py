"""GET /api/v1/stats/ip-filings/: IP registered abroad, counted by country, kind or the firm's
sector, size and region — against an independent count in Python, scoped like the firms list."""

from __future__ import annotations

import csv
import io
import itertools
from collections import defaultdict
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from firms.models import Firm, IPHolding
from programs.models import Country
from tests.api.conftest import World, error_of

pytestmark = pytest.mark.django_db

KINDS = list(IPHolding.Kind.values)


@pytest.fixture
def holdings(world: World) -> list[IPHolding]:
    """Holdings of varied kind and country for firms A (seen by firm A's staff and the
    officer), B (the officer) and C (the manager only)."""
    countries = ["US", "JP", "CN", "VN", "DE"]
    created: list[IPHolding] = []
    plan = [(world.firm_a, 5), (world.firm_b, 3), (world.firm_c, 4)]
    for firm, count in plan:
        for n in range(count):
            created.append(
                IPHolding.objects.create(
                    firm=firm,
                    kind=KINDS[n % len(KINDS)],
                    country_id=countries[(n + firm.pk) % len(countries)],
                    registration_number=f"{firm.pk}-{n}",
                )
            )
    return created


def _key(holding: IPHolding, firm: Firm, dimension: str) -> Any:
    return {
        "country": holding.country_id,
        "kind": holding.kind,
        "sector": firm.sector,
        "size_class": firm.size_class,
        "region": firm.region,
    }[dimension]


def expected(holdings: list[IPHolding], group_by: tuple[str, ...], firms: set[int] | None = None) -> dict[Any, Any]:
    """{group key: (filings, distinct firms)} computed row by row in Python."""
    counts: dict[Any, list[Any]] = defaultdict(lambda: [0, set()])
    for holding in holdings:
        if firms is not None and holding.firm_id not in firms:
            continue
        firm = Firm.objects.get(pk=holding.firm_id)
        key = tuple(_key(holding, firm, d) for d in group_by)
        counts[key][0] += 1
        counts[key][1].add(holding.firm_id)
    return {key: (filings, len(firm_ids)) for key, (filings, firm_ids) in counts.items()}


def got(response: Any, group_by: tuple[str, ...]) -> dict[Any, Any]:
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["group_by"] == list(group_by)
    assert body["count"] == len(body["results"])
    return {tuple(row[d] for d in group_by): (row["filings"], row["firms"]) for row in body["results"]}


GROUPINGS = [(), *[(d,) for d in ("country", "kind", "sector", "size_class", "region")], ("country", "kind")]
GROUPINGS += [("sector", "region", "size_class")]


@pytest.mark.parametrize("group_by", GROUPINGS)
def test_counts_match_an_independent_count(world: World, holdings: list[IPHolding], group_by: tuple[str, ...]) -> None:
    response = world.client("manager").get("/api/v1/stats/ip-filings/", {"group_by": ",".join(group_by)})
    assert got(response, group_by) == expected(holdings, group_by)


def test_country_rows_carry_the_country_name_and_kind_its_label(world: World, holdings: list[IPHolding]) -> None:
    rows = world.client("manager").get("/api/v1/stats/ip-filings/?group_by=country,kind").json()["results"]
    names = dict(Country.objects.values_list("iso2", "name_en"))
    for row in rows:
        assert row["country_name"] == names[row["country"]]
        assert row["kind_label"] == IPHolding.Kind(row["kind"]).label


def test_a_firm_sees_only_its_own_firms_filings(world: World, holdings: list[IPHolding]) -> None:
    response = world.client("firm").get("/api/v1/stats/ip-filings/?group_by=country")
    assert got(response, ("country",)) == expected(holdings, ("country",), firms={world.firm_a.pk})
    total = world.client("firm").get("/api/v1/stats/ip-filings/").json()["results"][0]
    assert total == {"filings": 5, "firms": 1}


def test_an_officer_sees_the_firms_that_applied_to_their_programs(world: World, holdings: list[IPHolding]) -> None:
    response = world.client("officer").get("/api/v1/stats/ip-filings/?group_by=kind")
    assert got(response, ("kind",)) == expected(holdings, ("kind",), firms={world.firm_a.pk, world.firm_b.pk})


def test_anonymous_is_401(world: World) -> None:
    response = world.client("anonymous").get("/api/v1/stats/ip-filings/")
    assert response.status_code == 401
    assert error_of(response)["code"] == "not_authenticated"


@pytest.mark.parametrize("value", ["program", "country,colour", "fiscal_year"])
def test_an_unknown_dimension_is_a_400_that_lists_the_allowed_ones(world: World, value: str) -> None:
    response = world.client("manager").get("/api/v1/stats/ip-filings/", {"group_by": value})
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid"
    message = " ".join(error["fields"]["group_by"])
    assert "country, kind, sector, size_class, region" in message


@pytest.mark.parametrize("role", ["firm", "officer", "manager"])
@pytest.mark.parametrize("group_by", [(), ("country",), ("country", "kind", "sector", "size_class", "region")])
def test_one_aggregate_query(world: World, holdings: list[IPHolding], role: str, group_by: tuple[str, ...]) -> None:
    client = world.client(role)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/stats/ip-filings/", {"group_by": ",".join(group_by)})
    assert response.status_code == 200
    statements = [q["sql"] for q in queries.captured_queries]
    touching = [sql for sql in statements if "firms_ipholding" in sql]
    assert len(touching) == 1, statements
    assert "GROUP BY" in touching[0] or not group_by


def test_csv_has_the_same_rows(world: World, holdings: list[IPHolding]) -> None:
    client = world.client("manager")
    json_rows = client.get("/api/v1/stats/ip-filings/?group_by=country,kind").json()["results"]
    response = client.get("/api/v1/stats/ip-filings/?group_by=country,kind&format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "ip-filing-statistics.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["country", "country_name", "kind", "kind_label", "filings", "firms"]
    assert len(rows) == len(json_rows) + 1
    for line, row in zip(rows[1:], json_rows, strict=True):
        assert line == [str(row[column]) for column in rows[0]]


def test_a_firms_csv_holds_no_other_firms_filings(world: World, holdings: list[IPHolding]) -> None:
    response = world.client("firm").get("/api/v1/stats/ip-filings/?format=csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows == [["filings", "firms"], ["5", "1"]]


def test_no_filings_gives_one_row_of_zeros(world: World) -> None:
    body = world.client("manager").get("/api/v1/stats/ip-filings/").json()
    assert body["results"] == [{"filings": 0, "firms": 0}]
    grouped = world.client("manager").get("/api/v1/stats/ip-filings/?group_by=country").json()
    assert grouped["count"] == 0


def test_every_dimension_pair_is_accepted(world: World, holdings: list[IPHolding]) -> None:
    client = world.client("manager")
    for pair in itertools.combinations(("country", "kind", "sector", "size_class", "region"), 2):
        assert got(client.get("/api/v1/stats/ip-filings/", {"group_by": ",".join(pair)}), pair) == expected(
            holdings, pair
        )
