"""The statistics endpoints against an independent computation in Python over a varied data
set: every metric, for many groupings and filters."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import statistics as pystats
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from django.apps import apps
from django.core import serializers
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteDatabaseWrapper
from django.utils import timezone

from applications.models import Allocation, Application, OutcomeFollowUp, OutcomeReport
from applications.statistics.aggregates import application_statistics, outcome_statistics
from applications.workflow import Status
from firms.models import Firm, Region, Sector
from programs.models import Country, Program, ProgramKind
from sme_support.api.csv_export import stream_rows
from sme_support.roles import Role
from tests.api.conftest import client_for
from tests.factories import ApplicationFactory, FirmFactory, ProgramFactory, assign_officer, user_in_group

pytestmark = pytest.mark.django_db

SEOUL = dt.timezone(dt.timedelta(hours=9))
COUNTED = {OutcomeReport.ReportStatus.SUBMITTED, OutcomeReport.ReportStatus.ACCEPTED}
PROGRAM_LEVEL = {"program", "kind", "fiscal_year"}
# Each kind's capacity unit, as the statistics name it in their fields.
UNIT_OF_KIND = {
    ProgramKind.EXPORT_FUNDING: "krw",
    ProgramKind.TRADE_SHOW: "booths",
    ProgramKind.BUSINESS_DELEGATION: "seats",
}


def one_decimal(days: float) -> float:
    """Days as the statistics report them: one decimal, half up."""
    return float(Decimal(str(days)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def delegation(**kwargs: Any) -> Program:
    return ProgramFactory(
        kind=ProgramKind.BUSINESS_DELEGATION,
        capacity=30,
        per_firm_cap=3,
        co_funding_share=None,
        eligible_expenses=[],
        event_name="Delegation",
        event_city="Hanoi",
        event_country_id="VN",
        event_starts_on=dt.date(2026, 9, 1),
        event_ends_on=dt.date(2026, 9, 5),
        **kwargs,
    )


@dataclass
class DataSet:
    programs: list[Program]
    officer: Any
    manager: Any


@pytest.fixture
def dataset(db: Any) -> DataSet:
    """Programs of every kind over two years (one without target countries, one with three),
    firms of varied sector, size, region and exports, and applications in every status with
    submission and decision dates across months, allocations (some released) and outcome
    reports in every report status."""
    rng = random.Random(20260401)
    programs = [
        ProgramFactory(fiscal_year=2025, capacity=500_000_000, per_firm_cap=50_000_000),
        ProgramFactory(fiscal_year=2026, capacity=300_000_000, per_firm_cap=50_000_000),
        ProgramFactory(fiscal_year=2026, trade_show=True, capacity=40, per_firm_cap=4),
        ProgramFactory(fiscal_year=2025, trade_show=True, capacity=25, per_firm_cap=4, subsidy_per_booth_krw=5_000_000),
        delegation(fiscal_year=2026),
    ]
    targets = [["FR", "DE"], ["JP"], ["FR", "US", "JP"], [], ["VN"]]
    for program, countries in zip(programs, targets, strict=True):
        program.target_countries.set(countries)
    sectors = [Sector.GAMES, Sector.MUSIC, Sector.DESIGN, Sector.FILM, Sector.ANIMATION]
    regions = [Region.SEOUL, Region.BUSAN, Region.GYEONGGI, Region.JEJU]
    firms = [
        FirmFactory(
            sector=rng.choice(sectors),
            region=rng.choice(regions),
            employees=rng.choice([3, 8, 40, 150, 400]),
            annual_revenue_krw=rng.choice([300_000_000, 2_000_000_000, 30_000_000_000, 200_000_000_000]),
            exports_last_year_usd=rng.choice([0, 50_000, 250_000, 2_000_000, 20_000_000]),
        )
        for _ in range(14)
    ]
    statuses = list(Status.values)
    base = dt.datetime(2025, 1, 10, 15, 0, tzinfo=SEOUL)
    for program in programs:
        for firm in rng.sample(firms, 10):
            unit = program.per_firm_cap
            requested = rng.randint(1, unit)
            application = ApplicationFactory(program=program, firm=firm, requested_units=requested)
            status = rng.choice(statuses)
            values: dict[str, Any] = {"status": status}
            if status != Status.DRAFT:
                # Some submissions land just before midnight UTC on the first of a month, so
                # the month must be taken in Seoul time, not UTC.
                values["submitted_at"] = base + dt.timedelta(days=rng.randint(0, 420), hours=rng.choice([0, 8, 9]))
            decided = status in (
                Status.APPROVED,
                Status.WAITLISTED,
                Status.REJECTED,
                Status.COMPLETED,
                Status.CANCELLED,
            )
            decided = decided or (status == Status.WITHDRAWN and rng.random() < 0.5)
            if decided:
                values["decided_at"] = values["submitted_at"] + dt.timedelta(days=rng.uniform(0.5, 60))
            Application.objects.filter(pk=application.pk).update(**values)
            if status in (Status.APPROVED, Status.COMPLETED, Status.CANCELLED) or (
                status == Status.WITHDRAWN and decided
            ):
                live = status in (Status.APPROVED, Status.COMPLETED)
                Allocation.objects.create(
                    application=application,
                    program=program,
                    units=rng.randint(1, requested),
                    granted_at=values["decided_at"],
                    released_at=None if live else values["decided_at"] + dt.timedelta(days=3),
                )
            if status in (Status.COMPLETED, Status.APPROVED, Status.CANCELLED) and rng.random() < 0.8:
                report = OutcomeReport.objects.create(
                    application=application,
                    status=rng.choice(list(OutcomeReport.ReportStatus.values)),
                    due_on=dt.date(2026, 12, 31),
                    buyer_meetings=rng.randint(0, 30),
                    consultation_usd=rng.randint(0, 900_000),
                    contracts_usd=rng.randint(0, 400_000),
                    ip_filed=rng.randint(0, 3),
                )
                report.new_countries.set(rng.sample(["FR", "DE", "JP", "US", "VN"], rng.randint(0, 3)))
                # Follow-ups in every status; only the latest accepted one counts.
                for months in rng.sample([6, 12], rng.randint(0, 2)):
                    OutcomeFollowUp.objects.create(
                        report=report,
                        months=months,
                        due_on=dt.date(2027, 6, 30),
                        status=rng.choice(list(OutcomeFollowUp.FollowUpStatus.values)),
                        contracts_usd=rng.randint(0, 500_000),
                    )
    officer = user_in_group(Role.OFFICER)
    assign_officer(programs[1], officer)
    assign_officer(programs[3], officer)
    return DataSet(programs=programs, officer=officer, manager=user_in_group(Role.MANAGER))


# --- The independent computation ------------------------------------------------------------


def snapshot(applications: Iterable[Application]) -> list[dict[str, Any]]:
    """Each application as plain values, read attribute by attribute."""
    rows = []
    for app in applications:
        program: Program = app.program
        firm: Firm = app.firm
        allocation = Allocation.objects.filter(application=app).first()
        report = OutcomeReport.objects.filter(application=app).first()
        accepted_followups = (
            sorted(report.followups.filter(status="accepted"), key=lambda f: f.months) if report else []
        )
        live_units = allocation.units if allocation and allocation.released_at is None else None
        counted = report is not None and report.status in COUNTED
        if live_units is None:
            support = 0
        elif program.kind == ProgramKind.EXPORT_FUNDING:
            support = live_units
        elif program.kind == ProgramKind.TRADE_SHOW:
            support = live_units * program.subsidy_per_booth_krw
        else:
            support = 0
        countries = sorted(c.pk for c in program.target_countries.all()) or [None]
        rows.append(
            {
                "id": app.pk,
                "program": program.pk,
                "capacity": program.capacity,
                "kind": program.kind,
                "fiscal_year": program.fiscal_year,
                "month": app.submitted_at.astimezone(SEOUL).strftime("%Y-%m") if app.submitted_at else None,
                "status": app.status,
                "sector": firm.sector,
                "size_class": firm.size_class,
                "export_tier": firm.export_tier,
                "region": firm.region,
                "countries": countries,
                "firm": firm.pk,
                "days": (app.decided_at - app.submitted_at).total_seconds() / 86400 if app.decided_at else None,
                "live_units": live_units,
                "report": report,
                "counted": counted,
                "support": support if counted else 0,
                "report_support": support,
                "first_time": firm.exports_last_year_usd == 0,
                "new_countries": len(report.new_countries.all()) if report else 0,
                "followup_contracts": accepted_followups[-1].contracts_usd if accepted_followups else 0,
            }
        )
    return rows


def fan_out(rows: list[dict[str, Any]], group_by: list[str]) -> dict[tuple[Any, ...], list[dict[str, Any]]]:
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
    if not group_by:
        groups[()] = []  # no dimension: always one row of totals, even of nothing
    for row in rows:
        for country in row["countries"] if "country" in group_by else [None]:
            key = tuple(country if dim == "country" else row[dim] for dim in group_by)
            groups[key].append(row)
    return groups


def ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def expected_application_stats(rows: list[dict[str, Any]], group_by: list[str]) -> dict[tuple[Any, ...], dict]:
    result = {}
    for key, members in fan_out(rows, group_by).items():
        decided = [r for r in members if r["days"] is not None]
        approved = [r for r in members if r["status"] in (Status.APPROVED, Status.COMPLETED)]
        counted = [r for r in members if r["counted"]]
        contracts = sum(r["report"].contracts_usd for r in counted)
        support = sum(r["support"] for r in counted)
        by_unit: dict[str, Any] = {}
        for unit in UNIT_OF_KIND.values():
            of_unit = [r for r in members if UNIT_OF_KIND[r["kind"]] == unit]
            # Every figure in one unit only: KRW, booths and seats are never added together.
            by_unit[f"allocated_{unit}"] = sum(r["live_units"] or 0 for r in of_unit)
            by_unit[f"capacity_{unit}"] = (
                sum({r["program"]: r["capacity"] for r in of_unit}.values()) if set(group_by) <= PROGRAM_LEVEL else None
            )
        result[key] = {
            "applications": len(members),
            "firms": len({r["firm"] for r in members}),
            "decided": len(decided),
            "approved": len(approved),
            "approval_rate": ratio(len(approved), len(decided)),
            "median_days_to_decision": one_decimal(pystats.median(r["days"] for r in decided)) if decided else None,
            "waitlisted": sum(r["status"] == Status.WAITLISTED for r in members),
            **by_unit,
            "outcome_reports": len(counted),
            "buyer_meetings": sum(r["report"].buyer_meetings for r in counted),
            "consultation_usd": sum(r["report"].consultation_usd for r in counted),
            "contracts_usd": contracts,
            "support_krw": support,
            "contracts_usd_per_krw": ratio(contracts, support),
        }
    return result


def expected_outcome_stats(rows: list[dict[str, Any]], group_by: list[str], statuses: set[str]) -> dict:
    with_report = [r for r in rows if r["report"] is not None and r["report"].status in statuses]
    result = {}
    for key, members in fan_out(with_report, group_by).items():
        contracts = sum(r["report"].contracts_usd for r in members)
        support = sum(r["report_support"] for r in members)
        result[key] = {
            "reports": len(members),
            "firms": len({r["firm"] for r in members}),
            "buyer_meetings": sum(r["report"].buyer_meetings for r in members),
            "consultation_usd": sum(r["report"].consultation_usd for r in members),
            "contracts_usd": contracts,
            "ip_filed": sum(r["report"].ip_filed for r in members),
            "support_krw": support,
            "contracts_usd_per_krw": ratio(contracts, support),
            "first_time_exporters": len({r["firm"] for r in members if r["first_time"]}),
            "new_countries": sum(r["new_countries"] for r in members),
            "followup_contracts_usd": sum(r["followup_contracts"] for r in members),
        }
    return result


def actual(response: Any, group_by: list[str]) -> dict[tuple[Any, ...], dict]:
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["group_by"] == group_by
    assert body["count"] == len(body["results"])
    rows = {}
    for row in body["results"]:
        key = tuple(row[dim] for dim in group_by)
        assert key not in rows, f"duplicate group {key}"
        rows[key] = row
    return rows


def assert_same(expected: dict, got: dict) -> None:
    assert set(got) == set(expected)
    for key, metrics in expected.items():
        for metric, value in metrics.items():
            if isinstance(value, float):
                assert got[key][metric] == pytest.approx(value, rel=1e-9), (key, metric)
            else:
                assert got[key][metric] == value, (key, metric)


GROUPINGS = [
    [],
    ["program"],
    ["kind"],
    ["fiscal_year"],
    ["kind", "fiscal_year"],
    ["month"],
    ["status"],
    ["sector"],
    ["size_class"],
    ["export_tier"],
    ["region"],
    ["country"],
    ["program", "month"],
    ["sector", "country"],
    ["fiscal_year", "size_class", "region"],
]


def test_application_statistics_match_an_independent_computation(dataset: DataSet) -> None:
    rows = snapshot(Application.objects.select_related("program", "firm"))
    assert len(rows) == 50
    statuses_present = {r["status"] for r in rows}
    assert len(statuses_present) >= 10, "the data set should cover most statuses"
    client = client_for(dataset.manager)
    for group_by in GROUPINGS:
        response = client.get("/api/v1/stats/applications/", {"group_by": ",".join(group_by)})
        assert_same(expected_application_stats(rows, group_by), actual(response, group_by))


def test_statistics_take_the_list_filters(dataset: DataSet) -> None:
    everything = snapshot(Application.objects.select_related("program", "firm"))
    client = client_for(dataset.manager)
    cases = [
        ({"fiscal_year": 2026}, lambda r: r["fiscal_year"] == 2026),
        ({"kind": ProgramKind.TRADE_SHOW}, lambda r: r["kind"] == ProgramKind.TRADE_SHOW),
        ({"sector": Sector.GAMES}, lambda r: r["sector"] == Sector.GAMES),
        ({"country": "JP"}, lambda r: "JP" in r["countries"]),
        ({"status": ["approved", "completed"]}, lambda r: r["status"] in ("approved", "completed")),
        (
            {"submitted_after": "2025-06-01", "submitted_before": "2025-12-31"},
            lambda r: r["month"] is not None and "2025-06" <= r["month"] <= "2025-12",
        ),
    ]
    for params, keep in cases:
        subset = [r for r in everything if keep(r)]
        for group_by in (["program"], ["sector", "month"], []):
            response = client.get("/api/v1/stats/applications/", {**params, "group_by": ",".join(group_by)})
            assert subset, params
            assert_same(expected_application_stats(subset, group_by), actual(response, group_by))


def test_filtering_by_country_and_grouping_by_country_keeps_that_country(dataset: DataSet) -> None:
    rows = client_for(dataset.manager).get("/api/v1/stats/applications/?country=FR&group_by=country").json()
    assert [row["country"] for row in rows["results"]] == ["FR"]
    assert rows["results"][0]["country_name"] == "France"


def test_officer_statistics_cover_only_their_programs(dataset: DataSet) -> None:
    assigned = {dataset.programs[1].pk, dataset.programs[3].pk}
    rows = [r for r in snapshot(Application.objects.select_related("program", "firm")) if r["program"] in assigned]
    client = client_for(dataset.officer)
    for group_by in (["program"], ["kind", "fiscal_year"], ["sector"], []):
        response = client.get("/api/v1/stats/applications/", {"group_by": ",".join(group_by)})
        assert_same(expected_application_stats(rows, group_by), actual(response, group_by))


def test_firm_statistics_cover_only_their_own_applications(dataset: DataSet) -> None:
    from tests.factories import firm_user

    firm = Firm.objects.order_by("pk").first()
    rows = [r for r in snapshot(Application.objects.select_related("program", "firm")) if r["firm"] == firm.pk]
    response = client_for(firm_user(firm)).get("/api/v1/stats/applications/", {"group_by": "program"})
    assert_same(expected_application_stats(rows, ["program"]), actual(response, ["program"]))


def test_labels_come_in_the_request_language(dataset: DataSet) -> None:
    client = client_for(dataset.manager)
    english = client.get("/api/v1/stats/applications/?group_by=kind,program", HTTP_ACCEPT_LANGUAGE="en").json()
    korean = client.get("/api/v1/stats/applications/?group_by=kind,program", HTTP_ACCEPT_LANGUAGE="ko").json()
    first_en, first_ko = english["results"][0], korean["results"][0]
    labels = {row["kind"]: row["kind_label"] for row in english["results"]}
    assert labels[ProgramKind.EXPORT_FUNDING] == "Export funding"
    assert first_en["program_title"] == Program.objects.get(pk=first_en["program"]).title_en
    assert first_ko["program_title"] == Program.objects.get(pk=first_ko["program"]).title_ko


OUTCOME_GROUPINGS = [[], ["country"], ["program"], ["sector"], ["size_class"], ["fiscal_year"], ["sector", "country"]]


def test_outcome_statistics_match_an_independent_computation(dataset: DataSet) -> None:
    rows = snapshot(Application.objects.select_related("program", "firm"))
    assert any(r["report"] is not None and r["report"].status not in COUNTED for r in rows)
    client = client_for(dataset.manager)
    for group_by in OUTCOME_GROUPINGS:
        response = client.get("/api/v1/stats/outcomes/", {"group_by": ",".join(group_by)})
        assert_same(expected_outcome_stats(rows, group_by, COUNTED), actual(response, group_by))
    response = client.get("/api/v1/stats/outcomes/", {"group_by": "program", "report_status": "draft"})
    assert_same(expected_outcome_stats(rows, ["program"], {"draft"}), actual(response, ["program"]))


def test_median_is_the_median_not_the_mean(db: Any) -> None:
    program = ProgramFactory()
    submitted = timezone.now() - dt.timedelta(days=100)
    for days in (1, 2, 30):
        application = ApplicationFactory(program=program)
        Application.objects.filter(pk=application.pk).update(
            status=Status.REJECTED, submitted_at=submitted, decided_at=submitted + dt.timedelta(days=days)
        )
    row = client_for(user_in_group(Role.MANAGER)).get("/api/v1/stats/applications/").json()["results"][0]
    assert row["median_days_to_decision"] == pytest.approx(2.0)
    assert row["approval_rate"] == 0.0


def test_month_is_the_month_of_submission_in_seoul_time(db: Any) -> None:
    program = ProgramFactory()
    # 2026-02-28 15:30 UTC is already 1 March in Seoul.
    application = ApplicationFactory(program=program)
    Application.objects.filter(pk=application.pk).update(
        status=Status.SUBMITTED, submitted_at=dt.datetime(2026, 2, 28, 15, 30, tzinfo=dt.UTC)
    )
    rows = client_for(user_in_group(Role.MANAGER)).get("/api/v1/stats/applications/?group_by=month").json()
    assert [(row["month"], row["applications"]) for row in rows["results"]] == [("2026-03", 1)]


# --- Capacity units: never added together -----------------------------------------------------


@dataclass
class ThreeKinds:
    funding: Program
    trade_show: Program
    delegation: Program
    manager: Any


def _decided(program: Program, firm: Firm, status: str, *, days: float, units: int, live: bool) -> Application:
    submitted = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
    application = ApplicationFactory(program=program, firm=firm, requested_units=units)
    Application.objects.filter(pk=application.pk).update(
        status=status, submitted_at=submitted, decided_at=submitted + dt.timedelta(days=days)
    )
    Allocation.objects.create(
        application=application,
        program=program,
        units=units,
        granted_at=submitted + dt.timedelta(days=days),
        released_at=None if live else submitted + dt.timedelta(days=days + 1),
    )
    return application


@pytest.fixture
def three_kinds(db: Any) -> ThreeKinds:
    """One program of each kind; games firms hold KRW, booths and seats, a music firm KRW.

    Decisions came 2.25 days, 0.1 second (1.2e-06 day), 7, 0.5 and 3 days after submission."""
    funding = ProgramFactory(fiscal_year=2026, capacity=300_000_000, per_firm_cap=50_000_000)
    trade_show = ProgramFactory(fiscal_year=2026, trade_show=True, capacity=40, per_firm_cap=4)
    trade_show.target_countries.set(["FR"])
    delegation_ = delegation(fiscal_year=2025)
    games_1, games_2 = FirmFactory(sector=Sector.GAMES), FirmFactory(sector=Sector.GAMES)
    music = FirmFactory(sector=Sector.MUSIC)
    _decided(funding, games_1, Status.APPROVED, days=2.25, units=30_000_000, live=True)
    _decided(funding, music, Status.APPROVED, days=0.1 / 86400, units=20_000_000, live=True)
    _decided(trade_show, games_1, Status.APPROVED, days=7, units=4, live=True)
    _decided(trade_show, games_2, Status.CANCELLED, days=0.5, units=2, live=False)
    _decided(delegation_, games_2, Status.COMPLETED, days=3, units=2, live=True)
    return ThreeKinds(funding, trade_show, delegation_, user_in_group(Role.MANAGER))


UNIT_FIELDS = [f"{figure}_{unit}" for figure in ("allocated", "capacity") for unit in ("krw", "booths", "seats")]


def _by_unit(row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row[field] for field in UNIT_FIELDS)


def test_allocations_by_sector_keep_krw_booths_and_seats_apart(three_kinds: ThreeKinds) -> None:
    client = client_for(three_kinds.manager)
    rows = actual(client.get("/api/v1/stats/applications/", {"group_by": "sector"}), ["sector"])
    # (allocated KRW, booths, seats, capacity KRW, booths, seats): capacity belongs to a
    # program, so a grouping by sector has none. Added together, games would have shown
    # 30,000,006 "units".
    assert _by_unit(rows[(Sector.GAMES,)]) == (30_000_000, 4, 2, None, None, None)
    assert _by_unit(rows[(Sector.MUSIC,)]) == (20_000_000, 0, 0, None, None, None)
    for row in rows.values():
        assert "allocated_units" not in row and "capacity_units" not in row


def test_capacity_by_unit_for_program_level_groupings(three_kinds: ThreeKinds) -> None:
    client = client_for(three_kinds.manager)
    [totals] = actual(client.get("/api/v1/stats/applications/"), []).values()
    assert _by_unit(totals) == (50_000_000, 4, 2, 300_000_000, 40, 30)
    by_kind = actual(client.get("/api/v1/stats/applications/", {"group_by": "kind"}), ["kind"])
    assert _by_unit(by_kind[(ProgramKind.EXPORT_FUNDING,)]) == (50_000_000, 0, 0, 300_000_000, 0, 0)
    assert _by_unit(by_kind[(ProgramKind.TRADE_SHOW,)]) == (0, 4, 0, 0, 40, 0)
    assert _by_unit(by_kind[(ProgramKind.BUSINESS_DELEGATION,)]) == (0, 0, 2, 0, 0, 30)
    by_program = actual(client.get("/api/v1/stats/applications/", {"group_by": "program"}), ["program"])
    assert _by_unit(by_program[(three_kinds.trade_show.pk,)]) == (0, 4, 0, 0, 40, 0)
    by_year = actual(client.get("/api/v1/stats/applications/", {"group_by": "fiscal_year"}), ["fiscal_year"])
    assert _by_unit(by_year[(2026,)]) == (50_000_000, 4, 0, 300_000_000, 40, 0)
    assert _by_unit(by_year[(2025,)]) == (0, 0, 2, 0, 0, 30)
    by_country = actual(client.get("/api/v1/stats/applications/", {"group_by": "country"}), ["country"])
    assert _by_unit(by_country[("FR",)]) == (0, 4, 0, None, None, None)


def test_the_csv_has_the_same_figures_by_unit(three_kinds: ThreeKinds) -> None:
    response = client_for(three_kinds.manager).get("/api/v1/stats/applications/", {"format": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert [row[field] for field in UNIT_FIELDS] == ["50000000", "4", "2", "300000000", "40", "30"]
    by_sector = client_for(three_kinds.manager).get("/api/v1/stats/applications/?group_by=sector&format=csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(by_sector.streaming_content).decode("utf-8-sig"))))
    assert [(r["sector"], r["allocated_krw"], r["allocated_booths"], r["capacity_krw"]) for r in rows] == [
        (Sector.GAMES, "30000000", "4", ""),
        (Sector.MUSIC, "20000000", "0", ""),
    ]


# --- Days to decision: a plain number, one decimal --------------------------------------------


def test_median_days_is_a_plain_number_with_one_decimal_in_json_and_csv(three_kinds: ThreeKinds) -> None:
    client = client_for(three_kinds.manager)
    by_program = actual(client.get("/api/v1/stats/applications/", {"group_by": "program"}), ["program"])
    # Median of 2.25 days and 0.1 second: 1.125000… → 1.1; of 7 and 0.5 days: 3.75 → 3.8 (half
    # up); one decision after 3 days: 3.0; totals (0.0000012, 0.5, 2.25, 3, 7): 2.25 → 2.3.
    assert by_program[(three_kinds.funding.pk,)]["median_days_to_decision"] == 1.1
    assert by_program[(three_kinds.trade_show.pk,)]["median_days_to_decision"] == 3.8
    assert by_program[(three_kinds.delegation.pk,)]["median_days_to_decision"] == 3.0
    body = client.get("/api/v1/stats/applications/", {"group_by": "sector"}).content.decode()
    # Music's one decision came 0.1 second after submission: 0.0 days, not 1.16e-06.
    assert '"median_days_to_decision":0.0' in body.replace(" ", "")
    assert "e-0" not in body

    response = client.get("/api/v1/stats/applications/", {"group_by": "sector", "format": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    medians = {row["sector"]: row["median_days_to_decision"] for row in csv.DictReader(io.StringIO(text))}
    # Games: 0.5, 2.25, 3 and 7 days → 2.625 → 2.6.
    assert medians == {Sector.GAMES: "2.6", Sector.MUSIC: "0.0"}
    response = client.get("/api/v1/stats/applications/", {"format": "csv"})
    [totals] = csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    assert totals["median_days_to_decision"] == "2.3"


# --- The embedded default (SQLite): the same figures -----------------------------------------

EMBEDDED = "embedded"


@pytest.fixture(scope="module")
def embedded(django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A second database, SQLite like `make run`'s, under the alias ``embedded``.

    Django cannot add a database to DATABASES during a run, so the connection is made here and
    handed to the connection handler for this thread; pytest-django's transaction does not
    cover it, so each test empties it (``copy_to_embedded``)."""
    path = tmp_path_factory.mktemp("embedded") / "db.sqlite3"
    configured = connections.configure_settings(
        {DEFAULT_DB_ALIAS: {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)}}
    )
    connections[EMBEDDED] = SQLiteDatabaseWrapper(configured[DEFAULT_DB_ALIAS], alias=EMBEDDED)
    # The tables as the models define them (migrate would also run the data migrations, and
    # the country list's writes to the default database).
    with django_db_blocker.unblock(), connections[EMBEDDED].schema_editor() as editor:
        for model in apps.get_models():
            if model._meta.managed and not model._meta.proxy:
                editor.create_model(model)
    yield EMBEDDED
    with django_db_blocker.unblock():
        connections[EMBEDDED].close()
    del connections[EMBEDDED]


COPIED = [Country, Firm, Program, Application, Allocation, OutcomeReport, OutcomeFollowUp]


def copy_to_embedded() -> None:
    """Every row the statistics read, from PostgreSQL to the embedded database, as they are."""
    with transaction.atomic(using=EMBEDDED):
        for model in reversed(COPIED):
            model.objects.using(EMBEDDED).all().delete()
        data = serializers.serialize("json", [row for model in COPIED for row in model.objects.order_by("pk")])
        for deserialized in serializers.deserialize("json", data, using=EMBEDDED):
            deserialized.save(using=EMBEDDED)
        connections[EMBEDDED].check_constraints()


def both(group_by: list[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    on_postgresql = application_statistics(applications=Application.objects.all(), group_by=group_by)
    on_sqlite = application_statistics(applications=Application.objects.using(EMBEDDED).all(), group_by=group_by)
    assert connections[on_sqlite.queryset.db].vendor == "sqlite"
    return list(on_postgresql.rows()), list(on_sqlite.rows())


def csv_text(statistics: Any) -> str:
    response = stream_rows(header=statistics.columns, rows=statistics.table(), filename="x.csv")
    return b"".join(response.streaming_content).decode("utf-8-sig")


def test_sqlite_reports_the_same_median_and_units_as_postgresql(three_kinds: ThreeKinds, embedded: str) -> None:
    copy_to_embedded()
    for group_by in (["program"], ["sector"], [], ["kind", "fiscal_year"], ["country"], ["month"]):
        on_postgresql, on_sqlite = both(group_by)
        assert on_sqlite == on_postgresql, group_by
    by_sector = {row["sector"]: row for row in both(["sector"])[1]}
    assert by_sector[Sector.MUSIC]["median_days_to_decision"] == 0.0  # 0.1 second, not the mean
    assert by_sector[Sector.GAMES]["median_days_to_decision"] == 2.6  # the median, not the mean (3.19)
    assert _by_unit(by_sector[Sector.GAMES]) == (30_000_000, 4, 2, None, None, None)
    sqlite_csv = csv_text(application_statistics(applications=Application.objects.using(EMBEDDED), group_by=["sector"]))
    postgresql_csv = csv_text(application_statistics(applications=Application.objects.all(), group_by=["sector"]))
    assert sqlite_csv == postgresql_csv
    medians = [row["median_days_to_decision"] for row in csv.DictReader(io.StringIO(sqlite_csv))]
    assert medians == ["2.6", "0.0"]


def test_sqlite_and_postgresql_agree_on_every_metric_of_a_varied_data_set(dataset: DataSet, embedded: str) -> None:
    copy_to_embedded()
    assert Application.objects.using(EMBEDDED).count() == 50
    for group_by in GROUPINGS:
        on_postgresql, on_sqlite = both(group_by)
        assert on_sqlite == on_postgresql, group_by
    for group_by in OUTCOME_GROUPINGS:
        on_postgresql = list(outcome_statistics(applications=Application.objects.all(), group_by=group_by).rows())
        on_sqlite = outcome_statistics(applications=Application.objects.using(EMBEDDED).all(), group_by=group_by)
        assert list(on_sqlite.rows()) == on_postgresql, group_by


def test_the_sqlite_median_is_postgresqls_percentile_cont(embedded: str) -> None:
    """Halves and ties as PostgreSQL computes them, on the aggregate itself."""
    with connections[EMBEDDED].cursor() as cursor:
        for values, median in (([3.0], 3.0), ([1.0, 2.0, 30.0], 2.0), ([0.2, 0.3], 0.25), ([4.0, 1.0, 2.0, 3.0], 2.5)):
            rows = ", ".join(f"({value})" for value in values)
            cursor.execute(f"WITH v(x) AS (VALUES {rows}) SELECT SME_MEDIAN(x) FROM v")
            assert cursor.fetchone()[0] == pytest.approx(median), values
        cursor.execute("WITH v(x) AS (VALUES (NULL)) SELECT SME_MEDIAN(x) FROM v")
        assert cursor.fetchone()[0] is None
