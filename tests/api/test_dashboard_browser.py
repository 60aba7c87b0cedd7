"""The statistics dashboard in a real browser (Playwright driving Debian's Chromium): every
chart draws from the API, and the tables name each capacity unit instead of adding KRW,
booths and seats. A screenshot of the page goes to test-artifacts/screenshots/."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from applications.models import Allocation, Application
from applications.workflow import Status
from firms.models import Firm, Sector
from programs.models import Program, ProgramKind
from sme_support.roles import Role
from tests.browser import SCREENSHOTS
from tests.factories import ApplicationFactory, FirmFactory, ProgramFactory, user_in_group

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Sunflower-Harbour-42"
CHARTS = ["program", "sector", "country", "month", "outcomes_country", "ip_country"]


def granted(program: Program, firm: Firm, units: int, *, days: float) -> None:
    submitted = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
    application = ApplicationFactory(program=program, firm=firm, requested_units=units)
    Application.objects.filter(pk=application.pk).update(
        status=Status.APPROVED, submitted_at=submitted, decided_at=submitted + dt.timedelta(days=days)
    )
    Allocation.objects.create(
        application=application, program=program, units=units, granted_at=submitted + dt.timedelta(days=days)
    )


def test_dashboard_draws_every_chart_and_names_the_units(page: Any) -> None:
    funding = ProgramFactory(code="voucher", fiscal_year=2026, capacity=300_000_000, per_firm_cap=50_000_000)
    fair = ProgramFactory(code="fair", fiscal_year=2026, trade_show=True, capacity=40, per_firm_cap=4)
    trip = ProgramFactory(
        code="trip",
        kind=ProgramKind.BUSINESS_DELEGATION,
        fiscal_year=2026,
        capacity=30,
        per_firm_cap=3,
        co_funding_share=None,
        eligible_expenses=[],
        event_name="Delegation",
        event_city="Hanoi",
        event_country_id="VN",
        event_starts_on=dt.date(2026, 9, 1),
        event_ends_on=dt.date(2026, 9, 5),
    )
    fair.target_countries.set(["FR"])
    games, music = FirmFactory(sector=Sector.GAMES), FirmFactory(sector=Sector.MUSIC)
    granted(funding, games, 30_000_000, days=2)
    granted(funding, music, 20_000_000, days=0.1 / 86400)
    granted(fair, games, 4, days=7)
    granted(trip, games, 2, days=3)
    user_in_group(Role.MANAGER, username="mina@agency.test", password=PASSWORD)

    page.goto("/dashboard/")  # English is the default here (tests/api/conftest.py)
    page.fill("#id_username", "mina@agency.test")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    page.get_by_role("heading", name="Statistics dashboard").wait_for()
    # The status line empties once every chart has its rows.
    page.wait_for_function("document.getElementById('dashboard-status').textContent === ''")

    for chart in CHARTS:
        drawn = page.evaluate(
            """(chart) => {
                const canvas = document.querySelector(`[data-chart="${chart}"] canvas`);
                const instance = window.Chart.getChart(canvas);
                return {
                    labels: instance.data.labels,
                    data: instance.data.datasets.map((set) => set.data),
                    height: canvas.height,
                };
            }""",
            chart,
        )
        assert drawn["height"] > 0, chart
        for series in drawn["data"]:
            assert len(series) == len(drawn["labels"]), chart
            assert all(value is None or isinstance(value, int | float) for value in series), (chart, series)
    program_chart = page.evaluate(
        "() => window.Chart.getChart(document.querySelector('[data-chart=\"program\"] canvas')).data"
    )
    assert program_chart["labels"] == ["voucher", "fair", "trip"]
    assert program_chart["datasets"][0]["data"] == [2, 1, 1]

    for chart in ("program", "sector"):
        page.locator(f'[data-chart="{chart}"] summary').click()
    program_rows = page.locator('[data-chart="program"] .chart-table tbody tr')
    # Allocated of capacity, each program in its own unit.
    assert program_rows.nth(0).inner_text().split("\t")[-1] == "50,000,000 / 300,000,000\u00a0KRW"
    assert program_rows.nth(1).inner_text().split("\t")[-1] == "4 / 40\u00a0booths"
    assert program_rows.nth(2).inner_text().split("\t")[-1] == "2 / 30\u00a0seats"
    sector_rows = page.locator('[data-chart="sector"] .chart-table tbody tr')
    assert sector_rows.nth(0).inner_text().split("\t")[-1] == "30,000,000\u00a0KRW · 4\u00a0booths · 2\u00a0seats"
    assert sector_rows.nth(1).inner_text().split("\t")[-1] == "20,000,000\u00a0KRW"
    # Median of 2, 0.0000012, 7 and 3 days: 2.5.
    assert page.locator('[data-metric="median_days_to_decision"]').inner_text() == "2.5"

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "dashboard-units.png"), full_page=True)
