"""Eligibility rules edited inline on the program's admin page: saved as one set through
eligibility_rules_replace (one version bump, one re-check per save), refusals shown on the
form, and the rule set's version shown read-only."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError
from django.utils import timezone

from applications import tasks
from programs.models import EligibilityRule, EligibilityRuleSet, Program
from programs.services import eligibility_rules_replace
from sme_support.roles import Role
from tests.admin.conftest import client_for
from tests.admin.test_registry_admin import _program_data
from tests.factories import user_in_group

pytestmark = pytest.mark.django_db

PREFIX = "eligibility_rules"


@pytest.fixture
def enqueued(monkeypatch) -> list[int]:
    calls: list[int] = []
    monkeypatch.setattr(tasks.recheck_program, "delay", lambda program_id: calls.append(program_id))
    return calls


def _rules_data(rows: list[dict], *, initial: int = 0) -> dict:
    data = {f"{PREFIX}-TOTAL_FORMS": str(len(rows)), f"{PREFIX}-INITIAL_FORMS": str(initial)}
    for index, row in enumerate(rows):
        for key, value in row.items():
            if key == "params" and not isinstance(value, str):
                value = json.dumps(value)
            if key in ("is_active", "DELETE"):
                if value:
                    data[f"{PREFIX}-{index}-{key}"] = "on"
                continue
            data[f"{PREFIX}-{index}-{key}"] = str(value)
    return data


def _existing(program: Program) -> list[dict]:
    """The formset rows of the program's current rules, unchanged."""
    return [
        {
            "id": rule.pk,
            "program": program.pk,
            "position": rule.position,
            "rule_type": rule.rule_type,
            "params": rule.params,
            "is_active": rule.is_active,
        }
        for rule in EligibilityRule.objects.filter(program=program).order_by("position", "pk")
    ]


def _post(client, program: Program, rows: list[dict], *, initial: int = 0, **program_fields):
    data = {**_program_data(program, **program_fields), **_rules_data(rows, initial=initial)}
    return client.post(f"/en/admin/programs/program/{program.pk}/change/", data)


def _rules(program: Program) -> list[tuple]:
    return list(
        EligibilityRule.objects.filter(program=program)
        .order_by("position")
        .values_list("position", "rule_type", "params", "is_active")
    )


def _version(program: Program) -> int:
    rule_set = EligibilityRuleSet.objects.filter(program=program).first()
    return rule_set.version if rule_set else 0


def _rules_formset(response):
    return next(f for f in response.context["inline_admin_formsets"] if f.formset.model is EligibilityRule).formset


def test_a_manager_adds_rules_inline_and_they_are_saved_as_one_set(
    manager, manager_client, program, enqueued, django_capture_on_commit_callbacks
) -> None:
    rows = [
        {"position": 2, "rule_type": "employees_range", "params": {"min": 1, "max": 50}, "is_active": True},
        {"position": 1, "rule_type": "sector_in", "params": {"sectors": ["games", "music"]}, "is_active": True},
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(manager_client, program, rows)
    assert response.status_code == 302, response.context and _rules_formset(response).errors

    assert _rules(program) == [
        (1, "sector_in", {"sectors": ["games", "music"]}, True),
        (2, "employees_range", {"min": 1, "max": 50}, True),
    ]
    rule_set = EligibilityRuleSet.objects.get(program=program)
    assert (rule_set.version, rule_set.changed_by) == (1, manager)
    assert rule_set.changed_at is not None
    assert enqueued == [program.pk]
    entry = LogEntry.objects.filter(object_id=str(program.pk)).latest("action_time")
    assert "eligibility rule" in entry.get_change_message()


def test_changing_and_deleting_rules_bumps_the_version_once(
    manager_client, program, enqueued, django_capture_on_commit_callbacks
) -> None:
    eligibility_rules_replace(
        program=program,
        rules=[
            {"rule_type": "sector_in", "params": {"sectors": ["games"]}},
            {"rule_type": "not_sanctioned", "params": {}},
            {"rule_type": "min_years_since_founding", "params": {"years": 2}},
        ],
    )
    assert _version(program) == 1
    rows = _existing(program)
    rows[0]["params"] = {"sectors": ["games", "design"]}
    rows[1]["DELETE"] = True
    rows[2]["is_active"] = False
    rows.append({"position": 9, "rule_type": "no_overdue_outcome_report", "params": {}, "is_active": True})

    with django_capture_on_commit_callbacks(execute=True):
        response = _post(manager_client, program, rows, initial=3)
    assert response.status_code == 302, response.context and _rules_formset(response).errors

    assert _rules(program) == [
        (1, "sector_in", {"sectors": ["games", "design"]}, True),
        (2, "min_years_since_founding", {"years": 2}, False),
        (3, "no_overdue_outcome_report", {}, True),
    ]
    assert _version(program) == 2
    assert enqueued == [program.pk]


def test_saving_the_program_without_touching_its_rules_keeps_the_version(
    manager_client, program, enqueued, django_capture_on_commit_callbacks
) -> None:
    eligibility_rules_replace(program=program, rules=[{"rule_type": "sector_in", "params": {"sectors": ["games"]}}])
    rows = _existing(program)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(manager_client, program, rows, initial=1, title_en="Renamed call")
    assert response.status_code == 302
    program.refresh_from_db()
    assert program.title_en == "Renamed call"
    assert _version(program) == 1
    assert enqueued == []


def test_removing_every_rule_returns_the_program_to_the_baseline(manager_client, program) -> None:
    eligibility_rules_replace(program=program, rules=[{"rule_type": "sector_in", "params": {"sectors": ["games"]}}])
    rows = _existing(program)
    rows[0]["DELETE"] = True
    response = _post(manager_client, program, rows, initial=1)
    assert response.status_code == 302
    assert _rules(program) == []
    assert _version(program) == 2


def test_bad_parameters_are_shown_on_their_row_and_nothing_is_saved(manager_client, program, enqueued) -> None:
    rows = [
        {"position": 1, "rule_type": "sector_in", "params": {"sectors": ["knitting"]}, "is_active": True},
        {"position": 2, "rule_type": "employees_range", "params": "{not json", "is_active": True},
        {"position": 3, "rule_type": "no_such_rule", "params": {}, "is_active": True},
    ]
    response = _post(manager_client, program, rows, title_en="Should not be saved")
    assert response.status_code == 200
    formset = _rules_formset(response)
    assert "knitting" in str(formset.errors[0]["params"])
    assert "params" in formset.errors[1]
    assert "rule_type" in formset.errors[2]
    assert _rules(program) == [] and _version(program) == 0
    program.refresh_from_db()
    assert program.title_en != "Should not be saved"
    assert enqueued == []


def test_a_rule_type_given_twice_is_refused(manager_client, program) -> None:
    rows = [
        {"position": 1, "rule_type": "sector_in", "params": {"sectors": ["games"]}, "is_active": True},
        {"position": 2, "rule_type": "sector_in", "params": {"sectors": ["music"]}, "is_active": True},
    ]
    response = _post(manager_client, program, rows)
    assert response.status_code == 200
    assert _rules_formset(response).non_form_errors()
    assert _rules(program) == []


def test_a_refusal_by_the_service_is_shown_with_the_rules_and_rolls_everything_back(
    manager_client, program, monkeypatch, enqueued, django_capture_on_commit_callbacks
) -> None:
    calls = []

    def replace_then_refuse(**kwargs):
        # The real service runs (and bumps the version), then refuses: all of it must roll back.
        calls.append(kwargs)
        eligibility_rules_replace(**kwargs)
        raise ValidationError({"rules": ["Rule 1 (Sector is one of): the sector list is under review."]})

    monkeypatch.setattr("programs.admin.eligibility_rules_replace", replace_then_refuse)
    rows = [{"position": 1, "rule_type": "sector_in", "params": {"sectors": ["games"]}, "is_active": True}]
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(manager_client, program, rows, title_en="Rolled back")

    assert response.status_code == 200
    assert len(calls) == 1  # once per save, and not again when the page is rendered with the error
    errors = _rules_formset(response).non_form_errors()
    assert "Rule 1 (Sector is one of): the sector list is under review." in errors
    assert _rules(program) == [] and _version(program) == 0
    program.refresh_from_db()
    assert program.title_en != "Rolled back"
    assert enqueued == []
    # The rows the manager typed are shown again for correction.
    assert _rules_formset(response).forms[0]["rule_type"].value() == "sector_in"


def test_adding_a_program_with_rules(manager_client, enqueued, django_capture_on_commit_callbacks) -> None:
    template = Program(
        code="new-call",
        kind="export_funding",
        fiscal_year=2026,
        title_ko="새 공모",
        title_en="New call",
        opens_at=timezone.now() - dt.timedelta(days=1),
        closes_at=timezone.now() + dt.timedelta(days=30),
        review_target_days=14,
        capacity=50_000_000,
        per_firm_cap=10_000_000,
        co_funding_share=30,
        eligible_expenses=["market_research"],
        selection_mode="ranked",
    )
    data = _program_data(template)
    data.update(
        _rules_data([{"position": 1, "rule_type": "per_firm_cap", "params": {"default": 5_000_000}, "is_active": True}])
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post("/en/admin/programs/program/add/", data)
    assert response.status_code == 302, response.context and (
        response.context["adminform"].form.errors,
        _rules_formset(response).errors,
    )
    program = Program.objects.get(code="new-call")
    assert _rules(program) == [(1, "per_firm_cap", {"default": 5_000_000}, True)]
    assert _version(program) == 1
    assert enqueued == [program.pk]


def test_a_cap_rule_above_the_programs_cap_is_refused(manager_client, program) -> None:
    rows = [{"position": 1, "rule_type": "per_firm_cap", "params": {"default": 999_000_000}, "is_active": True}]
    response = _post(manager_client, program, rows)
    assert response.status_code == 200
    assert "per-firm cap" in str(_rules_formset(response).errors[0]["params"])
    assert _rules(program) == []


def test_the_rule_set_version_is_shown_read_only(manager, manager_client, program) -> None:
    response = manager_client.get(f"/en/admin/programs/program/{program.pk}/change/")
    assert "the baseline rules" in response.content.decode()
    eligibility_rules_replace(
        program=program, rules=[{"rule_type": "sector_in", "params": {"sectors": ["games"]}}], actor=manager
    )
    response = manager_client.get(f"/en/admin/programs/program/{program.pk}/change/")
    page = response.content.decode()
    assert 'class="readonly">1</div>' in page
    assert manager.username in page
    form = response.context["adminform"].form
    assert "rules_version_column" not in form.fields  # shown, never posted


def test_officers_see_the_rules_but_cannot_edit_them(program) -> None:
    eligibility_rules_replace(program=program, rules=[{"rule_type": "sector_in", "params": {"sectors": ["games"]}}])
    officer = user_in_group(Role.OFFICER)
    response = client_for(officer).get(f"/en/admin/programs/program/{program.pk}/change/")
    assert response.status_code == 200
    inline = next(f for f in response.context["inline_admin_formsets"] if f.formset.model is EligibilityRule)
    assert not inline.has_add_permission and not inline.has_change_permission
    assert "games" in response.content.decode()
