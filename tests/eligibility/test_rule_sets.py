"""Which rules apply to a program, and how changing them is versioned and triggers the
re-check."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from applications import tasks
from applications.eligibility import evaluate, rule_set_for
from applications.models import Application
from programs.models import EligibilityRule, EligibilityRuleSet
from programs.services import eligibility_rule_delete, eligibility_rule_save, eligibility_rules_replace
from tests.factories import ApplicationFactory, FirmFactory, ProgramFactory

pytestmark = pytest.mark.django_db


def _outcome(program, firm=None, units=10_000_000):
    application = ApplicationFactory(program=program, firm=firm or FirmFactory(), requested_units=units)
    return evaluate(Application.objects.select_related("program", "firm").get(pk=application.pk))


def _types(outcome):
    return [r["rule"] for r in outcome.results]


@pytest.fixture
def enqueued(monkeypatch):
    calls = []
    monkeypatch.setattr(tasks.recheck_program, "delay", lambda program_id: calls.append(program_id))
    return calls


# --- Baseline -----------------------------------------------------------------------------------


def test_a_program_without_rules_applies_the_baseline_at_version_zero():
    outcome = _outcome(ProgramFactory())
    assert _types(outcome) == ["size_class_in", "not_sanctioned", "per_firm_cap"]
    assert outcome.rules_version == 0
    assert outcome.passed


def test_baseline_checks_the_programs_target_sectors_when_it_names_any():
    program = ProgramFactory(target_sectors=["games"])
    outcome = _outcome(program, FirmFactory(sector="design"))
    assert _types(outcome)[0] == "sector_in"
    assert outcome.failed_rules == ["sector_in"]


def test_baseline_refuses_a_non_sme():
    firm = FirmFactory(employees=300, annual_revenue_krw=70_000_000_000)
    assert firm.size_class == "non_sme"
    assert _outcome(ProgramFactory(), firm).failed_rules == ["size_class_in"]


def test_a_configured_rule_replaces_the_baseline_rule_of_its_type():
    program = ProgramFactory()
    eligibility_rules_replace(
        program=program, rules=[{"rule_type": "size_class_in", "params": {"size_classes": ["medium", "non_sme"]}}]
    )
    firm = FirmFactory(employees=300, annual_revenue_krw=70_000_000_000)
    outcome = _outcome(program, firm)
    assert _types(outcome) == ["not_sanctioned", "per_firm_cap", "size_class_in"]
    assert outcome.passed
    assert outcome.rules_version == 1


def test_configured_rules_follow_the_baseline_in_their_given_order():
    program = ProgramFactory()
    eligibility_rules_replace(
        program=program,
        rules=[
            {"rule_type": "employees_range", "params": {"max": 49}},
            {"rule_type": "no_overdue_outcome_report", "params": {}},
            {"rule_type": "min_years_since_founding", "params": {"years": 1}},
        ],
    )
    assert _types(_outcome(program)) == [
        "size_class_in",
        "not_sanctioned",
        "per_firm_cap",
        "employees_range",
        "no_overdue_outcome_report",
        "min_years_since_founding",
    ]


def test_an_inactive_rule_is_skipped_and_lets_the_baseline_apply():
    program = ProgramFactory()
    eligibility_rules_replace(
        program=program,
        rules=[
            {"rule_type": "size_class_in", "params": {"size_classes": ["non_sme"]}, "is_active": False},
            {"rule_type": "employees_range", "params": {"max": 1}, "is_active": False},
        ],
    )
    outcome = _outcome(program)
    assert _types(outcome) == ["size_class_in", "not_sanctioned", "per_firm_cap"]
    assert outcome.results[0]["params"] == {"size_classes": ["micro", "small", "medium"]}


def test_replacing_with_no_rules_returns_to_the_baseline_under_a_new_version():
    program = ProgramFactory()
    eligibility_rules_replace(program=program, rules=[{"rule_type": "employees_range", "params": {"max": 1}}])
    eligibility_rules_replace(program=program, rules=[])
    outcome = _outcome(program)
    assert _types(outcome) == ["size_class_in", "not_sanctioned", "per_firm_cap"]
    assert outcome.rules_version == 2


def test_a_stored_rule_that_no_longer_validates_fails_closed_with_a_reason():
    program = ProgramFactory()
    eligibility_rules_replace(program=program, rules=[{"rule_type": "employees_range", "params": {"max": 9}}])
    # Edited around the services (a raw SQL fix gone wrong).
    EligibilityRule.objects.filter(program=program).update(params={"max": "nine"})
    outcome = _outcome(program)
    result = outcome.results[-1]
    assert result["passed"] is False
    assert result["reason"]["en"] == (
        "This program's “Employees within a range” rule is set up incorrectly, so it could not be checked; "
        "the agency will correct it and check your application again."
    )


# --- Versions and the re-check ---------------------------------------------------------------------


def test_each_change_bumps_the_version_and_records_who(manager, enqueued, django_capture_on_commit_callbacks):
    program = ProgramFactory()
    with django_capture_on_commit_callbacks(execute=True):
        created = eligibility_rules_replace(
            program=program, rules=[{"rule_type": "employees_range", "params": {"max": 9}}], actor=manager
        )
    rule_set = EligibilityRuleSet.objects.get(program=program)
    assert (rule_set.version, rule_set.changed_by) == (1, manager)
    assert rule_set.changed_at is not None
    assert [(r.rule_type, r.position, r.params) for r in created] == [("employees_range", 1, {"max": 9})]
    assert enqueued == [program.pk]


def test_the_recheck_is_enqueued_only_once_the_change_commits(enqueued, django_capture_on_commit_callbacks):
    program = ProgramFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        eligibility_rules_replace(program=program, rules=[])
    assert enqueued == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert enqueued == [program.pk]


def test_a_broker_outage_does_not_undo_the_rules_change(monkeypatch, django_capture_on_commit_callbacks, caplog):
    def broker_down(program_id):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.recheck_program, "delay", broker_down)
    program = ProgramFactory()
    with django_capture_on_commit_callbacks(execute=True):
        eligibility_rules_replace(program=program, rules=[{"rule_type": "not_sanctioned", "params": {}}])
    assert EligibilityRuleSet.objects.get(program=program).version == 1
    assert "Could not enqueue the re-check" in caplog.text


def test_saving_and_deleting_one_rule_bump_the_version(enqueued, django_capture_on_commit_callbacks):
    program = ProgramFactory()
    rule = EligibilityRule(program=program, rule_type="employees_range", params={"max": 9.0})
    with django_capture_on_commit_callbacks(execute=True):
        eligibility_rule_save(rule=rule)
    assert EligibilityRule.objects.get(pk=rule.pk).params == {"max": 9}
    rule.params = {"max": 19}
    with django_capture_on_commit_callbacks(execute=True):
        eligibility_rule_save(rule=rule)
    with django_capture_on_commit_callbacks(execute=True):
        eligibility_rule_delete(rule=rule)
    assert EligibilityRuleSet.objects.get(program=program).version == 3
    assert not EligibilityRule.objects.filter(program=program).exists()
    assert enqueued == [program.pk] * 3


def test_saving_an_invalid_rule_changes_nothing():
    program = ProgramFactory()
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        eligibility_rule_save(rule=EligibilityRule(program=program, rule_type="employees_range", params={}))
    assert not EligibilityRuleSet.objects.filter(program=program).exists()
    assert rule_set_for(program).version == 0


# serialized_rollback: the flush after a committing test must not leave the reference data
# (countries, thresholds) missing, nor clash with the worker tests' own restore.
@pytest.mark.django_db(transaction=True)
def test_concurrent_changes_each_get_their_own_version(monkeypatch):
    """Two managers save the rules of a program that has never had any, at the same moment
    and repeatedly: the rule-set row is created once and every change is numbered."""
    monkeypatch.setattr(tasks.recheck_program, "delay", lambda program_id: None)
    program = ProgramFactory()
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def edit(max_employees: int) -> None:
        try:
            start.wait()
            for _ in range(5):
                eligibility_rules_replace(
                    program=program, rules=[{"rule_type": "employees_range", "params": {"max": max_employees}}]
                )
        except BaseException as error:  # surfaced below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=(n,)) for n in (9, 19)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert EligibilityRuleSet.objects.get(program=program).version == 10
    assert EligibilityRule.objects.filter(program=program).count() == 1
