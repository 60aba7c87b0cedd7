"""The portal's preview and the post-submit check are the same evaluator: for the same firm
and program they agree, and the preview never writes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications.eligibility import preview
from applications.eligibility.screening import application_screen
from applications.intake.services import application_submit
from applications.models import Application, ApplicationDocument
from applications.workflow import Status
from firms.models import IPHolding
from programs.services import eligibility_rules_replace
from tests.eligibility.helpers import add_document
from tests.factories import ApplicationFactory, FirmFactory, ProgramFactory, firm_user

pytestmark = pytest.mark.django_db

Doc = ApplicationDocument.DocType

RULES = [
    {"rule_type": "employees_range", "params": {"min": 2, "max": 49}},
    {"rule_type": "min_years_since_founding", "params": {"years": 3}},
    {"rule_type": "required_documents", "params": {"doc_types": [Doc.EXPORT_PLAN]}},
    {"rule_type": "target_country_in_markets", "params": {}},
    {"rule_type": "ip_registered_in_target", "params": {}},
    {"rule_type": "max_prior_approvals", "params": {"max": 3, "years": 5}},
    {"rule_type": "no_overdue_outcome_report", "params": {}},
    {"rule_type": "per_firm_cap", "params": {"default": 20_000_000, "by_export_tier": {"promising": 15_000_000}}},
    {"rule_type": "exports_usd_range", "params": {"max": 5_000_000}},
]


@pytest.fixture
def program():
    program = ProgramFactory()
    program.target_countries.set(["JP", "VN"])
    eligibility_rules_replace(program=program, rules=RULES)
    return program


@pytest.fixture
def firm():
    firm = FirmFactory(employees=12, founded_on=dt.date(2019, 1, 1), exports_last_year_usd=250_000)
    firm.markets_of_interest.set(["VN", "US"])
    IPHolding.objects.create(firm=firm, kind=IPHolding.Kind.TRADEMARK, country_id="JP", registration_number="T-1")
    return firm


def _screened(firm, program, *, units: int, documents=()) -> Application:
    staff = firm_user(firm)
    application = ApplicationFactory(program=program, firm=firm, requested_units=units)
    for doc_type in documents:
        add_document(application, doc_type)
    application_submit(application=application, actor=staff)
    application_screen(application_id=application.pk)
    application.refresh_from_db()
    return application


@pytest.mark.parametrize(
    ("units", "documents", "status"),
    [
        (15_000_000, (Doc.EXPORT_PLAN,), Status.ELIGIBLE),
        (15_000_001, (Doc.EXPORT_PLAN,), Status.INELIGIBLE),
        (10_000_000, (), Status.INELIGIBLE),
    ],
)
def test_preview_agrees_with_the_post_submit_check(firm, program, units, documents, status):
    application = _screened(firm, program, units=units, documents=documents)
    assert application.status == status

    shown = preview(firm=firm, program=program)

    assert shown.results == application.eligibility_results
    assert shown.passed is (status == Status.ELIGIBLE)
    assert shown.rules_version == application.eligibility_rules_version == 1


def test_preview_what_if_units_uses_the_same_rule(firm, program):
    application = _screened(firm, program, units=15_000_000, documents=(Doc.EXPORT_PLAN,))
    assert preview(firm=firm, program=program, requested_units=15_000_001).failed_rules == ["per_firm_cap"]
    application.refresh_from_db()
    assert application.requested_units == 15_000_000


def test_preview_before_applying_says_how_much_may_be_asked_and_which_documents_to_bring(firm, program):
    shown = preview(firm=firm, program=program)
    by_rule = {r["rule"]: r for r in shown.results}
    assert by_rule["per_firm_cap"]["passed"] is True
    assert by_rule["per_firm_cap"]["reason"]["en"] == (
        "Your firm may request up to 15,000,000 (KRW): the cap of 15,000,000 for firms in the "
        "Promising exporter export tier."
    )
    assert shown.failed_rules == ["required_documents"]


def test_preview_writes_nothing(firm, program):
    ApplicationFactory(program=program, firm=firm)
    with CaptureQueriesContext(connection) as queries:
        preview(firm=firm, program=program, requested_units=5)
    statements = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    assert set(statements) == {"SELECT"}, statements


def test_preview_ignores_a_withdrawn_application(firm, program):
    old = ApplicationFactory(program=program, firm=firm, requested_units=99)
    add_document(old, Doc.EXPORT_PLAN)
    Application.objects.filter(pk=old.pk).update(status=Status.WITHDRAWN)
    assert "required_documents" in preview(firm=firm, program=program).failed_rules
