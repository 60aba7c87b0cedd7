"""Query budgets: a list costs the same number of queries for 1 row as for 50, and a
statistics request is one aggregate query besides authentication."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from applications.models import Allocation, Application, OutcomeReport
from applications.workflow import Status
from sme_support.roles import Role
from tests.api.conftest import client_for
from tests.factories import ApplicationFactory, FirmFactory, ProgramFactory, assign_officer, firm_user, user_in_group

pytestmark = pytest.mark.django_db

LISTS = [
    "/api/v1/applications/",
    "/api/v1/firms/",
    "/api/v1/programs/",
    "/api/v1/outcome-reports/",
    "/api/v1/countries/",
]
AUTH_TABLES = ("django_session", "auth_user", "auth_group", "authtoken_token")


@pytest.fixture
def many(db: Any) -> dict[str, Any]:
    """60 applications over 6 programs (each with target countries), firms with markets, and
    an outcome report (with new countries) for each."""
    programs = [ProgramFactory() for _ in range(6)]
    for program in programs:
        program.target_countries.set(["FR", "JP"])
    officer = user_in_group(Role.OFFICER)
    for program in programs:
        assign_officer(program, officer)
    firms = [FirmFactory() for _ in range(10)]
    for firm in firms:
        firm.markets_of_interest.set(["US", "VN"])
    for program in programs:
        for firm in firms:
            application = ApplicationFactory(program=program, firm=firm)
            Application.objects.filter(pk=application.pk).update(
                status=Status.COMPLETED,
                submitted_at=timezone.now() - dt.timedelta(days=40),
                decided_at=timezone.now() - dt.timedelta(days=20),
            )
            Allocation.objects.create(application=application, program=program, units=1_000, granted_at=timezone.now())
            report = OutcomeReport.objects.create(application=application, due_on=timezone.localdate(), contracts_usd=5)
            report.new_countries.set(["DE", "FR"])
    return {"officer": officer, "firm_user": firm_user(firms[0]), "manager": user_in_group(Role.MANAGER)}


def count_queries(client: APIClient, url: str, **params: Any) -> tuple[int, Any]:
    client.get(url, params)  # warm: the first request may load content types and the like
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200, response.content
    return len(queries), response


@pytest.mark.parametrize("role", ["manager", "officer", "firm_user"])
@pytest.mark.parametrize("url", LISTS)
def test_a_list_costs_the_same_at_page_size_1_and_50(many: dict[str, Any], role: str, url: str) -> None:
    client = client_for(many[role])
    small, small_response = count_queries(client, url, page_size=1)
    large, large_response = count_queries(client, url, page_size=50)
    assert len(small_response.json()["results"]) == 1
    # A firm's staff see one firm: theirs. Every other list has many rows here.
    assert len(large_response.json()["results"]) > (0 if (role, url) == ("firm_user", "/api/v1/firms/") else 1)
    assert small == large, f"{url}: {small} queries at page size 1, {large} at 50"
    print(f"QUERIES {role} {url}: {large}")


def test_application_detail_costs_a_fixed_number_of_queries(many: dict[str, Any]) -> None:
    client = client_for(many["manager"])
    application = Application.objects.order_by("pk").first()
    count, _response = count_queries(client, f"/api/v1/applications/{application.pk}/")
    assert count <= 8


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"group_by": "program"},
        {"group_by": "kind,fiscal_year"},
        {"group_by": "program,month,country,sector,status"},
        {"group_by": "sector", "fiscal_year": 2026, "country": "FR", "status": "completed"},
        {"group_by": "program", "format": "csv"},
    ],
)
@pytest.mark.parametrize("role", ["manager", "officer", "firm_user"])
def test_statistics_run_one_aggregate_query(many: dict[str, Any], role: str, params: dict[str, Any]) -> None:
    client = client_for(many[role])
    client.get("/api/v1/stats/applications/", params)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/stats/applications/", params)
        if params.get("format") == "csv":
            b"".join(response.streaming_content)
    assert response.status_code == 200
    statements = [q["sql"] for q in queries.captured_queries]
    data_queries = [sql for sql in statements if "applications_application" in sql]
    assert len(data_queries) == 1, statements
    others = [sql for sql in statements if sql not in data_queries]
    assert all(any(table in sql for table in AUTH_TABLES) for sql in others), others
    print(f"QUERIES stats {role} {params}: {len(statements)} (1 aggregate)")


def test_outcome_statistics_run_one_aggregate_query(many: dict[str, Any]) -> None:
    client = client_for(many["manager"])
    client.get("/api/v1/stats/outcomes/?group_by=country")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/stats/outcomes/?group_by=country,program")
    assert response.status_code == 200
    assert len([q for q in queries.captured_queries if "applications_application" in q["sql"]]) == 1


def test_token_authenticated_statistics_cost_two_queries(many: dict[str, Any]) -> None:
    token = Token.objects.create(user=many["manager"])
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}")
    client.get("/api/v1/stats/applications/?group_by=program")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/stats/applications/?group_by=program")
    assert response.status_code == 200
    # The token (joined to its user), the user's groups, and the aggregate.
    assert len(queries) == 3, [q["sql"] for q in queries.captured_queries]
