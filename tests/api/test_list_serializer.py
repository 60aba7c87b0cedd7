"""The application list's hand-built rows equal what DRF's own field-by-field serializer
makes of them, and the list loads only the columns those rows read."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from rest_framework.renderers import JSONRenderer

from applications.api.serializers import APPLICATION_LIST_COLUMNS, ApplicationRowFields, ApplicationSerializer
from applications.models import Application
from applications.workflow import Status
from sme_support.roles import Role
from tests.api.conftest import client_for
from tests.factories import ApplicationFactory, FirmFactory, ProgramFactory, firm_user, user_in_group

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(db: Any) -> list[Application]:
    """Applications in several states: never submitted, submitted, decided."""
    program = ProgramFactory(title_ko="수출 바우처", title_en="Export voucher")
    made = []
    for i, status in enumerate([Status.DRAFT, Status.SUBMITTED, Status.APPROVED]):
        application = ApplicationFactory(program=program, firm=FirmFactory())
        now = timezone.now()
        Application.objects.filter(pk=application.pk).update(
            status=status,
            submitted_at=None if status == Status.DRAFT else now - dt.timedelta(days=10 + i, microseconds=123),
            decided_at=now - dt.timedelta(days=2) if status == Status.APPROVED else None,
        )
        made.append(application)
    return list(Application.objects.select_related("program", "firm").filter(pk__in=[a.pk for a in made]))


@pytest.mark.parametrize("language", ["ko", "en"])
@pytest.mark.parametrize("time_zone", ["Asia/Seoul", "UTC"])
def test_lean_rows_equal_drf_rows(rows: list[Application], language: str, time_zone: str) -> None:
    values = list(
        Application.objects.filter(pk__in=[a.pk for a in rows]).order_by("pk").values(*APPLICATION_LIST_COLUMNS)
    )
    rows = sorted(rows, key=lambda a: a.pk)
    with translation.override(language), timezone.override(time_zone):
        lean = ApplicationSerializer(values, many=True).data
        generic = ApplicationRowFields(rows, many=True).data
    assert JSONRenderer().render(lean) == JSONRenderer().render(generic)
    assert {row["program"]["title"] for row in lean} == {"수출 바우처" if language == "ko" else "Export voucher"}
    assert any(row["submitted_at"] is None for row in lean)


def test_lean_rows_name_every_declared_field(rows: list[Application]) -> None:
    """A field added to the declared row but not to the hand-built one fails here."""
    row = ApplicationSerializer(Application.objects.values(*APPLICATION_LIST_COLUMNS).get(pk=rows[0].pk)).data
    declared = ApplicationRowFields().fields
    assert list(row) == list(declared)
    assert list(row["program"]) == list(declared["program"].fields)
    assert list(row["firm"]) == list(declared["firm"].fields)


def test_list_page_reads_only_the_row_columns(rows: list[Application]) -> None:
    manager = user_in_group(Role.MANAGER)
    client = client_for(manager)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/api/v1/applications/")
    assert response.status_code == 200
    page = next(
        q["sql"] for q in ctx.captured_queries if 'FROM "applications_application"' in q["sql"] and "LIMIT" in q["sql"]
    )
    for column in ("answers", "eligibility_results", "description_ko", "description_en", "decision_reason"):
        assert f'."{column}"' not in page
    # Every column the rows read was loaded: no deferred field is fetched row by row.
    with CaptureQueriesContext(connection) as one:
        client.get("/api/v1/applications/?page_size=1")
    assert len(ctx.captured_queries) == len(one.captured_queries)
    assert len(json.loads(response.content)["results"]) == 3


def test_csv_export_still_gets_full_rows(rows: list[Application]) -> None:
    client = client_for(user_in_group(Role.MANAGER))
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/api/v1/applications/?format=csv")
        body = b"".join(response.streaming_content).decode()
    assert response.status_code == 200
    assert body.count("\n") == 4
    # The export's columns are all loaded up front: no query per row.
    rows_read = [q for q in ctx.captured_queries if 'FROM "applications_application"' in q["sql"]]
    assert len(rows_read) == 1


def test_unfiltered_and_filtered_lists_agree(rows: list[Application]) -> None:
    """The filter backend skips django-filter when nothing in the query string filters; the
    answer is the same as the full path's, and a filter or a bad value still takes effect."""
    manager = user_in_group(Role.MANAGER)
    client = client_for(manager)
    plain = json.loads(client.get("/api/v1/applications/?page_size=2&ordering=id").content)
    assert plain["count"] == 3
    assert [r["id"] for r in plain["results"]] == sorted(a.pk for a in rows)[:2]
    filtered = json.loads(client.get("/api/v1/applications/?status=approved").content)
    assert [r["status"] for r in filtered["results"]] == ["approved"]
    assert client.get("/api/v1/applications/?status=nonsense").status_code == 400
    assert client.get("/api/v1/applications/?submitted_after=yesterday").status_code == 400


def test_another_firms_rows_stay_hidden_on_the_fast_path(rows: list[Application]) -> None:
    own = rows[0]
    client = client_for(firm_user(own.firm))
    body = json.loads(client.get("/api/v1/applications/?page=1&page_size=50").content)
    assert [r["id"] for r in body["results"]] == [own.pk]
