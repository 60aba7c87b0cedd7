"""Officers may override an ineligible result, with a written justification that the
history keeps; the bulk re-check respects the override."""

from __future__ import annotations

import pytest

from applications.casework.services import application_override_eligibility
from applications.eligibility.recheck import program_recheck
from applications.eligibility.screening import application_screen
from applications.errors import NoteRequired, NotPermitted, TransitionNotAllowed
from applications.intake.services import application_submit
from applications.models import Application, StatusChange
from applications.workflow import Status
from programs.services import eligibility_rules_replace
from tests.factories import ApplicationFactory, FirmFactory, firm_user

pytestmark = pytest.mark.django_db

JUSTIFICATION = "Headcount includes 4 seasonal contractors; permanent staff is 8, within the limit."


@pytest.fixture
def ineligible(program, firm_staff, firm):
    Firm = type(firm)
    Firm.objects.filter(pk=firm.pk).update(employees=12)
    eligibility_rules_replace(program=program, rules=[{"rule_type": "employees_range", "params": {"max": 9}}])
    application = ApplicationFactory(program=program, firm=firm)
    application_submit(application=application, actor=firm_staff)
    application_screen(application_id=application.pk)
    application.refresh_from_db()
    assert application.status == Status.INELIGIBLE
    return application


def test_override_moves_to_eligible_and_records_the_justification(ineligible, officer):
    application_override_eligibility(application=ineligible, actor=officer, justification=JUSTIFICATION)
    assert ineligible.status == Status.ELIGIBLE
    row = ineligible.history.latest("at", "pk")
    assert (row.transition, row.from_status, row.to_status) == ("override_eligibility", "ineligible", "eligible")
    assert (row.actor, row.actor_kind, row.note) == (officer, "officer", JUSTIFICATION)
    # The stored results still show what failed: the override explains, it does not rewrite.
    assert [r["rule"] for r in ineligible.eligibility_results if not r["passed"]] == ["employees_range"]


def test_override_needs_a_justification(ineligible, officer):
    with pytest.raises(NoteRequired):
        application_override_eligibility(application=ineligible, actor=officer, justification="  ")
    ineligible.refresh_from_db()
    assert ineligible.status == Status.INELIGIBLE
    assert not StatusChange.objects.filter(application=ineligible, transition="override_eligibility").exists()


def test_the_firm_cannot_override_its_own_result(ineligible, firm_staff):
    with pytest.raises(NotPermitted):
        application_override_eligibility(application=ineligible, actor=firm_staff, justification="We qualify")


def test_only_an_ineligible_application_can_be_overridden(program, officer):
    application = ApplicationFactory(program=program, firm=FirmFactory())
    firm_user(application.firm)
    Application.objects.filter(pk=application.pk).update(status=Status.ELIGIBLE)
    application.refresh_from_db()
    with pytest.raises(TransitionNotAllowed):
        application_override_eligibility(application=application, actor=officer, justification="x")


def test_a_recheck_refreshes_an_overridden_application_but_leaves_it_eligible(ineligible, officer, program):
    application_override_eligibility(application=ineligible, actor=officer, justification=JUSTIFICATION)
    eligibility_rules_replace(program=program, rules=[{"rule_type": "employees_range", "params": {"max": 10}}])

    assert program_recheck(program_id=program.pk) == 1

    ineligible.refresh_from_db()
    assert ineligible.status == Status.ELIGIBLE
    assert ineligible.eligibility_rules_version == 2
    assert ineligible.eligibility_results[-1]["params"] == {"max": 10}
    assert ineligible.history.latest("at", "pk").transition == "override_eligibility"
