"""Each rule type at its limits: it passes at the limit and fails one step past it, with a
reason in both languages that tells the firm what was found and what the program asks."""

from __future__ import annotations

import datetime as dt

import pytest

from applications.eligibility import evaluate
from applications.models import Application, ApplicationDocument, OutcomeReport
from applications.workflow import Status
from firms.models import IPHolding
from programs.models import Program
from tests.eligibility.helpers import TODAY, assert_reason, judge
from tests.factories import ApplicationFactory, FirmFactory, ProgramFactory

pytestmark = pytest.mark.django_db

Doc = ApplicationDocument.DocType


# --- sector_in, size_class_in, export_tier_in -------------------------------------------------


def test_sector_in_passes_a_listed_sector():
    result = judge("sector_in", {"sectors": ["design", "games"]}, firm=FirmFactory(sector="games"))
    assert_reason(result, passed=True, en="Your firm's sector, Games, is one this program supports.")


def test_sector_in_fails_another_sector_and_lists_the_allowed_ones():
    result = judge("sector_in", {"sectors": ["design", "games"]}, firm=FirmFactory(sector="music"))
    assert_reason(result, passed=False, en="Your firm's sector is Music; this program supports only: Design, Games.")


def test_size_class_in_passes_a_micro_firm_at_the_micro_limit():
    # Design falls under industry M: micro means at most 4 employees.
    firm = FirmFactory(sector="design", employees=4, annual_revenue_krw=1_000_000_000)
    assert firm.size_class == "micro"
    result = judge("size_class_in", {"size_classes": ["micro"]}, firm=firm)
    assert_reason(result, passed=True, en="Your firm is classed as Micro, which this program accepts.")


def test_size_class_in_fails_one_employee_past_the_micro_limit():
    firm = FirmFactory(sector="design", employees=5, annual_revenue_krw=1_000_000_000)
    assert firm.size_class == "small"
    result = judge("size_class_in", {"size_classes": ["micro"]}, firm=firm)
    assert_reason(
        result,
        passed=False,
        en="Your firm's employees and revenue class it as Small; this program is for: Micro.",
    )


def test_export_tier_in_passes_at_the_top_of_an_accepted_tier():
    firm = FirmFactory(exports_last_year_usd=999_999)
    assert firm.export_tier == "promising"
    result = judge("export_tier_in", {"tiers": ["starter", "promising"]}, firm=firm)
    assert_reason(result, passed=True, en="Your firm's export tier, Promising exporter, is one this program accepts.")


def test_export_tier_in_fails_one_dollar_into_the_next_tier():
    firm = FirmFactory(exports_last_year_usd=1_000_000)
    assert firm.export_tier == "growing"
    result = judge("export_tier_in", {"tiers": ["starter", "promising"]}, firm=firm)
    assert_reason(
        result,
        passed=False,
        en="Your firm's exports last year (USD 1,000,000) put it in the Growing exporter tier; "
        "this program is for: Export starter, Promising exporter.",
    )


# --- exports_usd_range, employees_range ----------------------------------------------------


@pytest.mark.parametrize("exports", [100_000, 500_000])
def test_exports_range_passes_at_both_ends(exports):
    result = judge(
        "exports_usd_range", {"min": 100_000, "max": 500_000}, firm=FirmFactory(exports_last_year_usd=exports)
    )
    assert_reason(
        result,
        passed=True,
        en=f"Your firm's exports last year were USD {exports:,}, which meets this program's requirement "
        "(USD 100,000 to 500,000).",
    )


@pytest.mark.parametrize("exports", [99_999, 500_001])
def test_exports_range_fails_one_dollar_outside(exports):
    result = judge(
        "exports_usd_range", {"min": 100_000, "max": 500_000}, firm=FirmFactory(exports_last_year_usd=exports)
    )
    assert_reason(
        result,
        passed=False,
        en=f"Your firm's exports last year were USD {exports:,}; this program is for firms that exported "
        "USD 100,000 to 500,000.",
    )


def test_exports_range_with_only_a_minimum_says_at_least():
    result = judge("exports_usd_range", {"min": 1}, firm=FirmFactory(exports_last_year_usd=0))
    assert_reason(
        result,
        passed=False,
        en="Your firm's exports last year were USD 0; this program is for firms that exported at least USD 1.",
    )


def test_employees_range_passes_at_the_maximum():
    result = judge("employees_range", {"max": 9}, firm=FirmFactory(employees=9))
    assert_reason(
        result, passed=True, en="Your firm reported 9 employees, which meets this program's requirement (at most 9)."
    )


def test_employees_range_fails_one_past_the_maximum():
    result = judge("employees_range", {"max": 9}, firm=FirmFactory(employees=10))
    assert_reason(result, passed=False, en="Your firm reported 10 employees; this program is for firms with at most 9.")


def test_employees_range_passes_at_the_minimum_and_fails_one_below():
    assert judge("employees_range", {"min": 5, "max": 49}, firm=FirmFactory(employees=5))["passed"] is True
    result = judge("employees_range", {"min": 5, "max": 49}, firm=FirmFactory(employees=4))
    assert_reason(result, passed=False, en="Your firm reported 4 employees; this program is for firms with 5 to 49.")


def test_employees_range_speaks_of_one_employee_in_the_singular():
    result = judge("employees_range", {"min": 2}, firm=FirmFactory(employees=1))
    assert_reason(result, passed=False, en="Your firm reported 1 employee; this program is for firms with at least 2.")


# --- min_years_since_founding ------------------------------------------------------------------


def test_founding_passes_a_firm_founded_exactly_the_required_years_ago():
    result = judge("min_years_since_founding", {"years": 3}, firm=FirmFactory(founded_on=dt.date(2023, 6, 15)))
    assert_reason(
        result,
        passed=True,
        en="Your firm was founded on 2023-06-15, at least 3 years before today, as this program requires.",
    )


def test_founding_fails_a_firm_founded_one_day_too_late_and_names_the_cutoff():
    result = judge("min_years_since_founding", {"years": 3}, firm=FirmFactory(founded_on=dt.date(2023, 6, 16)))
    assert_reason(
        result,
        passed=False,
        en="Your firm was founded on 2023-06-16; this program is for firms founded at least 3 years ago, "
        "on or before 2023-06-15.",
    )


def test_founding_with_one_year_speaks_in_the_singular():
    result = judge("min_years_since_founding", {"years": 1}, firm=FirmFactory(founded_on=dt.date(2025, 6, 16)))
    assert result["passed"] is False
    assert "at least 1 year ago, on or before 2025-06-15" in result["reason"]["en"]


# --- required_documents -------------------------------------------------------------------------


def test_required_documents_pass_when_every_type_is_uploaded():
    result = judge(
        "required_documents",
        {"doc_types": [Doc.EXPORT_PLAN, Doc.PORTFOLIO]},
        firm=FirmFactory(),
        documents=(Doc.EXPORT_PLAN, Doc.PORTFOLIO, Doc.OTHER),
    )
    assert_reason(result, passed=True, en="Your application includes the required documents: Export plan, Portfolio.")


def test_required_documents_fail_naming_only_the_missing_ones():
    result = judge(
        "required_documents",
        {"doc_types": [Doc.EXPORT_PLAN, Doc.PORTFOLIO, Doc.QUOTATION]},
        firm=FirmFactory(),
        documents=(Doc.PORTFOLIO,),
    )
    assert_reason(result, passed=False, en="Upload these documents with your application: Export plan, Quotation.")


# --- max_prior_approvals --------------------------------------------------------------------------


def _approved(firm, *, decided_on: dt.date, status: str = Status.APPROVED, kind_program=None) -> Application:
    program = kind_program or ProgramFactory(fiscal_year=decided_on.year)
    application = ApplicationFactory(program=program, firm=firm)
    decided_at = dt.datetime.combine(decided_on, dt.time(0, 0), tzinfo=dt.UTC) + dt.timedelta(hours=-9)
    Application.objects.filter(pk=application.pk).update(status=status, decided_at=decided_at)
    return application


def test_prior_approvals_pass_at_the_maximum_counting_the_window_from_its_first_day():
    firm = FirmFactory()
    _approved(firm, decided_on=dt.date(2023, 6, 15))  # midnight in Seoul, the window's first instant
    _approved(firm, decided_on=dt.date(2026, 1, 10), status=Status.COMPLETED)
    _approved(firm, decided_on=dt.date(2023, 6, 14))  # just before the window
    _approved(firm, decided_on=dt.date(2025, 1, 10), status=Status.WITHDRAWN)  # gave no support
    _approved(firm, decided_on=dt.date(2025, 1, 10), kind_program=ProgramFactory(trade_show=True))  # other kind
    result = judge("max_prior_approvals", {"max": 2, "years": 3}, firm=firm)
    assert_reason(
        result,
        passed=True,
        en="Approvals of your firm in Export funding programs since 2023-06-15: 2; this program allows at most 2.",
    )


def test_prior_approvals_fail_one_past_the_maximum():
    firm = FirmFactory()
    for day in (dt.date(2024, 1, 5), dt.date(2025, 1, 5), dt.date(2026, 1, 5)):
        _approved(firm, decided_on=day)
    result = judge("max_prior_approvals", {"max": 2, "years": 3}, firm=firm)
    assert_reason(
        result,
        passed=False,
        en="Approvals of your firm in Export funding programs since 2023-06-15: 3; this program allows at most 2, "
        "so it is meant for firms that have had less support.",
    )


# --- no_overdue_outcome_report ------------------------------------------------------------------


def _report(firm, *, due_on: dt.date, status: str) -> OutcomeReport:
    application = _approved(firm, decided_on=dt.date(2025, 3, 1))
    return OutcomeReport.objects.create(application=application, due_on=due_on, status=status)


def test_outcome_report_due_today_or_filed_late_is_not_overdue():
    firm = FirmFactory()
    _report(firm, due_on=TODAY, status=OutcomeReport.ReportStatus.DRAFT)
    _report(firm, due_on=TODAY - dt.timedelta(days=30), status=OutcomeReport.ReportStatus.SUBMITTED)
    _report(firm, due_on=TODAY - dt.timedelta(days=60), status=OutcomeReport.ReportStatus.ACCEPTED)
    result = judge("no_overdue_outcome_report", {}, firm=firm)
    assert_reason(result, passed=True, en="Your firm has no overdue outcome reports.")


def test_outcome_report_due_yesterday_and_unfiled_fails():
    firm = FirmFactory()
    _report(firm, due_on=TODAY - dt.timedelta(days=1), status=OutcomeReport.ReportStatus.DRAFT)
    result = judge("no_overdue_outcome_report", {}, firm=firm)
    assert_reason(
        result,
        passed=False,
        en="Your firm has 1 outcome report past its due date (2026-06-14); submit it to become eligible.",
    )


def test_several_overdue_reports_name_the_oldest_due_date():
    firm = FirmFactory()
    _report(firm, due_on=dt.date(2026, 5, 1), status=OutcomeReport.ReportStatus.RETURNED)
    _report(firm, due_on=dt.date(2026, 2, 1), status=OutcomeReport.ReportStatus.DRAFT)
    result = judge("no_overdue_outcome_report", {}, firm=firm)
    assert_reason(
        result,
        passed=False,
        en="Your firm has 2 outcome reports past their due dates (the oldest was due on 2026-02-01); "
        "submit them to become eligible.",
    )


# --- not_sanctioned ---------------------------------------------------------------------------------


def test_sanction_that_ended_yesterday_no_longer_bars():
    result = judge("not_sanctioned", {}, firm=FirmFactory(sanctioned_until=TODAY - dt.timedelta(days=1)))
    assert_reason(result, passed=True, en="Your firm is not under a sanction.")


def test_sanction_that_ends_today_still_bars():
    result = judge("not_sanctioned", {}, firm=FirmFactory(sanctioned_until=TODAY))
    assert_reason(
        result,
        passed=False,
        en="Your firm is barred from support until 2026-06-15; it may apply again after that date.",
    )


# --- per_firm_cap -----------------------------------------------------------------------------------

CAPS = {"default": 20_000_000, "by_export_tier": {"starter": 10_000_000}}


def test_per_firm_cap_for_the_firms_tier_passes_at_the_cap():
    firm = FirmFactory(exports_last_year_usd=50_000)
    assert firm.export_tier == "starter"
    result = judge("per_firm_cap", CAPS, firm=firm, units=10_000_000)
    assert_reason(
        result,
        passed=True,
        en="You asked for 10,000,000 (KRW), within the cap of 10,000,000 for firms in the Export starter export tier.",
    )


def test_per_firm_cap_for_the_firms_tier_fails_one_past_the_cap():
    firm = FirmFactory(exports_last_year_usd=50_000)
    result = judge("per_firm_cap", CAPS, firm=firm, units=10_000_001)
    assert_reason(
        result,
        passed=False,
        en="You asked for 10,000,001 (KRW), more than the cap of 10,000,000 for firms in the Export starter export "
        "tier; lower your request to 10,000,000 or less.",
    )


def test_per_firm_cap_default_applies_to_other_tiers():
    firm = FirmFactory(exports_last_year_usd=250_000)
    assert judge("per_firm_cap", CAPS, firm=firm, units=20_000_000)["passed"] is True
    result = judge("per_firm_cap", CAPS, firm=FirmFactory(exports_last_year_usd=250_000), units=20_000_001)
    assert_reason(
        result,
        passed=False,
        en="You asked for 20,000,001 (KRW), more than the per-firm cap of 20,000,000; "
        "lower your request to 20,000,000 or less.",
    )


def test_per_firm_cap_never_exceeds_the_programs_own_cap():
    program = ProgramFactory(per_firm_cap=30_000_000)
    result = judge("per_firm_cap", {"default": 30_000_000}, firm=FirmFactory(), program=program, units=30_000_000)
    assert result["passed"] is True
    # The program's cap was lowered after the rule was written: the lower one binds, and the
    # rule written against the old cap still works.
    Program.objects.filter(pk=program.pk).update(per_firm_cap=15_000_000)
    application = ApplicationFactory(
        program=Program.objects.get(pk=program.pk), firm=FirmFactory(), requested_units=15_000_001
    )
    outcome = evaluate(Application.objects.select_related("program", "firm").get(pk=application.pk))
    assert_reason(
        outcome.results[-1],
        passed=False,
        en="You asked for 15,000,001 (KRW), more than the per-firm cap of 15,000,000; "
        "lower your request to 15,000,000 or less.",
    )


def test_per_firm_cap_speaks_in_the_programs_unit():
    program = ProgramFactory(trade_show=True)
    result = judge("per_firm_cap", {"default": 2}, firm=FirmFactory(), program=program, units=3)
    assert_reason(
        result,
        passed=False,
        en="You asked for 3 (booths), more than the per-firm cap of 2; lower your request to 2 or less.",
    )


# --- target_country_in_markets, ip_registered_in_target ---------------------------------------------


@pytest.fixture
def targeted_program():
    program = ProgramFactory()
    program.target_countries.set(["FR", "JP"])
    return program


def test_markets_pass_when_one_target_is_among_the_firms_markets(targeted_program):
    firm = FirmFactory()
    firm.markets_of_interest.set(["US", "JP"])
    result = judge("target_country_in_markets", {}, firm=firm, program=targeted_program)
    assert_reason(
        result, passed=True, en="Your firm's markets of interest include this program's target countries: Japan."
    )


def test_markets_fail_when_no_target_is_among_the_firms_markets(targeted_program):
    firm = FirmFactory()
    firm.markets_of_interest.set(["US"])
    result = judge("target_country_in_markets", {}, firm=firm, program=targeted_program)
    assert_reason(
        result,
        passed=False,
        en="None of your firm's markets of interest is a target country of this program (France, Japan); "
        "if you plan to enter one of them, add it to your firm's profile.",
    )


def test_markets_rule_has_nothing_to_check_without_target_countries():
    result = judge("target_country_in_markets", {}, firm=FirmFactory())
    assert_reason(
        result, passed=True, en="This program names no target countries, so any market of interest qualifies."
    )


def _ip(firm, country: str, kind: str = IPHolding.Kind.TRADEMARK) -> IPHolding:
    return IPHolding.objects.create(firm=firm, kind=kind, country_id=country, registration_number=f"{country}-{kind}")


def test_ip_passes_with_a_registration_in_a_target_country(targeted_program):
    firm = FirmFactory()
    _ip(firm, "US")
    _ip(firm, "JP")
    result = judge("ip_registered_in_target", {}, firm=firm, program=targeted_program)
    assert_reason(result, passed=True, en="Your firm holds IP registered in this program's target countries: Japan.")


def test_ip_fails_with_registrations_only_elsewhere(targeted_program):
    firm = FirmFactory()
    _ip(firm, "US")
    result = judge("ip_registered_in_target", {}, firm=firm, program=targeted_program)
    assert_reason(
        result,
        passed=False,
        en="Your firm holds no IP registered in this program's target countries (France, Japan); "
        "if it holds such a registration, add it to your firm's profile.",
    )


def test_ip_of_another_kind_does_not_count_when_the_rule_names_kinds(targeted_program):
    firm = FirmFactory()
    _ip(firm, "JP", IPHolding.Kind.PATENT)
    result = judge("ip_registered_in_target", {"kinds": ["trademark"]}, firm=firm, program=targeted_program)
    assert_reason(
        result,
        passed=False,
        en="Your firm holds no IP of a required kind (Trademark) registered in this program's target countries "
        "(France, Japan); if it holds such a registration, add it to your firm's profile.",
    )
    _ip(firm, "FR", IPHolding.Kind.TRADEMARK)
    other = ProgramFactory()
    other.target_countries.set(["FR", "JP"])
    result = judge("ip_registered_in_target", {"kinds": ["trademark"]}, firm=firm, program=other)
    assert_reason(
        result,
        passed=True,
        en="Your firm holds IP of a required kind (Trademark) registered in this program's target countries: France.",
    )


# --- Both languages ---------------------------------------------------------------------------------


def test_every_result_carries_both_languages_and_its_parameters():
    result = judge("employees_range", {"max": 9}, firm=FirmFactory(employees=12))
    assert set(result) == {"rule", "passed", "reason", "params"}
    assert set(result["reason"]) == {"ko", "en"}
    assert result["params"] == {"max": 9}
    assert "12" in result["reason"]["ko"] and "9" in result["reason"]["ko"]
