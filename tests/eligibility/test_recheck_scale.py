"""The bulk re-check is set-based: its query count grows with the number of batches, never
with the number of applications or rules. 10,000 applications are created with bulk_create
and re-checked against a rule set that needs every kind of fact (markets, IP, documents,
prior approvals, overdue reports)."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications.eligibility.recheck import program_recheck
from applications.models import Application, ApplicationDocument, OutcomeReport
from applications.workflow import Status
from firms.models import ExportTier, Firm, IPHolding, Region, Sector, SizeClass
from programs.services import eligibility_rules_replace
from tests.factories import ProgramFactory, make_brn

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

BATCH = 1000
FIRMS = 10_000
RULES = [
    {"rule_type": "employees_range", "params": {"max": 15}},
    {"rule_type": "min_years_since_founding", "params": {"years": 1}},
    {"rule_type": "required_documents", "params": {"doc_types": ["export_plan"]}},
    {"rule_type": "target_country_in_markets", "params": {}},
    {"rule_type": "ip_registered_in_target", "params": {"kinds": ["trademark", "patent"]}},
    {"rule_type": "max_prior_approvals", "params": {"max": 5, "years": 3}},
    {"rule_type": "no_overdue_outcome_report", "params": {}},
    {"rule_type": "per_firm_cap", "params": {"default": 20_000_000, "by_export_tier": {"starter": 10_000_000}}},
    {"rule_type": "export_tier_in", "params": {"tiers": ["starter", "promising"]}},
]
# Every batch mixes verdicts that stay, flip either way, or only refresh.
STATUSES = [Status.ELIGIBLE, Status.INELIGIBLE, Status.ELIGIBLE, Status.UNDER_REVIEW]


def _firms() -> list[Firm]:
    firms = Firm.objects.bulk_create(
        Firm(
            brn=make_brn(1_000_000 + i),
            name_ko=f"기업 {i}",
            name_en=f"Firm {i}",
            region=Region.SEOUL,
            founded_on=dt.date(2015, 1, 1),
            employees=1 + (i * 7) % 30,
            annual_revenue_krw=1_000_000_000,
            exports_last_year_usd=50_000,
            sector=Sector.DESIGN,
            size_class=SizeClass.SMALL,
            export_tier=ExportTier.STARTER,
        )
        for i in range(FIRMS)
    )
    through = Firm.markets_of_interest.through
    through.objects.bulk_create(through(firm_id=f.pk, country_id="JP" if i % 2 else "US") for i, f in enumerate(firms))
    IPHolding.objects.bulk_create(
        IPHolding(firm=f, kind=IPHolding.Kind.TRADEMARK, country_id="JP", registration_number=f"T{i}")
        for i, f in enumerate(firms)
        if i % 3
    )
    # Earlier support: an approval for every tenth firm, half of them with an overdue report.
    past = ProgramFactory(fiscal_year=2025)
    approved = Application.objects.bulk_create(
        Application(
            program=past,
            firm=f,
            requested_units=1_000_000,
            status=Status.COMPLETED,
            decided_at=dt.datetime(2025, 3, 1, tzinfo=dt.UTC),
        )
        for f in firms[::10]
    )
    OutcomeReport.objects.bulk_create(
        OutcomeReport(application=a, due_on=dt.date(2026, 1, 31), status=OutcomeReport.ReportStatus.DRAFT)
        for a in approved[::2]
    )
    return firms


def _program_with(firms: list[Firm], count: int):
    program = ProgramFactory()
    program.target_countries.set(["JP", "FR"])
    eligibility_rules_replace(program=program, rules=RULES)
    applications = Application.objects.bulk_create(
        Application(
            program=program,
            firm=f,
            requested_units=10_000_000,
            status=STATUSES[i % len(STATUSES)],
            eligibility_rules_version=0,
        )
        for i, f in enumerate(firms[:count])
    )
    ApplicationDocument.objects.bulk_create(
        ApplicationDocument(
            application=a,
            doc_type="export_plan",
            file="applications/x.pdf",
            original_name="plan.pdf",
            content_type="application/pdf",
            size=1,
        )
        for i, a in enumerate(applications)
        if i % 5
    )
    return program


def _recheck(program) -> tuple[int, int, float, float]:
    with CaptureQueriesContext(connection) as queries:
        started, cpu = time.perf_counter(), time.process_time()
        checked = program_recheck(program_id=program.pk, batch_size=BATCH)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    return checked, len(queries.captured_queries), elapsed, cpu


def test_recheck_query_count_grows_with_batches_not_applications(django_assert_max_num_queries, capsys):
    firms = _firms()
    one_batch = _program_with(firms, 1_000)
    two_batches = _program_with(firms, 2_000)
    ten_batches = _program_with(firms, 10_000)

    checked_1k, queries_1k, _, _ = _recheck(one_batch)
    checked_2k, queries_2k, _, _ = _recheck(two_batches)
    per_batch = queries_2k - queries_1k
    # Ids, lock+load, five kinds of facts, results, two status moves, history, savepoints.
    assert per_batch <= 14, per_batch
    with django_assert_max_num_queries(queries_1k + 9 * per_batch):
        checked_10k, queries_10k, elapsed, cpu = _recheck(ten_batches)

    assert (checked_1k, checked_2k, checked_10k) == (1_000, 2_000, 10_000)
    assert queries_10k - queries_1k == 9 * per_batch

    # Everything was judged under the current rules, and every flip left one history row.
    rechecked = Application.objects.filter(program=ten_batches)
    assert not rechecked.exclude(eligibility_rules_version=1).exists()
    flipped = rechecked.filter(history__transition__in=["recheck_eligible", "recheck_ineligible"]).count()
    assert flipped > 0
    assert rechecked.filter(status=Status.UNDER_REVIEW).count() == 2_500
    assert not rechecked.filter(status=Status.UNDER_REVIEW, history__isnull=False).exists()
    eligible = rechecked.filter(status=Status.ELIGIBLE).first()
    assert all(r["passed"] for r in eligible.eligibility_results)

    with capsys.disabled():
        print(
            f"\n[eligibility] re-checked 10,000 applications in {elapsed:.2f}s "
            f"({10_000 / elapsed:,.0f}/s; {cpu:.2f}s of it in this process); {queries_10k} queries for 10 batches, {per_batch} per batch; "
            f"{flipped} changed status"
        )
