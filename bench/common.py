"""Shared pieces of the benchmarks: timing, the raw psycopg2 connection, benchmark users,
capturing the SQL a request runs, and the machine description for RESULTS.md."""

from __future__ import annotations

import os
import platform
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# Queries a request runs that are not part of the resource itself: session, user, groups,
# token lookups. The raw baselines re-run only the rest ("the same aggregate / the same rows").
_TRANSACTION = ("SAVEPOINT", "RELEASE SAVEPOINT")
_PLUMBING = ("django_session", "auth_user", "auth_group", "authtoken_token", *_TRANSACTION)

_DECLARE = re.compile(r"^DECLARE\s+\S+\s+(NO\s+)?(SCROLL\s+)?CURSOR\s+(WITH(OUT)?\s+HOLD\s+)?FOR\s+", re.I)


@dataclass
class Timing:
    """Wall times of repeated runs of one thing, in seconds."""

    runs: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def ms(self) -> float:
        return self.median * 1000


def timed(fn: Callable[[], Any], *, repeat: int, warmup: int = 1) -> tuple[Timing, Any]:
    """Run ``fn`` ``warmup`` times untimed, then ``repeat`` times; the last result is returned."""
    result = None
    for _ in range(warmup):
        result = fn()
    timing = Timing()
    for _ in range(max(1, repeat)):
        started = time.perf_counter()
        result = fn()
        timing.runs.append(time.perf_counter() - started)
    return timing, result


def paired(a: Callable[[], Any], b: Callable[[], Any], *, pairs: int, warmup: int = 3) -> tuple[Timing, Timing]:
    """Time ``a`` and ``b`` alternately, ``pairs`` times each.

    For figures of a few milliseconds whose ratio is the point: this machine's speed drifts
    by a factor of 1.5 between blocks of runs a few seconds apart, which two separate blocks
    would read as a difference between ``a`` and ``b``; alternating puts the drift on both.
    """
    for _ in range(warmup):
        a()
        b()
    ta, tb = Timing(), Timing()
    for _ in range(max(1, pairs)):
        started = time.perf_counter()
        a()
        ta.runs.append(time.perf_counter() - started)
        started = time.perf_counter()
        b()
        tb.runs.append(time.perf_counter() - started)
    return ta, tb


def settle(*tables: str) -> None:
    """VACUUM ANALYZE ``tables`` (all when none are named), as autovacuum would have long
    since done on a database that grew over years. Freshly COPY-ed rows have no hint bits and
    no visibility map, so the first queries over them would pay for writing both. Inside a
    transaction (the smoke tests), where VACUUM cannot run, only ANALYZE."""
    from django.db import connection

    names = ", ".join(f'"{t}"' for t in tables)
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
    with connection.cursor() as cur:
        cur.execute(f"{command} {names}".strip())


def raw_connection() -> Any:
    """A psycopg2 connection of its own (not Django's), autocommit, to the same database."""
    import psycopg2
    from django.db import connection

    params = connection.get_connection_params()
    conn = psycopg2.connect(**params)
    conn.autocommit = True
    return conn


def captured_sql(fn: Callable[[], Any], *, with_auth: bool = False) -> tuple[list[str], Any]:
    """The SQL ``fn`` runs through Django, each statement with its parameters bound (psycopg2
    mogrifies them, so the text is exactly what the server ran), minus session/auth plumbing
    (kept with ``with_auth``: the session, user and role lookups, not savepoints)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        result = fn()
    # A server-side cursor's query is captured as its DECLARE; the baseline runs the SELECT.
    sql = [_DECLARE.sub("", q["sql"]) for q in ctx.captured_queries]
    dropped = _TRANSACTION if with_auth else _PLUMBING
    return [s for s in sql if not any(p in s for p in dropped)], result


def query_count(fn: Callable[[], Any]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def bench_manager(*, username: str = "bench-manager") -> Any:
    """A manager account (created once) for the API benchmarks."""
    from django.contrib.auth.models import User

    from sme_support.roles import Role, agency_user_create

    user = User.objects.filter(username=username).first()
    return user or agency_user_create(username=username, email=f"{username}@bench.invalid", role=Role.MANAGER)


def firm_users_create(*, firm_ids: list[int], prefix: str = "bench-firm") -> dict[int, int]:
    """One active portal user per firm (in the SME staff group), created in bulk; firms that
    already have a member keep theirs. Returns {firm_id: user_id}."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group, User

    from firms.models import FirmMembership
    from sme_support.roles import Role

    existing = dict(FirmMembership.objects.filter(firm_id__in=firm_ids).values_list("firm_id", "user_id"))
    missing = [f for f in firm_ids if f not in existing]
    if missing:
        # A regenerated data set reuses firm ids, and its reset leaves the users of earlier
        # runs behind without their memberships: reuse those accounts rather than collide.
        names = {f: f"{prefix}-{f}" for f in missing}
        found = dict(User.objects.filter(username__in=names.values()).values_list("username", "pk"))
        unusable = make_password(None)
        created = User.objects.bulk_create(
            [
                User(username=names[f], email=f"{names[f]}@bench.invalid", password=unusable)
                for f in missing
                if names[f] not in found
            ],
            batch_size=2000,
        )
        found.update({u.username: u.pk for u in created})
        user_ids = {f: found[names[f]] for f in missing}
        FirmMembership.objects.bulk_create(
            [FirmMembership(firm_id=f, user_id=user_ids[f], role=FirmMembership.Role.OWNER) for f in missing],
            batch_size=2000,
        )
        group = Group.objects.get(name=Role.SME_STAFF)
        User.groups.through.objects.bulk_create(
            [User.groups.through(user_id=pk, group_id=group.pk) for pk in user_ids.values()],
            batch_size=2000,
            ignore_conflicts=True,
        )
        existing.update(user_ids)
    return existing


def _proc(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except OSError:
        return ""


def machine() -> dict[str, str]:
    """CPU model, cores and RAM from /proc; Python, Django and PostgreSQL versions."""
    import django
    from django.db import connection

    cpuinfo = _proc("/proc/cpuinfo")
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")), "")
    meminfo = _proc("/proc/meminfo")
    mem_kb = next((int(line.split()[1]) for line in meminfo.splitlines() if line.startswith("MemTotal")), 0)
    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        pg = cur.fetchone()[0]
    return {
        "CPU": model or platform.processor() or "unknown",
        "cores": str(os.cpu_count() or "unknown"),
        "RAM": f"{mem_kb / 1024 / 1024:.1f} GiB" if mem_kb else "unknown",
        "Python": platform.python_version(),
        "Django": django.get_version(),
        "PostgreSQL": pg,
        "OS": f"{platform.system()} {platform.release()}",
    }
