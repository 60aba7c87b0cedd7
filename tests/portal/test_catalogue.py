from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from applications.eligibility import preview
from portal.templatetags.portal_tags import krw, reason, units, usd
from programs.choices import EligibilityRuleType
from programs.models import EligibilityRule, ProgramKind
from tests.factories import ProgramFactory

pytestmark = pytest.mark.django_db


def _titles(response) -> str:
    return response.content.decode()


def test_catalogue_lists_open_calls_only(portal_client, program) -> None:
    closed = ProgramFactory(
        opens_at=timezone.now() - dt.timedelta(days=30), closes_at=timezone.now() - dt.timedelta(days=1)
    )
    future = ProgramFactory(
        opens_at=timezone.now() + dt.timedelta(days=3), closes_at=timezone.now() + dt.timedelta(days=30)
    )
    body = _titles(portal_client.get(reverse("portal:catalogue")))
    assert program.title_en in body
    assert closed.title_en not in body
    assert future.title_en not in body


def test_catalogue_filters_by_kind_sector_country_and_closing_date(portal_client, program) -> None:
    show = ProgramFactory(trade_show=True, target_sectors=["games"], closes_at=timezone.now() + dt.timedelta(days=5))
    show.target_countries.set(["FR"])
    url = reverse("portal:catalogue")
    by_kind = _titles(portal_client.get(url, {"kind": ProgramKind.TRADE_SHOW}))
    assert show.title_en in by_kind and program.title_en not in by_kind
    by_sector = _titles(portal_client.get(url, {"sector": "design"}))
    assert program.title_en in by_sector and show.title_en not in by_sector  # empty targets = every sector
    by_country = _titles(portal_client.get(url, {"country": "FR"}))
    assert show.title_en in by_country and program.title_en not in by_country
    soon = (timezone.localdate() + dt.timedelta(days=6)).isoformat()
    by_date = _titles(portal_client.get(url, {"closes_before": soon}))
    assert show.title_en in by_date and program.title_en not in by_date


def test_bad_filter_values_are_ignored_with_a_message_not_a_500(portal_client, program) -> None:
    response = portal_client.get(reverse("portal:catalogue"), {"country": "ZZ", "closes_before": "soon"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_cards_show_eligibility_and_the_failing_rule_with_its_reason(portal_client, firm, program) -> None:
    games_only = ProgramFactory(target_sectors=["games"])
    body = _titles(portal_client.get(reverse("portal:catalogue")))
    assert "Your firm looks eligible" in body
    assert "Your firm does not look eligible" in body
    failing = next(r for r in preview(firm=firm, program=games_only).results if not r["passed"])
    assert escape(failing["reason"]["en"]) in body


def test_reason_is_picked_in_the_readers_language() -> None:
    result = {"rule": "sector_in", "passed": False, "reason": {"ko": "한국어 이유", "en": "English reason"}}
    with translation.override("ko"):
        assert reason(result) == "한국어 이유"
    with translation.override("en"):
        assert reason(result) == "English reason"


def test_korean_catalogue_shows_korean_reasons(portal_client, firm) -> None:
    games_only = ProgramFactory(target_sectors=["games"])
    failing = next(r for r in preview(firm=firm, program=games_only).results if not r["passed"])
    body = portal_client.get("/portal/programs/").content.decode()
    assert '<html lang="ko">' in body
    assert escape(failing["reason"]["ko"]) in body
    assert games_only.title_ko in body


def test_money_and_units_follow_the_language(program) -> None:
    trade = ProgramFactory(trade_show=True)
    with translation.override("en"):
        assert krw(1_200_000) == "₩1,200,000"
        assert usd(250_000) == "$250,000"
        assert units(2, trade) == "2 booths"
        assert units(5_000_000, program) == "₩5,000,000"
    with translation.override("ko"):
        assert krw(1_200_000) == "1,200,000원"
        assert usd(250_000) == "US$250,000"
    assert krw(None) == "—"


def test_program_page_shows_dates_capacity_cofunding_and_faq(portal_client, program) -> None:
    program.description_en = "FAQ: who can apply? Any creative SME."
    program.save(update_fields=["description_en"])
    body = _titles(portal_client.get(reverse("portal:program_detail", kwargs={"pk": program.pk})))
    assert "Applications close" in body
    assert "₩100,000,000" in body  # capacity
    assert "Your firm pays 30% of the costs" in body
    assert "Market research" in body
    assert "FAQ: who can apply?" in body
    assert "Financial statement" in body  # the kind's usual documents
    assert reverse("portal:apply", kwargs={"program_pk": program.pk}) in body


def test_program_page_lists_documents_from_the_rules(portal_client, program) -> None:
    EligibilityRule.objects.create(
        program=program, rule_type=EligibilityRuleType.REQUIRED_DOCUMENTS, params={"doc_types": ["ip_certificate"]}
    )
    body = _titles(portal_client.get(reverse("portal:program_detail", kwargs={"pk": program.pk})))
    assert "IP registration certificate" in body
    assert "The documents usually asked" not in body
    # A document rule alone does not make the firm look ineligible in the catalogue.
    catalogue = _titles(portal_client.get(reverse("portal:catalogue")))
    assert "documents needed when you apply" in catalogue


def test_trade_show_page_shows_event_and_booth_costs(portal_client) -> None:
    show = ProgramFactory(trade_show=True)
    body = _titles(portal_client.get(reverse("portal:program_detail", kwargs={"pk": show.pk})))
    assert "Maison&amp;Objet" in body
    assert "₩8,000,000" in body and "₩2,000,000" in body


def test_unpublished_program_is_404(portal_client) -> None:
    future = ProgramFactory(
        opens_at=timezone.now() + dt.timedelta(days=3), closes_at=timezone.now() + dt.timedelta(days=30)
    )
    assert portal_client.get(reverse("portal:program_detail", kwargs={"pk": future.pk})).status_code == 404
    assert portal_client.get(reverse("portal:program_detail", kwargs={"pk": 999999})).status_code == 404


# --- The batched preview the catalogue uses ------------------------------------------------------


def _assorted_programs(firm, firm_staff):
    """Calls covering every way a rule set is built: baseline only, a sector target, configured
    rules replacing baselines, rules needing target countries, an inactive rule, a rule whose
    stored parameters no longer validate, a versioned rule set, and one the firm applied to."""
    from applications.intake.services import application_create
    from applications.models import ApplicationDocument
    from firms.models import IPHolding
    from programs.models import EligibilityRuleSet

    plain = ProgramFactory()
    games = ProgramFactory(target_sectors=["games"])
    configured = ProgramFactory(target_sectors=["games"])
    EligibilityRule.objects.create(
        program=configured, rule_type=EligibilityRuleType.SECTOR_IN, params={"sectors": ["design"]}, position=1
    )
    EligibilityRule.objects.create(
        program=configured, rule_type=EligibilityRuleType.EMPLOYEES_RANGE, params={"min": 10}, position=0
    )
    EligibilityRule.objects.create(
        program=configured, rule_type=EligibilityRuleType.EXPORTS_USD_RANGE, params={"min": 1}, is_active=False
    )
    EligibilityRuleSet.objects.create(program=configured, version=4)
    targeted = ProgramFactory()
    targeted.target_countries.set(["FR", "JP"])
    EligibilityRule.objects.create(program=targeted, rule_type=EligibilityRuleType.TARGET_COUNTRY_IN_MARKETS, params={})
    EligibilityRule.objects.create(program=targeted, rule_type=EligibilityRuleType.IP_REGISTERED_IN_TARGET, params={})
    firm.markets_of_interest.add("JP")
    IPHolding.objects.create(firm=firm, kind=IPHolding.Kind.TRADEMARK, country_id="FR", registration_number="T-1")
    broken = ProgramFactory()
    EligibilityRule.objects.create(
        program=broken, rule_type=EligibilityRuleType.MIN_YEARS_SINCE_FOUNDING, params={"years": "many"}
    )
    applied = ProgramFactory()
    EligibilityRule.objects.create(
        program=applied,
        rule_type=EligibilityRuleType.REQUIRED_DOCUMENTS,
        params={"doc_types": ["business_registration", "export_plan"]},
    )
    EligibilityRule.objects.create(
        program=applied, rule_type=EligibilityRuleType.MAX_PRIOR_APPROVALS, params={"max": 0, "years": 3}
    )
    EligibilityRule.objects.create(program=applied, rule_type=EligibilityRuleType.NO_OVERDUE_OUTCOME_REPORT, params={})
    application = application_create(
        program=applied, firm=firm, actor=firm_staff, requested_units=applied.per_firm_cap, answers={}
    )
    ApplicationDocument.objects.create(
        application=application,
        doc_type="business_registration",
        file="applications/x.pdf",
        original_name="x.pdf",
        content_type="application/pdf",
        size=10,
        uploaded_by=firm_staff,
    )
    return [plain, games, configured, targeted, broken, applied]


def test_batched_previews_agree_with_the_engines_preview(firm, firm_staff) -> None:
    from applications.eligibility.engine import preview_many

    programs = _assorted_programs(firm, firm_staff)
    with translation.override("en"):
        batched = preview_many(firm=firm, programs=programs)
        for program in programs:
            single = preview(firm=firm, program=program)
            assert batched[program.pk].results == single.results, program
            assert batched[program.pk].passed == single.passed
            assert batched[program.pk].rules_version == single.rules_version
    # The set-up really exercises the rules it meant to.
    assert batched[programs[2].pk].rules_version == 4
    assert {r["rule"] for r in batched[programs[2].pk].results} >= {"employees_range", "sector_in"}
    assert "exports_usd_range" not in {r["rule"] for r in batched[programs[2].pk].results}
    assert not batched[programs[4].pk].passed
    documents = next(r for r in batched[programs[5].pk].results if r["rule"] == "required_documents")
    assert not documents["passed"] and "Export plan" in documents["reason"]["en"]
    assert preview_many(firm=firm, programs=[]) == {}


def test_the_catalogue_runs_the_same_queries_for_one_card_as_for_a_full_page(
    portal_client, firm, django_assert_max_num_queries
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ProgramFactory()
    url = reverse("portal:catalogue")
    portal_client.get(url)  # warm up: session, language, content types
    with CaptureQueriesContext(connection) as one:
        assert portal_client.get(url).status_code == 200
    for _ in range(19):
        ProgramFactory()
    with django_assert_max_num_queries(len(one.captured_queries)):
        body = portal_client.get(url).content.decode()
    assert body.count("Your firm looks eligible") == 20
