"""The OpenAPI schema validates with zero warnings, documents every operation's errors and
parameters, and the interactive docs load their assets from our own static files."""

from __future__ import annotations

import io
from typing import Any

import pytest
import yaml
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db


def test_schema_validates_with_zero_warnings() -> None:
    out = io.StringIO()
    err = io.StringIO()
    # --fail-on-warn turns any warning or error of the generator into a failure.
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out, stderr=err)
    assert "Warning" not in err.getvalue() and "Error" not in err.getvalue(), err.getvalue()
    schema = yaml.safe_load(out.getvalue())
    assert schema["openapi"].startswith("3.")


@pytest.fixture(scope="module")
def schema(django_db_blocker: Any) -> dict[str, Any]:
    with django_db_blocker.unblock():
        response = Client().get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    return response.json()


def test_every_operation_documents_its_errors(schema: dict[str, Any]) -> None:
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            codes = set(operation["responses"])
            assert {"401", "403", "429"} <= codes, (method, path)
            if "{" in path:
                assert "404" in codes, (method, path)
            if method in ("post", "patch") or path.endswith("/applications/") or "/stats/" in path:
                assert "400" in codes, (method, path)
            if "/applications/{id}/" in path and method == "post":
                assert "409" in codes, (method, path)
            error = operation["responses"]["401"]["content"]
            assert list(error) == ["application/json"]
            assert error["application/json"]["schema"]["$ref"].endswith("/Error")


def test_lists_and_statistics_offer_csv(schema: dict[str, Any]) -> None:
    for path in [
        "/api/v1/applications/",
        "/api/v1/firms/",
        "/api/v1/programs/",
        "/api/v1/outcome-reports/",
        "/api/v1/countries/",
        "/api/v1/stats/applications/",
        "/api/v1/stats/outcomes/",
    ]:
        content = schema["paths"][path]["get"]["responses"]["200"]["content"]
        assert content["text/csv"]["schema"]["type"] == "string", path
        params = {p["name"]: p for p in schema["paths"][path]["get"]["parameters"]}
        assert set(params["format"]["schema"]["enum"]) == {"json", "csv"}
    detail = schema["paths"]["/api/v1/applications/{id}/"]["get"]["responses"]["200"]["content"]
    assert list(detail) == ["application/json"]


def test_filters_ordering_pagination_and_group_by_are_documented(schema: dict[str, Any]) -> None:
    params = {p["name"]: p for p in schema["paths"]["/api/v1/applications/"]["get"]["parameters"]}
    for name in [
        "program",
        "kind",
        "fiscal_year",
        "status",
        "sector",
        "size_class",
        "region",
        "country",
        "submitted_after",
        "submitted_before",
        "decided_after",
        "decided_before",
        "ordering",
        "page",
        "page_size",
    ]:
        assert name in params, name
    assert params["page_size"]["schema"]["maximum"] == 500
    assert "-submitted_at" in params["ordering"]["schema"]["items"]["enum"]
    assert params["kind"]["schema"]["enum"] == ["business_delegation", "export_funding", "trade_show"]
    stats = {p["name"]: p for p in schema["paths"]["/api/v1/stats/applications/"]["get"]["parameters"]}
    assert stats["group_by"]["schema"]["items"]["enum"] == [
        "program",
        "kind",
        "fiscal_year",
        "month",
        "status",
        "sector",
        "size_class",
        "export_tier",
        "region",
        "country",
    ]
    assert stats["group_by"]["explode"] is False
    assert "fiscal_year" in stats and "submitted_after" in stats
    outcomes = {p["name"]: p for p in schema["paths"]["/api/v1/stats/outcomes/"]["get"]["parameters"]}
    assert "report_status" in outcomes


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_docs_use_our_static_files_not_a_cdn(url: str) -> None:
    response = Client().get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "drf_spectacular_sidecar" in html
    assert "https://" not in html and "http://" not in html.replace("http://testserver", "")


def test_sidecar_assets_are_in_the_static_files() -> None:
    from django.contrib.staticfiles import finders

    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    assert finders.find("drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js")
