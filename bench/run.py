"""Run the benchmarks and write bench/RESULTS.md: ``python -m bench.run`` (``make bench``).

Needs PostgreSQL (DATABASE_URL) and a broker (CELERY_BROKER_URL). Generates the data set
first (``bench.generate --reset``) unless ``--skip-generate``; every figure is the median
of ``--repeat`` runs. See the "Benchmarks" section of README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def _say(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def setup() -> None:
    """Django with the API throttle lifted (a benchmark that hits it measures 429s)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sme_support.settings")
    os.environ.setdefault("API_THROTTLE_USER", "100000000/hour")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("bench.run needs PostgreSQL: set DATABASE_URL=postgres://… (SQLite is refused).")
    # No per-query logging in the measured process: production runs with DEBUG off.
    settings.DEBUG = False


def explain(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return "\n".join(r[0] for r in cur.fetchall())


def data_size() -> dict[str, int]:
    from applications.models import Application, StatusChange
    from firms.models import Firm
    from programs.models import Program

    return {
        "firms": Firm.objects.count(),
        "programs": Program.objects.count(),
        "applications": Application.objects.count(),
        "history rows": StatusChange.objects.count(),
    }


def run_all(*, repeat: int, reminders: int, recheck_size: int, approvals: int, capacity: int,
            wrk_seconds: int, wrk_connections: int, log: Any = _say) -> dict[str, Any]:  # fmt: skip
    """Every measurement, in an order where none disturbs the next one's data."""
    from bench import measure_api, measure_http, measure_jobs
    from bench.common import bench_manager, firm_users_create
    from firms.models import Firm

    out: dict[str, Any] = {"size": data_size()}
    manager = bench_manager()
    # The firm with the most applications (the generator favours low ids) gets a portal user.
    firm_id = Firm.objects.order_by("pk").values_list("pk", flat=True)[0]
    from django.contrib.auth.models import User

    firm_user = User.objects.get(pk=firm_users_create(firm_ids=[firm_id])[firm_id])

    log("statistics endpoints")
    out["stats"] = measure_api.measure_stats(manager=manager, repeat=repeat)
    log("application list")
    out["list"] = measure_api.measure_list(manager=manager, firm_user=firm_user, repeat=repeat)
    log(f"reminder sweep: arranging {reminders} info requests")
    out["reminder_items"] = len(measure_jobs.arrange_info_requests(count=reminders, officer=manager))
    log("reminder sweep")
    out["sweep"] = measure_jobs.measure_sweep(repeat=repeat)
    log(f"eligibility re-check of {recheck_size} applications")
    out["recheck"] = measure_jobs.measure_recheck(size=recheck_size, repeat=repeat)
    log("gunicorn: approvals and throughput")
    with measure_http.gunicorn() as port:
        out["approvals"] = measure_http.measure_approvals(
            port=port, manager=manager, requests=approvals, capacity=capacity
        )
        log("throughput")
        out["throughput"] = measure_http.measure_throughput(
            port=port, token=measure_http.manager_token(manager), seconds=wrk_seconds, connections=wrk_connections
        )
    # EXPLAIN ANALYZE of the main query behind every missed or slow (p50 ≥ 300 ms) API figure.
    out["explain"] = {}
    for item in [*out["stats"], *out["list"]]:
        if (not item["met"] or item["endpoint_ms"] >= 300) and item["sql"]:
            main = max(item["sql"], key=len)
            out["explain"][item.get("url") or f"list ({item['who']})"] = (main, explain(main))
    return out


def _met(ok: bool) -> str:
    return "**MET**" if ok else "**MISSED**"


def render(out: dict[str, Any], *, machine: dict[str, str], repeat: int, args: argparse.Namespace,
           generated: str) -> str:  # fmt: skip
    from bench.measure_api import LIST_PAIRS_PER_REPEAT

    lines = [
        "# Benchmark results",
        "",
        f"Written by `python -m bench.run` on {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC. "
        f"Every time is the **median of {repeat} runs** unless said otherwise.",
        "",
        "## Machine",
        "",
        *(f"- {k}: {v}" for k, v in machine.items()),
        "",
        "## Data",
        "",
        f"- requested: `--firms {args.firms} --applications {args.applications}`; {generated}",
        *(f"- {k}: {v:,}" for k, v in out["size"].items()),
        *([f"- note: {args.note}"] if getattr(args, "note", "") else []),
        "",
        "## 1. Statistics endpoints vs the same aggregate in raw SQL",
        "",
        "Endpoint: in-process `django.test.Client`, a manager logged in with `force_login` — the full "
        "middleware, authentication, DRF view, serializer and JSON rendering, no sockets. Raw: the SQL the "
        "endpoint ran (captured with `CaptureQueriesContext`, session/auth lookups left out) re-run on a "
        "separate psycopg2 connection, rows fetched. Targets: ratio ≤ 1.3×, p50 < 300 ms.",
        "",
        "| request | groups | queries | endpoint p50 | raw SQL | ratio | result |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for s in out["stats"]:
        lines.append(
            f"| `{s['url']}` | {s['groups']} | {s['queries']} | {s['endpoint_ms']:.1f} ms | {s['raw_ms']:.1f} ms "
            f"| {s['ratio']:.2f}× | {_met(s['met'])} |"
        )
    lines += [
        "",
        "## 2. Application list page (50 rows) vs a minimal raw endpoint",
        "",
        "Endpoint: `GET /api/v1/applications/?page_size=50` through `django.test.Client`. Raw: the same COUNT "
        "and page SQL on psycopg2, rows turned into dicts and `json.dumps`-ed. Each figure is the median of "
        f"{repeat * LIST_PAIRS_PER_REPEAT} runs, endpoint and raw alternating (the machine's speed drifts "
        "between blocks of runs). Target ≤ 2×, and the query count must not grow with the page size. "
        "The last two columns, for the record: the raw endpoint running every statement the request ran "
        "(its session, user and role lookups too), so that the ratio is Django's and DRF's own cost.",
        "",
        "| user | rows | endpoint p50 | raw | ratio | queries at page_size 1 / 50 | result "
        "| raw with auth lookups | ratio |",
        "|---|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    for item in out["list"]:
        lines.append(
            f"| {item['who']} ({item['count']:,} visible) | {item['rows']} | {item['endpoint_ms']:.1f} ms "
            f"| {item['raw_ms']:.1f} ms | {item['ratio']:.2f}× | {item['queries_page_1']} / {item['queries_page_50']} "
            f"| {_met(item['met'])} | {item['raw_all_ms']:.1f} ms | {item['ratio_all']:.2f}× |"
        )
    sw = out["sweep"]
    lines += [
        "",
        "## 3. Reminder sweep",
        "",
        f"Arranged: {out['reminder_items']:,} open info requests due in 2 days, each firm with one portal user, "
        "on top of the full data set (the sweep still scans every draft in closing calls, every pending "
        "outcome report and every application waiting for review). `reminders_sweep(now=…)` decides what is "
        "due and inserts the sent-log rows; the after-commit hand-off to the broker is recorded instead of "
        "sent, so the figure is the sweep's own work. Between timed runs the inserted rows are deleted, so each "
        "run queues everything again. Target ≤ 60 s; a second sweep queues 0.",
        "",
        f"- queued per sweep: {sw['queued']:,}",
        f"- sweep: {sw['sweep_s']:.2f} s median (runs: {', '.join(f'{r:.2f}' for r in sw['sweep'].runs)} s) "
        f"— {_met(sw['sweep_s'] <= 60)}",
        f"- second sweep: queued {sw['rerun_queued']} in {sw['rerun_s']:.2f} s — {_met(sw['rerun_queued'] == 0)}",
        f"- sending (separate task, `reminder_deliver`, locmem email backend): {sw['sent_ok']} of a sample of "
        f"{sw['sent_sample']} sent, {sw['mails']} mails in the outbox, {sw['send_s']:.2f} s "
        f"= {sw['send_per_s']:.0f} reminders/s in one process (outcomes: {sw['outcomes']})",
    ]
    rc = out["recheck"]
    lines += [
        "",
        "## 4. Bulk eligibility re-check",
        "",
        f"A program with {rc['size']:,} applications (eligible/ineligible, {rc['size']:,} distinct firms, COPY-ed "
        "with their history) and two rules (sector in 2/3 of the sectors, founded ≥ 3 years ago) set with "
        "`eligibility_rules_replace`; `program_recheck(program_id=…)` timed. The first run also moves the "
        "applications whose verdict flips; later runs only refresh results. Target ≥ 5,000 applications/s.",
        "",
        f"- statuses before: {rc['before']}; after: {rc['after']}",
        f"- runs: {', '.join(f'{r:.2f}' for r in rc['recheck'].runs)} s (first, with the moves: {rc['first_s']:.2f} s)",
        f"- median {rc['median_s']:.2f} s = **{rc['per_s']:,.0f} applications/s** "
        f"(first run {rc['size'] / rc['first_s']:,.0f}/s) — {_met(rc['met'])}",
    ]
    ap = out["approvals"]
    lines += [
        "",
        "## 5. Concurrent approvals over HTTP",
        "",
        "gunicorn `sme_support.wsgi -w 4 -k gthread --threads 8` on 127.0.0.1 with DEBUG off (long random "
        "SECRET_KEY, ALLOWED_HOSTS=127.0.0.1, SECURE_SSL_REDIRECT=false, API throttle lifted). A business "
        f"delegation with capacity {ap['capacity']}, {ap['requests']} applications under review from "
        f"{ap['requests']} firms, a policy that makes each approval apply directly (below the sign-off threshold); "
        f"{ap['requests']} `POST /api/v1/applications/<id>/approve/` with a manager's token, all at once from "
        f"{ap['requests']} threads. One run (it consumes the capacity).",
        "",
        f"- wall time: {ap['wall_s']:.2f} s",
        f"- status codes: {ap['statuses']} (0 = connection failure)",
        f"- approved in the database: {ap['approved']}, live allocations {ap['allocations']}, program.allocated "
        f"{ap['allocated']} — {_met(ap['approved'] == ap['capacity'])}",
        f"- 5xx / connection failures: {ap['server_errors']} — {_met(ap['server_errors'] == 0)}",
    ]
    tp = out["throughput"]
    lines += [
        "",
        "## 6. List endpoint throughput under gunicorn",
        "",
        f"`GET /api/v1/applications/?page_size=50` with a manager's token, same gunicorn; {tp['tool']}. No target "
        "was set; reported for capacity planning.",
        "",
        f"- {tp['rps']:.1f} requests/s, p50 {tp['p50_ms']:.1f} ms, p99 {tp['p99_ms']:.1f} ms, "
        f"{tp['requests']} requests, non-2xx: {tp['non_2xx']}",
    ]
    if tp.get("raw"):
        lines += ["", "```", tp["raw"].strip(), "```"]
    if out["explain"]:
        lines += ["", "## EXPLAIN ANALYZE of the main queries of missed or slow (p50 ≥ 300 ms) figures", ""]
        for name, (sql, plan) in out["explain"].items():
            lines += [f"### `{name}`", "", "```sql", sql, "```", "", "```", plan, "```", ""]
    return "\n".join(lines).rstrip() + "\n"


ANALYSIS_HEADING = "## What the figures mean"
EXPLAIN_HEADING = "## EXPLAIN ANALYZE"


def with_analysis(text: str, *, previous: Path) -> str:
    """``text`` with the hand-written analysis section of the ``previous`` results carried
    over (before the EXPLAIN output): a new run replaces the figures, not the reasoning about
    them, whose heading says when it was written."""
    old = previous.read_text() if previous.exists() else ""
    start = old.find(ANALYSIS_HEADING)
    if start < 0 or ANALYSIS_HEADING in text:
        return text
    end = old.find(EXPLAIN_HEADING, start)
    section = old[start : end if end >= 0 else len(old)].rstrip() + "\n\n"
    at = text.find(EXPLAIN_HEADING)
    return text.rstrip() + "\n\n" + section if at < 0 else text[:at] + section + text[at:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--firms", type=int, default=100_000)
    parser.add_argument("--applications", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure; the median is reported")
    parser.add_argument("--skip-generate", action="store_true", help="use the data set already in the database")
    parser.add_argument("--reminders", type=int, default=10_000, help="info requests made due for the sweep")
    parser.add_argument("--recheck-size", type=int, default=50_000)
    parser.add_argument("--approvals", type=int, default=200)
    parser.add_argument("--capacity", type=int, default=20)
    parser.add_argument("--wrk-seconds", type=int, default=30)
    parser.add_argument("--wrk-connections", type=int, default=8)
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--note", default="", help="a sentence about the run, printed under Data")
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        parser.error("set DATABASE_URL=postgres://… (the benchmarks need PostgreSQL; SQLite is refused)")
    if args.repeat < 1 or args.firms < 1 or args.applications < 1:
        parser.error("--repeat, --firms and --applications must be positive")
    setup()
    from django.core.management import call_command

    from bench.common import machine
    from bench.generate import generate

    call_command("migrate", verbosity=0)
    if args.skip_generate:
        generated = "not regenerated (`--skip-generate`): the data set already in the database"
    else:
        _say(f"generating {args.firms} firms, {args.applications} applications")
        result = generate(firms=args.firms, applications=args.applications, reset=True, log=_say)
        generated = f"generated in {result.seconds:.0f} s"
    out = run_all(
        repeat=args.repeat, reminders=args.reminders, recheck_size=args.recheck_size, approvals=args.approvals,
        capacity=args.capacity, wrk_seconds=args.wrk_seconds, wrk_connections=args.wrk_connections,
    )  # fmt: skip
    text = render(out, machine=machine(), repeat=args.repeat, args=args, generated=generated)
    args.output.write_text(with_analysis(text, previous=args.output))
    _say(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
