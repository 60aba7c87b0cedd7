"""CSV exports: streamed, every filtered row (not a page), a header naming the columns."""

from __future__ import annotations

import csv
import io
from typing import Any
from unittest import mock

import pytest
from django.http import StreamingHttpResponse

from applications.models import Application
from tests.api.conftest import World
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def read_csv(response: Any) -> list[list[str]]:
    assert response.status_code == 200, getattr(response, "content", b"")
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    raw = b"".join(response.streaming_content)
    assert raw.startswith("\ufeff".encode())  # so that Excel reads UTF-8
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_application_list_csv_has_every_filtered_row_unpaginated(world: World) -> None:
    extra = [ApplicationFactory(program=world.program_a) for _ in range(55)]
    rows = read_csv(
        world.client("manager").get("/api/v1/applications/", {"format": "csv", "program": world.program_a.pk})
    )
    header, body = rows[0], rows[1:]
    assert header[:4] == ["id", "receipt_number", "program_id", "program_code"]
    assert len(body) == 2 + len(extra)  # beyond one page of 50
    ids = [int(row[0]) for row in body]
    assert set(ids) == {world.app_aa.pk, world.app_ba.pk, *(a.pk for a in extra)}
    by_id = {int(row[0]): dict(zip(header, row, strict=True)) for row in body}
    row = by_id[world.app_ba.pk]
    assert row["firm_brn"] == world.firm_b.brn
    assert row["status"] == "under_review"
    assert row["program_code"] == "alpha"
    assert row["decided_at"] == ""


def test_accept_header_selects_csv(world: World) -> None:
    rows = read_csv(world.client("manager").get("/api/v1/programs/", HTTP_ACCEPT="text/csv"))
    header = rows[0]
    assert "target_countries" in header
    by_code = {row[header.index("code")]: row for row in rows[1:]}
    assert by_code["alpha"][header.index("target_countries")] == "FR;JP"


@pytest.mark.parametrize(
    "url",
    ["/api/v1/firms/", "/api/v1/programs/", "/api/v1/outcome-reports/", "/api/v1/countries/", "/api/v1/applications/"],
)
def test_every_list_streams_csv(world: World, url: str) -> None:
    rows = read_csv(world.client("manager").get(url, {"format": "csv"}))
    assert len(rows) >= 2
    assert all(len(row) == len(rows[0]) for row in rows)


def test_csv_is_read_in_chunks_from_the_database(world: World) -> None:
    calls: list[int] = []
    original = Application.objects.all().__class__.iterator

    def spy(self: Any, chunk_size: int | None = None) -> Any:
        calls.append(chunk_size)
        return original(self, chunk_size=chunk_size)

    with mock.patch("django.db.models.query.QuerySet.iterator", spy):
        response = world.client("manager").get("/api/v1/applications/", {"format": "csv"})
        rows = read_csv(response)
    assert calls == [2000]
    assert len(rows) == 4


def test_statistics_csv(world: World) -> None:
    rows = read_csv(
        world.client("manager").get("/api/v1/stats/applications/", {"format": "csv", "group_by": "program"})
    )
    header = rows[0]
    assert header[:3] == ["program", "program_code", "program_title"]
    assert "approval_rate" in header and "contracts_usd_per_krw" in header
    by_code = {row[1]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert by_code["alpha"]["applications"] == "2"
    assert by_code["bravo"]["contracts_usd"] == "20000"
    assert by_code["alpha"]["approval_rate"] == ""
    rows = read_csv(world.client("manager").get("/api/v1/stats/outcomes/", {"format": "csv", "group_by": "country"}))
    assert rows[0][:2] == ["country", "country_name"]
    assert [row[0] for row in rows[1:]] == ["DE"]


def test_csv_of_an_empty_list_is_just_the_header(world: World) -> None:
    rows = read_csv(world.client("manager").get("/api/v1/applications/", {"format": "csv", "fiscal_year": 2030}))
    assert len(rows) == 1
