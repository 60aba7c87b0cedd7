"""Fill PostgreSQL with agency-scale data: ``python -m bench.generate --firms 100000 --applications 1000000``.

Rows are streamed to PostgreSQL with COPY in chunks, never saved one by one through the ORM,
so a million applications with their history take minutes, not hours. The data is skewed
the way an agency's is: most firms are micro firms in Seoul and Gyeonggi, a few firms apply
to many calls, old calls are decided and reported, this year's are still moving.

Invariants the rest of the system relies on hold for the generated data too: every
application's status is the last ``to_status`` of its history; a program's ``allocated``
equals the units of its live allocations and never exceeds its capacity; one live
application per firm and program.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

# Paths of statuses through the workflow: the transitions, in order, that lead to each.
_SCREENED = [("submit", "draft", "submitted"), ("start_screening", "submitted", "screening")]
_ELIGIBLE = [*_SCREENED, ("mark_eligible", "screening", "eligible")]
_REVIEW = [*_ELIGIBLE, ("start_review", "eligible", "under_review")]
_APPROVED = [*_REVIEW, ("approve", "under_review", "approved")]
PATHS: dict[str, list[tuple[str, str, str]]] = {
    "draft": [],
    "submitted": _SCREENED[:1],
    "screening": _SCREENED,
    "eligible": _ELIGIBLE,
    "ineligible": [*_SCREENED, ("mark_ineligible", "screening", "ineligible")],
    "under_review": _REVIEW,
    "info_requested": [*_REVIEW, ("request_info", "under_review", "info_requested")],
    "approved": _APPROVED,
    "waitlisted": [*_REVIEW, ("waitlist", "under_review", "waitlisted")],
    "rejected": [*_REVIEW, ("reject", "under_review", "rejected")],
    "withdrawn": [*_ELIGIBLE, ("withdraw", "eligible", "withdrawn")],
    "cancelled": [*_APPROVED, ("cancel", "approved", "cancelled")],
    "completed": [*_APPROVED, ("complete", "approved", "completed")],
}
ACTOR_KIND = {
    "submit": "firm",
    "withdraw": "firm",
    "answer_info": "firm",
    "start_screening": "system",
    "mark_eligible": "system",
    "mark_ineligible": "system",
}
# Calls already closed are mostly decided; this year's are still in progress.
PAST_STATUS_WEIGHTS = {
    "approved": 10, "completed": 16, "rejected": 26, "waitlisted": 5, "ineligible": 12,
    "withdrawn": 8, "cancelled": 2, "under_review": 1, "eligible": 1,
}  # fmt: skip
CURRENT_STATUS_WEIGHTS = {
    "draft": 18, "submitted": 4, "screening": 2, "eligible": 22, "ineligible": 9, "under_review": 22,
    "info_requested": 8, "approved": 6, "waitlisted": 3, "rejected": 3, "withdrawn": 4,
}  # fmt: skip
LIVE_ALLOCATION = {"approved", "completed"}
RELEASED_ALLOCATION = {"cancelled"}

SECTOR_WEIGHTS = {
    "games": 14, "design": 14, "ict_services": 12, "content_solutions": 10, "music": 7, "broadcasting": 5,
    "film": 5, "animation": 5, "character": 5, "publishing": 5, "comics": 4, "advertising": 4,
    "architecture": 4, "knowledge_information": 3, "rnd_services": 3,
}  # fmt: skip
REGION_WEIGHTS = {
    "seoul": 45, "gyeonggi": 20, "busan": 6, "incheon": 4, "daegu": 3, "daejeon": 3, "gwangju": 3, "ulsan": 1,
    "sejong": 1, "gangwon": 2, "chungbuk": 2, "chungnam": 2, "jeonbuk": 2, "jeonnam": 1, "gyeongbuk": 2,
    "gyeongnam": 2, "jeju": 1,
}  # fmt: skip
MARKETS = ["US", "JP", "CN", "VN", "ID", "TH", "FR", "DE", "GB", "AE", "SA", "MX", "BR", "IN", "PH", "MY", "SG", "TW"]
KIND_WEIGHTS = {"export_funding": 40, "trade_show": 35, "business_delegation": 25}
SYLLABLES_KO = ["한", "빛", "누", "리", "다", "온", "새", "봄", "솔", "별", "하", "늘", "가", "람", "아", "름"]
SYLLABLES_EN = ["Han", "Bit", "Nu", "Ri", "Da", "On", "Sae", "Bom", "Sol", "Byeol", "Ha", "Neul", "Ga", "Ram"]
WORDS = [("디자인", "Design"), ("스튜디오", "Studio"), ("게임즈", "Games"), ("미디어", "Media"), ("랩", "Lab")]
BRN_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)
SEOUL = dt.timezone(dt.timedelta(hours=9))


def brn_for(n: int) -> str:
    """A valid, unique business registration number for sequence number ``n``."""
    first = f"{n + 100_000_000:09d}"[-9:]
    digits = [int(c) for c in first]
    total = sum(d * w for d, w in zip(digits, BRN_WEIGHTS, strict=True)) + (digits[8] * 5) // 10
    return first + str((10 - total % 10) % 10)


def _weighted(rng: random.Random, weights: dict[str, int]) -> Iterator[str]:
    keys, cum = list(weights), list(weights.values())
    while True:
        yield from rng.choices(keys, weights=cum, k=4096)


def _text(value: Any) -> str:
    """One field in PostgreSQL's COPY text format."""
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


@dataclass
class Copier:
    """COPY rows into one model's table in chunks, filling columns the generator doesn't
    know about with the field's default (so new model fields don't break the generator)."""

    model: Any
    columns: Sequence[str]
    cursor: Any
    chunk: int = 50_000
    rows: int = 0
    _buffer: list[str] = field(default_factory=list)
    _extra: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        import json

        given = set(self.columns)
        for f in self.model._meta.concrete_fields:
            if f.column in given or f.primary_key:
                continue
            default = f.get_default()
            if isinstance(default, list | dict):
                default = json.dumps(default)
            self._extra.append((f.column, _text(default)))

    def add(self, row: Iterable[Any]) -> None:
        fields = [_text(v) for v in row]
        fields.extend(v for _, v in self._extra)
        self._buffer.append("\t".join(fields))
        if len(self._buffer) >= self.chunk:
            self.flush()

    def flush(self) -> None:
        if not self._buffer:
            return
        table = self.model._meta.db_table
        cols = ", ".join(f'"{c}"' for c in [*self.columns, *(c for c, _ in self._extra)])
        data = io.StringIO("\n".join(self._buffer) + "\n")
        self.cursor.copy_expert(f'COPY "{table}" ({cols}) FROM STDIN', data)
        self.rows += len(self._buffer)
        self._buffer.clear()


def _next_id(cursor: Any, model: Any) -> int:
    cursor.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{model._meta.db_table}"')
    return int(cursor.fetchone()[0])


def _reset_sequences(cursor: Any, models: Iterable[Any]) -> None:
    for model in models:
        table = model._meta.db_table
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), COALESCE((SELECT MAX(id) FROM \"{table}\"), 1))"
        )


@dataclass
class Generated:
    firms: int = 0
    programs: int = 0
    applications: int = 0
    history: int = 0
    allocations: int = 0
    outcome_reports: int = 0
    seconds: float = 0.0
    by_status: dict[str, int] = field(default_factory=dict)


def generate(
    *,
    firms: int,
    applications: int,
    seed: int = 2026,
    programs_per_year: int = 60,
    years: int = 10,
    reset: bool = False,
    log: Any = None,
) -> Generated:
    """Generate the data set; returns counts. Needs PostgreSQL (COPY)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from applications.models import Allocation, Application, OutcomeFollowUp, OutcomeReport, StatusChange
    from bench.common import settle
    from firms.models import Firm
    from firms.services.registry import firms_rederive_all
    from programs.models import Program

    if connection.vendor != "postgresql":
        raise SystemExit("bench.generate needs PostgreSQL: set DATABASE_URL=postgres://…")
    say = log or (lambda msg: None)
    rng = random.Random(seed)
    started = time.perf_counter()
    out = Generated()
    M2M_markets = Firm.markets_of_interest.through
    M2M_targets = Program.target_countries.through
    M2M_new_countries = OutcomeReport.new_countries.through
    models_with_ids = [Firm, Program, Application, StatusChange, Allocation, OutcomeReport, M2M_markets, M2M_targets,
                       M2M_new_countries, OutcomeFollowUp]  # fmt: skip

    with transaction.atomic(), connection.cursor() as cur:
        if reset:
            tables = ", ".join(
                f'"{m._meta.db_table}"' for m in (StatusChange, Allocation, OutcomeReport, Application, Program, Firm)
            )
            cur.execute(f"TRUNCATE {tables} CASCADE")

        # 1. Firms: micro firms dominate; revenue follows employees.
        firm_start = _next_id(cur, Firm)
        brn_start = firm_start + seed * 1_000_003 % 500_000_000
        sectors, regions = _weighted(rng, SECTOR_WEIGHTS), _weighted(rng, REGION_WEIGHTS)
        now = timezone.now()
        fc = Copier(
            Firm,
            ["id", "brn", "name_ko", "name_en", "region", "founded_on", "employees", "annual_revenue_krw",
             "exports_last_year_usd", "sector", "size_class", "export_tier", "created_at", "updated_at"],
            cur,
        )  # fmt: skip
        mc = Copier(M2M_markets, ["id", "firm_id", "country_id"], cur)
        market_id = _next_id(cur, M2M_markets)
        firm_ids = range(firm_start, firm_start + firms)
        for i, fid in enumerate(firm_ids):
            employees = max(1, int(rng.lognormvariate(1.9, 1.0)))
            revenue = int(employees * 120_000_000 * rng.lognormvariate(0, 0.6))
            exports = 0 if rng.random() < 0.4 else int(rng.lognormvariate(11.5, 1.6))
            syl = "".join(rng.choice(SYLLABLES_KO) for _ in range(2))
            word_ko, word_en = rng.choice(WORDS)
            name_en = "".join(rng.choice(SYLLABLES_EN) for _ in range(2))
            fc.add(
                [fid, brn_for(brn_start + i), f"{syl}{word_ko} {i}", f"{name_en} {word_en} {i}", next(regions),
                 dt.date(2000 + rng.randrange(25), 1 + rng.randrange(12), 1 + rng.randrange(28)), employees,
                 revenue, exports, next(sectors), "micro", "domestic", now, now]
            )  # fmt: skip
            for country in rng.sample(MARKETS, k=rng.randint(1, 3)):
                mc.add([market_id, fid, country])
                market_id += 1
        fc.flush()
        mc.flush()
        out.firms = fc.rows
        say(f"firms: {fc.rows}")

        # 2. Programs: `years` fiscal years up to this one.
        this_year = timezone.localdate().year
        prog_start = _next_id(cur, Program)
        kinds = _weighted(rng, KIND_WEIGHTS)
        programs: list[dict[str, Any]] = []
        for y in range(this_year - years + 1, this_year + 1):
            for n in range(programs_per_year):
                kind = next(kinds)
                opens = dt.datetime(y, 1 + rng.randrange(10), 1 + rng.randrange(28), 9, tzinfo=SEOUL)
                closes = opens + dt.timedelta(days=rng.randint(20, 45))
                if y == this_year:
                    # This year's calls: open now, so their applications can still move.
                    opens = now - dt.timedelta(days=rng.randint(5, 40))
                    closes = now + dt.timedelta(days=rng.randint(3, 40))
                cap = {"export_funding": 50_000_000, "trade_show": 2, "business_delegation": 1}[kind]
                programs.append(
                    {
                        "id": prog_start + len(programs), "kind": kind, "year": y, "opens": opens, "closes": closes,
                        "per_firm_cap": cap, "allocated": 0, "code": f"bench-{seed}-{y}-{n}",
                    }
                )  # fmt: skip
        weights = [rng.paretovariate(1.5) for _ in programs]
        scale = applications / sum(weights)
        quotas = [min(firms, max(1, int(w * scale))) for w in weights]
        # Rounding: hand the remainder to the largest calls until the total is exact.
        order = sorted(range(len(programs)), key=lambda k: -quotas[k])
        k = 0
        while sum(quotas) < applications and any(q < firms for q in quotas):
            j = order[k % len(order)]
            if quotas[j] < firms:
                quotas[j] += 1
            k += 1
        while sum(quotas) > applications:
            j = order[k % len(order)]
            if quotas[j] > 1:
                quotas[j] -= 1
            k += 1

        # 3. Applications with their history, allocations and outcome reports.
        ac = Copier(
            Application,
            ["id", "program_id", "firm_id", "status", "requested_units", "receipt_number", "created_at",
             "updated_at", "submitted_at", "decided_at", "status_changed_at", "decision_reason"],
            cur,
        )  # fmt: skip
        hc = Copier(StatusChange, ["id", "application_id", "transition", "from_status", "to_status",
                                   "actor_kind", "at", "note"], cur)  # fmt: skip
        alc = Copier(Allocation, ["id", "application_id", "program_id", "units", "granted_at", "released_at"], cur)
        oc = Copier(
            OutcomeReport,
            ["id", "application_id", "status", "due_on", "buyer_meetings", "consultation_usd", "contracts_usd",
             "ip_filed", "submitted_at"],
            cur,
        )  # fmt: skip
        ncc = Copier(M2M_new_countries, ["id", "outcomereport_id", "country_id"], cur)
        fc = Copier(OutcomeFollowUp, ["id", "report_id", "months", "due_on", "contracts_usd", "note", "status",
                                      "submitted_at"], cur)  # fmt: skip
        new_country_id, followup_id = _next_id(cur, M2M_new_countries), _next_id(cur, OutcomeFollowUp)
        app_id, hist_id = _next_id(cur, Application), _next_id(cur, StatusChange)
        alloc_id, report_id = _next_id(cur, Allocation), _next_id(cur, OutcomeReport)
        past, current = _weighted(rng, PAST_STATUS_WEIGHTS), _weighted(rng, CURRENT_STATUS_WEIGHTS)
        by_status: dict[str, int] = {}
        for program, quota in zip(programs, quotas, strict=True):
            statuses = current if program["year"] == this_year else past
            chosen: set[int] = set()
            while len(chosen) < quota:
                # Squaring the uniform draw favours low ids: some firms apply again and again.
                chosen.add(firm_start + int(firms * rng.random() ** 2))
            window = (min(program["closes"], now) - program["opens"]).total_seconds()
            for fid in chosen:
                status = next(statuses)
                by_status[status] = by_status.get(status, 0) + 1
                cap = program["per_firm_cap"]
                units = cap if cap <= 2 else rng.randrange(5, 51) * 1_000_000
                units = min(units, cap)
                created = program["opens"] + dt.timedelta(seconds=rng.random() * window * 0.9)
                path = PATHS[status]
                times, t = [], created
                for name, _src, _dst in path:
                    t = t + dt.timedelta(hours=rng.randint(1, 24 * (6 if name in ("start_review", "approve") else 1)))
                    times.append(t)
                if times and times[-1] > now:
                    # This year's history must end before now: squeeze it, keeping its order.
                    squeeze = (now - created) / (times[-1] - created) * 0.95
                    times = [created + (x - created) * squeeze for x in times]
                t = times[-1] if times else created
                submitted = decided = None
                for (name, src, dst), t in zip(path, times, strict=True):
                    if name == "submit":
                        submitted = t
                    if dst in ("approved", "waitlisted", "rejected") and decided is None:
                        decided = t
                    hc.add([hist_id, app_id, name, src, dst, ACTOR_KIND.get(name, "officer"), t, ""])
                    hist_id += 1
                t = times[-1] if times else created
                receipt = f"R{program['year']}-{app_id:07d}" if submitted else None
                ac.add([app_id, program["id"], fid, status, units, receipt, created, t, submitted, decided, t,
                        "Decided on the call's criteria." if decided else ""])  # fmt: skip
                if status in LIVE_ALLOCATION or status in RELEASED_ALLOCATION:
                    released = t if status in RELEASED_ALLOCATION else None
                    alc.add([alloc_id, app_id, program["id"], units, decided, released])
                    alloc_id += 1
                    if released is None:
                        program["allocated"] += units
                if status == "completed" or (status == "approved" and program["kind"] != "export_funding"):
                    accepted = status == "completed"
                    due = (decided or t).date() + dt.timedelta(days=60)
                    meetings = rng.randint(0, 40)
                    oc.add([report_id, app_id, "accepted" if accepted else rng.choice(["draft", "submitted"]), due,
                            meetings, meetings * rng.randint(0, 90_000), int(rng.random() ** 3 * 2_000_000),
                            rng.randint(0, 2), t if accepted else None])  # fmt: skip
                    if accepted:
                        # New markets the firm entered (none for most), and the 6- and 12-month
                        # follow-ups: each filed and accepted once its due day has passed.
                        for code in rng.sample(MARKETS, k=min(len(MARKETS), int(rng.random() ** 2 * 3))):
                            ncc.add([new_country_id, report_id, code])
                            new_country_id += 1
                        signed = 0
                        for months in (6, 12):
                            follow_due = due + dt.timedelta(days=30 * months)
                            filed = follow_due < now.date()
                            signed += int(rng.random() ** 3 * 1_000_000) if filed else 0
                            fc.add([followup_id, report_id, months, follow_due, signed, "",
                                    "accepted" if filed else "draft", t if filed else None])  # fmt: skip
                            followup_id += 1
                    report_id += 1
                app_id += 1
        for c in (ac, hc, alc, oc, ncc, fc):
            c.flush()
        out.applications, out.history, out.allocations, out.outcome_reports = ac.rows, hc.rows, alc.rows, oc.rows
        out.by_status = by_status
        say(f"applications: {ac.rows}, history: {hc.rows}, allocations: {alc.rows}, reports: {oc.rows}")

        # Programs last: their capacity is what the calls actually granted plus some slack,
        # so allocated ≤ capacity holds as the check constraint demands.
        pc = Copier(
            Program,
            ["id", "code", "kind", "title_ko", "title_en", "fiscal_year", "opens_at", "closes_at", "capacity",
             "allocated", "per_firm_cap", "selection_mode", "target_sectors", "co_funding_share",
             "eligible_expenses", "event_name", "event_city", "event_country_id", "event_starts_on",
             "event_ends_on", "subsidy_per_booth_krw", "firm_fee_krw", "created_at"],
            cur,
        )  # fmt: skip
        tc = Copier(M2M_targets, ["id", "program_id", "country_id"], cur)
        target_id = _next_id(cur, M2M_targets)
        cur.execute("SET CONSTRAINTS ALL DEFERRED")
        for p in programs:
            funding = p["kind"] == "export_funding"
            slack = 500_000_000 if funding else 10
            country = rng.choice(MARKETS)
            event_day = p["closes"].date() + dt.timedelta(days=60)
            pc.add(
                [p["id"], p["code"], p["kind"], f"{p['year']} 벤치 사업 {p['id']}", f"{p['year']} bench call {p['id']}",
                 p["year"], p["opens"], p["closes"], p["allocated"] + slack, p["allocated"], p["per_firm_cap"],
                 "ranked" if rng.random() < 0.8 else "fcfs", "[]", 30 if funding else None,
                 '["market_research", "translation"]' if funding else "[]",
                 "" if funding else f"Bench Expo {p['id']}", "" if funding else "Ho Chi Minh City",
                 None if funding else country, None if funding else event_day,
                 None if funding else event_day + dt.timedelta(days=3),
                 8_000_000 if p["kind"] == "trade_show" else None, 2_000_000 if p["kind"] == "trade_show" else None,
                 now]
            )  # fmt: skip
            for code in rng.sample(MARKETS, k=rng.randint(1, 3)):
                tc.add([target_id, p["id"], code])
                target_id += 1
        pc.flush()
        tc.flush()
        out.programs = pc.rows
        _reset_sequences(cur, models_with_ids)

    # Derive size classes and export tiers the same way the app does, set-based.
    firms_rederive_all()
    settle()
    out.seconds = time.perf_counter() - started
    say(f"done in {out.seconds:.1f} s")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--firms", type=int, default=100_000)
    parser.add_argument("--applications", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reset", action="store_true", help="delete existing firms, programs and applications first")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sme_support.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    result = generate(
        firms=args.firms,
        applications=args.applications,
        seed=args.seed,
        reset=args.reset,
        log=lambda m: print(m, file=sys.stderr),
    )
    print(
        f"{result.firms} firms, {result.programs} programs, {result.applications} applications, "
        f"{result.history} history rows, {result.allocations} allocations, "
        f"{result.outcome_reports} outcome reports in {result.seconds:.1f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
