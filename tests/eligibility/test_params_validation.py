"""Rule parameters are validated with messages that name the parameter, on the model's
clean() (admin) and in the service (API), before anything is written."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from programs.choices import EligibilityRuleType
from programs.eligibility.specs import validate_params
from programs.models import EligibilityRule, EligibilityRuleSet
from programs.services import eligibility_rules_replace
from tests.factories import ProgramFactory

pytestmark = pytest.mark.django_db


def _messages(rule_type, params, program=None):
    with pytest.raises(ValidationError) as caught:
        validate_params(rule_type, params, program=program)
    return caught.value.messages


def test_unknown_rule_type_lists_the_known_ones():
    (message,) = _messages("turnover_below", {})
    assert message.startswith("Unknown rule type “turnover_below”. Known types: sector_in, size_class_in")


def test_parameters_must_be_an_object():
    assert _messages("employees_range", [1, 9]) == ["The parameters must be a JSON object."]


def test_missing_required_parameter_is_named():
    assert _messages("min_years_since_founding", {}) == ["“years” is required."]


def test_unknown_parameter_is_named_with_the_accepted_ones():
    assert _messages("employees_range", {"max": 9, "maximum": 9}) == [
        "Unknown parameter “maximum”; this rule accepts: “max”, “min”."
    ]


def test_a_rule_without_parameters_refuses_any():
    assert _messages("not_sanctioned", {"days": 3}) == ["This rule takes no parameters; remove “days”."]


@pytest.mark.parametrize("value", [3.5, "3", True])
def test_whole_numbers_refuse_fractions_strings_and_booleans(value):
    assert _messages("min_years_since_founding", {"years": value}) == ["“years” must be a whole number."]


def test_null_counts_as_missing():
    assert _messages("min_years_since_founding", {"years": None}) == ["“years” is required."]


def test_whole_numbers_have_bounds():
    assert _messages("employees_range", {"min": -1}) == ["“min” must be at least 0."]
    assert _messages("min_years_since_founding", {"years": 0}) == ["“years” must be at least 1."]
    assert _messages("max_prior_approvals", {"max": 1, "years": 31}) == ["“years” must be at most 30."]


def test_whole_number_written_as_a_float_is_accepted_and_normalised():
    assert validate_params("min_years_since_founding", {"years": 3.0}) == {"years": 3}


def test_range_needs_one_end_and_its_ends_in_order():
    assert _messages("exports_usd_range", {}) == ["Give “min”, “max” or both."]
    assert _messages("exports_usd_range", {"min": 10, "max": 5}) == ["“min” (10) cannot be greater than “max” (5)."]


def test_codes_must_be_a_non_empty_list_of_known_codes():
    assert _messages("sector_in", {"sectors": "design"}) == [
        '“sectors” must be a list of codes, e.g. ["publishing", "comics"].'
    ]
    assert _messages("sector_in", {"sectors": []}) == ["“sectors” must list at least one code."]
    (message,) = _messages("required_documents", {"doc_types": ["export_plan", "passport"]})
    assert message.startswith("“doc_types” contains unknown codes: passport. Allowed: business_registration, ")


def test_duplicate_codes_are_dropped_in_order():
    assert validate_params("export_tier_in", {"tiers": ["starter", "global", "starter"]}) == {
        "tiers": ["starter", "global"]
    }


def test_per_firm_cap_tiers_and_amounts_are_checked():
    assert _messages("per_firm_cap", {"default": 5, "by_export_tier": {"huge": 5}})[0].startswith(
        "“by_export_tier” contains unknown codes: huge. Allowed: domestic, starter"
    )
    assert _messages("per_firm_cap", {"default": 5, "by_export_tier": {"starter": 0}}) == [
        "“by_export_tier.starter” must be at least 1."
    ]
    assert _messages("per_firm_cap", {"by_export_tier": []}) == [
        "“default” is required.",
        '“by_export_tier” must be an object mapping codes to amounts, e.g. {"domestic": 1000}.',
    ]


def test_per_firm_cap_cannot_exceed_the_programs_cap():
    program = ProgramFactory(per_firm_cap=30_000_000)
    assert _messages("per_firm_cap", {"default": 30_000_001, "by_export_tier": {"global": 40_000_000}}, program) == [
        "“default” (30,000,001) cannot exceed the program's per-firm cap of 30,000,000.",
        "“by_export_tier.global” (40,000,000) cannot exceed the program's per-firm cap of 30,000,000.",
    ]


def test_model_clean_reports_problems_on_the_params_field():
    rule = EligibilityRule(program=ProgramFactory(), rule_type=EligibilityRuleType.EMPLOYEES_RANGE, params={"max": "9"})
    with pytest.raises(ValidationError) as caught:
        rule.full_clean()
    assert caught.value.message_dict == {"params": ["“max” must be a whole number."]}


def test_model_clean_normalises_valid_params():
    rule = EligibilityRule(
        program=ProgramFactory(), rule_type=EligibilityRuleType.SECTOR_IN, params={"sectors": ["games", "games"]}
    )
    rule.full_clean()
    assert rule.params == {"sectors": ["games"]}


def test_service_reports_every_problem_of_every_rule_and_writes_nothing():
    program = ProgramFactory()
    eligibility_rules_replace(program=program, rules=[{"rule_type": "not_sanctioned", "params": {}}])
    with pytest.raises(ValidationError) as caught:
        eligibility_rules_replace(
            program=program,
            rules=[
                {"rule_type": "employees_range", "params": {"min": 10, "max": 5}},
                {"rule_type": "employees_range", "params": {"max": 5}},
                {"rule_type": "sector_in", "params": {"sectors": ["games"]}, "is_active": "yes"},
                {"rule_type": "nope", "params": {}},
                {"rule_type": "not_sanctioned", "params": {}, "weight": 2},
                "sector_in",
            ],
        )
    assert caught.value.message_dict == {
        "rules": [
            "Rule 1 (Employees within a range): “min” (10) cannot be greater than “max” (5).",
            "Rule 2 (Employees within a range): the program already has a rule of this type; give each type once.",
            "Rule 3 (Sector is one of): “is_active” must be true or false.",
            "Rule 4 (nope): Unknown rule type “nope”. Known types: " + ", ".join(EligibilityRuleType.values) + ".",
            "Rule 5 (Not under a sanction): unknown keys “weight”; a rule has “rule_type”, “params” and “is_active”.",
            "Rule 6: must be an object with “rule_type” and “params”.",
        ]
    }
    assert list(program.eligibility_rules.values_list("rule_type", flat=True)) == ["not_sanctioned"]
    assert EligibilityRuleSet.objects.get(program=program).version == 1
