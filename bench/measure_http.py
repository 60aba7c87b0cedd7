"""Over real HTTP on loopback: 200 concurrent approvals against a capacity of 20, and the
list endpoint's throughput under wrk. Both against gunicorn started here with production
settings (DEBUG off), and only ever against 127.0.0.1."""

from __future__ import annotations

import collections
import http.client
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bench.measure_jobs import applications_copy, program_clone

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env() -> dict[str, str]:
    """Production-like settings for the server: DEBUG off with what that demands. The API's
    per-user throttle is lifted, or a load test measures the throttle's 429s."""
    from django.conf import settings
    from django.db import connection

    # The database this process actually uses (under pytest, the test database).
    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="") + (f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else "")
    url = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{quote(db['NAME'], safe='')}"
    return {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": url,
        "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", settings.CELERY_BROKER_URL),
        "API_THROTTLE_USER": "100000000/hour",
        "PYTHONUNBUFFERED": "1",
    }


@contextmanager
def gunicorn(*, workers: int = 4, threads: int = 8, log_dir: Path | None = None) -> Iterator[int]:
    """Start gunicorn on a free loopback port, wait until it answers, yield the port, stop it."""
    port = free_port()
    gunicorn_bin = Path(sys.executable).with_name("gunicorn")
    log = open((log_dir or Path("/tmp")) / f"bench-gunicorn-{port}.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [str(gunicorn_bin), "sme_support.wsgi", "-w", str(workers), "-k", "gthread", "--threads", str(threads),
         "-b", f"127.0.0.1:{port}", "--timeout", "120"],
        cwd=ROOT, env=server_env(), stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {proc.returncode}; see {log.name}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/api/v1/")
                conn.getresponse().read()
                conn.close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not answer within 60 s; see {log.name}") from None
                time.sleep(0.3)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def manager_token(user: Any) -> str:
    from rest_framework.authtoken.models import Token

    token, _ = Token.objects.get_or_create(user=user)
    return str(token.key)


def arrange_approvals(*, requests: int, capacity: int, manager: Any) -> tuple[Any, list[int]]:
    """A business delegation decided by officers as applications arrive, with ``capacity``
    seats and ``requests`` applications under review from as many firms, requesting one seat each. The policy values a seat at 1 KRW,
    so every approval is below the sign-off threshold and applies directly."""
    from applications.decisions.policy import decision_policy_set
    from firms.models import Firm
    from programs.models import ProgramKind, SelectionMode

    firm_ids = list(Firm.objects.order_by("-pk").values_list("pk", flat=True)[:requests])
    if len(firm_ids) < requests:
        raise SystemExit(f"The approval test needs {requests} firms; the data set has {len(firm_ids)}.")
    program = program_clone(
        code="bench-approvals", kind=ProgramKind.BUSINESS_DELEGATION, capacity=capacity, per_firm_cap=1,
        title_en="Bench delegation", title_ko="벤치 대표단", co_funding_share=None, eligible_expenses=[],
        subsidy_per_booth_krw=None, firm_fee_krw=None, selection_mode=SelectionMode.ROLLING,
    )  # fmt: skip
    decision_policy_set(program=program, actor=manager, value_per_unit_krw=1, sign_off_threshold_krw=10**12)
    ids = applications_copy(program=program, firm_ids=firm_ids, statuses=["under_review"] * requests, units=1)
    return program, ids


def _post(port: int, path: str, token: str, body: dict[str, Any]) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request(
            "POST", path, body=json.dumps(body),
            headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        )  # fmt: skip
        response = conn.getresponse()
        response.read()
        return response.status
    except OSError:
        return 0  # connection-level failure, counted apart from HTTP statuses
    finally:
        conn.close()


def measure_approvals(*, port: int, manager: Any, requests: int = 200, capacity: int = 20) -> dict[str, Any]:
    """Fire ``requests`` approve POSTs at once from as many threads; count what the database
    says was approved."""
    from applications.models import Allocation, Application
    from applications.workflow import Status

    program, ids = arrange_approvals(requests=requests, capacity=capacity, manager=manager)
    token = manager_token(manager)
    body = {"units": 1, "reason": "Selected for the delegation."}
    with ThreadPoolExecutor(max_workers=requests) as pool:
        started = time.perf_counter()
        statuses = list(pool.map(lambda pk: _post(port, f"/api/v1/applications/{pk}/approve/", token, body), ids))
        wall = time.perf_counter() - started
    approved = Application.objects.filter(program=program, status=Status.APPROVED).count()
    live = Allocation.objects.filter(program=program, released_at=None).count()
    program.refresh_from_db()
    histogram = dict(sorted(collections.Counter(statuses).items()))
    server_errors = sum(n for code, n in histogram.items() if code >= 500 or code == 0)
    return {
        "requests": requests,
        "capacity": capacity,
        "wall_s": wall,
        "statuses": histogram,
        "approved": approved,
        "allocations": live,
        "allocated": program.allocated,
        "server_errors": server_errors,
        "met": approved == capacity == live == program.allocated and server_errors == 0,
    }


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def measure_throughput(*, port: int, token: str, seconds: int = 30, connections: int = 8) -> dict[str, Any]:
    """wrk against the 50-row list page; falls back to a bounded Python load generator."""
    url = f"http://127.0.0.1:{port}/api/v1/applications/?page_size=50"
    wrk = shutil.which("wrk")
    if wrk:
        out = subprocess.run(
            [wrk, "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s", "--latency",
             "-H", f"Authorization: Token {token}", url],
            capture_output=True, text=True, timeout=seconds + 60, check=True,
        ).stdout  # fmt: skip
        lat = {m[0]: _ms(m[1], m[2]) for m in re.findall(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)}
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
        non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
        total = re.search(r"(\d+) requests in", out)
        return {
            "tool": f"wrk, 2 threads, {connections} connections, {seconds} s",
            "p50_ms": lat.get("50"),
            "p99_ms": lat.get("99"),
            "rps": rps,
            "requests": int(total.group(1)) if total else None,
            "non_2xx": int(non2xx.group(1)) if non2xx else 0,
            "raw": out,
        }
    return _python_load(port=port, token=token, seconds=seconds, connections=connections)


def _python_load(*, port: int, token: str, seconds: int, connections: int) -> dict[str, Any]:
    import statistics

    path = "/api/v1/applications/?page_size=50"
    deadline = time.monotonic() + seconds

    def worker() -> tuple[list[float], int]:
        times, bad = [], 0
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < deadline:
            started = time.perf_counter()
            conn.request("GET", path, headers={"Authorization": f"Token {token}"})
            response = conn.getresponse()
            response.read()
            times.append((time.perf_counter() - started) * 1000)
            bad += response.status != 200
        conn.close()
        return times, bad

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=connections) as pool:
        results = list(pool.map(lambda _: worker(), range(connections)))
    wall = time.perf_counter() - started
    times = sorted(t for r in results for t in r[0])
    return {
        "tool": f"Python threads (wrk not installed), {connections} connections, {seconds} s",
        "p50_ms": statistics.median(times),
        "p99_ms": times[int(len(times) * 0.99) - 1],
        "rps": len(times) / wall,
        "requests": len(times),
        "non_2xx": sum(r[1] for r in results),
        "raw": "",
    }
