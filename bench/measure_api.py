"""Statistics endpoints and the application list page, through the full view stack
(in-process ``django.test.Client``: middleware, auth, DRF, serializers, JSON rendering), each
against the same SQL run directly with psycopg2."""

from __future__ import annotations

import functools
import json
from typing import Any

from bench.common import captured_sql, paired, query_count, raw_connection, timed

STATS_TARGET_RATIO = 1.3
STATS_TARGET_P50_MS = 300.0
LIST_TARGET_RATIO = 2.0
# Pairs of list requests per --repeat: a 10 ms figure needs many more samples than a 2 s one.
LIST_PAIRS_PER_REPEAT = 20


def _client(user: Any) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def _get(client: Any, url: str) -> Any:
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}: {response.content[:500]!r}")
    return response


def _raw_runner(conn: Any, sql: list[str]) -> Any:
    def run() -> list[list[Any]]:
        out = []
        with conn.cursor() as cur:
            for statement in sql:
                cur.execute(statement)
                out.append(cur.fetchall() if cur.description else [])
        return out

    return run


def latest_fiscal_year() -> int:
    from programs.models import Program

    return int(Program.objects.order_by("-fiscal_year").values_list("fiscal_year", flat=True)[0])


def measure_stats(*, manager: Any, repeat: int) -> list[dict[str, Any]]:
    """Each statistics endpoint vs its captured aggregate SQL re-run with psycopg2."""
    year = latest_fiscal_year()
    urls = [
        "/api/v1/stats/applications/?group_by=sector,status",
        f"/api/v1/stats/applications/?group_by=month&fiscal_year={year}",
        "/api/v1/stats/outcomes/?group_by=country",
    ]
    client = _client(manager)
    conn = raw_connection()
    results = []
    try:
        with conn.cursor() as cur:
            cur.execute("SET TIME ZONE 'UTC'")  # as Django's own connections
        for url in urls:
            fetch = functools.partial(_get, client, url)
            sql, response = captured_sql(fetch)
            endpoint, _ = timed(fetch, repeat=repeat)
            raw, raw_rows = timed(_raw_runner(conn, sql), repeat=repeat)
            body = json.loads(response.content)
            results.append(
                {
                    "url": url,
                    "groups": body["count"],
                    "endpoint_ms": endpoint.ms,
                    "raw_ms": raw.ms,
                    "ratio": endpoint.median / raw.median,
                    "queries": len(sql),
                    "raw_rows": sum(len(r) for r in raw_rows),
                    "sql": sql,
                    "met": endpoint.median / raw.median <= STATS_TARGET_RATIO and endpoint.ms < STATS_TARGET_P50_MS,
                }
            )
    finally:
        conn.close()
    return results


def _raw_list_endpoint(conn: Any, sql: list[str]) -> Any:
    """A minimal "endpoint": the same COUNT and page query, the rows turned into dicts and
    JSON-encoded with json.dumps — what the API does minus Django and DRF."""

    def run() -> bytes:
        with conn.cursor() as cur:
            count = None
            rows: list[dict[str, Any]] = []
            for statement in sql:
                cur.execute(statement)
                data = cur.fetchall()
                if len(data) == 1 and len(data[0]) == 1 and "COUNT(" in statement.upper():
                    count = data[0][0]
                else:
                    names = [c.name for c in cur.description]
                    rows = [dict(zip(names, r, strict=True)) for r in data]
        return json.dumps({"count": count, "results": rows}, default=str).encode()

    return run


def _measure_list_for(*, who: str, user: Any, conn: Any, repeat: int) -> dict[str, Any]:
    client = _client(user)
    url = "/api/v1/applications/?page_size=50"
    sql, response = captured_sql(lambda: _get(client, url))
    body = json.loads(response.content)
    raw_endpoint = _raw_list_endpoint(conn, sql)
    raw_body = raw_endpoint()
    endpoint, raw = paired(lambda: _get(client, url), raw_endpoint, pairs=repeat * LIST_PAIRS_PER_REPEAT)
    # For the record, not the target: the same endpoint against every statement it ran,
    # its session, user and role lookups included — what is Django's and DRF's own cost.
    sql_all, _ = captured_sql(lambda: _get(client, url), with_auth=True)
    endpoint_again, raw_all = paired(
        lambda: _get(client, url), _raw_list_endpoint(conn, sql_all), pairs=repeat * LIST_PAIRS_PER_REPEAT
    )
    q1 = query_count(lambda: _get(client, "/api/v1/applications/?page_size=1"))
    q50 = query_count(lambda: _get(client, url))
    return {
        "who": who,
        "rows": len(body["results"]),
        "raw_rows": len(json.loads(raw_body)["results"]),
        "count": body["count"],
        "endpoint_ms": endpoint.ms,
        "raw_ms": raw.ms,
        "ratio": endpoint.median / raw.median,
        "raw_all_ms": raw_all.ms,
        "ratio_all": endpoint_again.median / raw_all.median,
        "queries_page_1": q1,
        "queries_page_50": q50,
        "sql": sql,
        "met": endpoint.median / raw.median <= LIST_TARGET_RATIO and q1 == q50,
    }


def measure_list(*, manager: Any, firm_user: Any, repeat: int) -> list[dict[str, Any]]:
    """GET /api/v1/applications/?page_size=50 for a manager and a firm user vs raw psycopg2."""
    conn = raw_connection()
    try:
        with conn.cursor() as cur:
            cur.execute("SET TIME ZONE 'UTC'")
        return [
            _measure_list_for(who=who, user=user, conn=conn, repeat=repeat)
            for who, user in (("manager", manager), ("firm user", firm_user))
        ]
    finally:
        conn.close()
