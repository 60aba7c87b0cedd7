"""Every benchmark measurement once, at smoke size, so ``make bench`` never rots.

No timing assertions: the figures depend on the machine. What is asserted is the shape of
what each measurement returns and the correctness checks the benchmark reports: exactly the
capacity approved under concurrent requests, and a repeated reminder sweep queuing nothing.
"""

from __future__ import annotations

import shutil

import pytest
from django.contrib.auth.models import User

from applications.models import Application, InfoRequest
from applications.workflow import Status
from bench import measure_api, measure_http, measure_jobs
from bench.common import bench_manager, firm_users_create, machine
from bench.generate import generate
from bench.run import data_size, render
from firms.models import Firm

# gunicorn must see the rows, so the data is committed (and flushed after the test).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(180)]


@pytest.fixture
def dataset() -> None:
    generate(firms=300, applications=1000, programs_per_year=6, years=3, seed=11)


def test_every_measurement_at_smoke_size(dataset: None) -> None:
    manager = bench_manager()
    firm_id = Firm.objects.order_by("pk").values_list("pk", flat=True)[0]
    firm_user = User.objects.get(pk=firm_users_create(firm_ids=[firm_id])[firm_id])

    stats = measure_api.measure_stats(manager=manager, repeat=1)
    assert [s["url"].split("?")[0] for s in stats] == [
        "/api/v1/stats/applications/",
        "/api/v1/stats/applications/",
        "/api/v1/stats/outcomes/",
    ]
    for s in stats:
        assert s["groups"] >= 1 and s["queries"] >= 1 and s["sql"]
        assert s["endpoint_ms"] > 0 and s["raw_ms"] > 0 and s["ratio"] > 0
        # The raw SQL returns the same groups the endpoint listed.
        assert s["raw_rows"] == s["groups"]

    listing = measure_api.measure_list(manager=manager, firm_user=firm_user, repeat=1)
    assert [item["who"] for item in listing] == ["manager", "firm user"]
    manager_row, firm_row = listing
    assert manager_row["count"] == 1000 and manager_row["rows"] == manager_row["raw_rows"] == 50
    assert firm_row["count"] == Application.objects.filter(firm_id=firm_id).count()
    assert firm_row["rows"] == firm_row["raw_rows"] == min(50, firm_row["count"])
    for item in listing:
        assert item["queries_page_1"] == item["queries_page_50"]
        # The same page against every statement it ran, auth lookups included.
        assert item["raw_all_ms"] > 0 and item["ratio_all"] > 0

    arranged = measure_jobs.arrange_info_requests(count=20, officer=manager)
    assert len(arranged) == 20
    assert InfoRequest.objects.filter(application_id__in=arranged, answered_at=None).count() == 20
    assert Application.objects.filter(pk__in=arranged, status=Status.INFO_REQUESTED).count() == 20
    sweep = measure_jobs.measure_sweep(repeat=2, sample=5)
    assert sweep["queued"] >= 20  # at least one info reminder each, plus whatever else is due for those firms
    assert sweep["rerun_queued"] == 0
    assert len(sweep["sweep"].runs) == 2
    assert sweep["sent_sample"] == sweep["sent_ok"] == sweep["mails"] == 5

    recheck = measure_jobs.measure_recheck(size=200, repeat=2)
    assert recheck["checked"] == [200, 200]
    assert sum(recheck["before"].values()) == sum(recheck["after"].values()) == 200
    assert recheck["per_s"] > 0

    with measure_http.gunicorn(workers=2, threads=8) as port:
        approvals = measure_http.measure_approvals(port=port, manager=manager, requests=20, capacity=5)
        assert approvals["approved"] == approvals["allocations"] == approvals["allocated"] == 5
        assert approvals["server_errors"] == 0
        assert approvals["statuses"].get(200) == 5
        assert sum(approvals["statuses"].values()) == 20
        assert approvals["met"]

        throughput = measure_http.measure_throughput(
            port=port, token=measure_http.manager_token(manager), seconds=1, connections=2
        )
        assert throughput["requests"] > 0 and throughput["non_2xx"] == 0
        assert throughput["rps"] > 0 and throughput["p50_ms"] > 0
        assert throughput["tool"].startswith("wrk" if shutil.which("wrk") else "Python")

    out = {
        "size": data_size(),
        "stats": stats,
        "list": listing,
        "reminder_items": len(arranged),
        "sweep": sweep,
        "recheck": recheck,
        "approvals": approvals,
        "throughput": throughput,
        "explain": {},
    }

    class Args:
        firms, applications = 300, 1000

    text = render(out, machine=machine(), repeat=1, args=Args(), generated="smoke")  # type: ignore[arg-type]
    assert text.startswith("# Benchmark results")
    for heading in ("## 1.", "## 2.", "## 3.", "## 4.", "## 5.", "## 6."):
        assert heading in text


def test_a_new_run_keeps_the_hand_written_analysis(tmp_path) -> None:
    from bench.run import with_analysis

    previous = tmp_path / "RESULTS.md"
    previous.write_text(
        "# Benchmark results\n\nold figures\n\n## What the figures mean (by hand)\n\nwhy it missed\n\n"
        "## EXPLAIN ANALYZE of the main queries\n\nold plans\n"
    )
    new = "# Benchmark results\n\nnew figures\n\n## EXPLAIN ANALYZE of the main queries\n\nnew plans\n"
    merged = with_analysis(new, previous=previous)
    assert merged == (
        "# Benchmark results\n\nnew figures\n\n## What the figures mean (by hand)\n\nwhy it missed\n\n"
        "## EXPLAIN ANALYZE of the main queries\n\nnew plans\n"
    )
    # Nothing to carry over: the run's own text; no EXPLAIN section: the analysis goes last.
    assert with_analysis(new, previous=tmp_path / "missing.md") == new
    assert with_analysis("figures\n", previous=previous).endswith("why it missed\n\n")
