"""The parameters each eligibility rule type takes, and their validation.

A manager configures a program's rules as data (``EligibilityRule``: a type and a JSON object
of parameters); ``validate_params`` checks such an object against the type's fields
(``params``) and its cross-field checks, and returns the normalised parameters or every
problem at once. What each rule type checks on an application, and the reasons it gives, is
``applications.eligibility.rules``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from firms.models import ExportTier, IPHolding, Sector, SizeClass
from programs.choices import DocumentType, EligibilityRuleType
from programs.eligibility.params import AmountsByCode, Codes, ParamField, WholeNumber, clean_fields, range_problems

if TYPE_CHECKING:
    from programs.models import Program

T = EligibilityRuleType


def _cap_problems(cleaned: dict[str, Any], program: Program | None) -> list[str]:
    if program is None or not program.per_firm_cap:
        return []
    problems = []
    amounts = [("default", cleaned.get("default"))] + [
        (f"by_export_tier.{tier}", cap) for tier, cap in (cleaned.get("by_export_tier") or {}).items()
    ]
    for name, value in amounts:
        if value is not None and value > program.per_firm_cap:
            problems.append(
                _("“%(field)s” (%(value)s) cannot exceed the program's per-firm cap of %(cap)s.")
                % {"field": name, "value": f"{value:,}", "cap": f"{program.per_firm_cap:,}"}
            )
    return problems


@dataclass(frozen=True)
class RuleSpec:
    fields: tuple[ParamField, ...]
    # Cross-field checks on the cleaned parameters, given the program when known.
    cross_check: Callable[[dict[str, Any], Program | None, bool], list[str]] = lambda cleaned, program, ok: []


RULE_SPECS: dict[str, RuleSpec] = {
    T.SECTOR_IN: RuleSpec((Codes("sectors", lambda: Sector),)),
    T.SIZE_CLASS_IN: RuleSpec((Codes("size_classes", lambda: SizeClass),)),
    T.EXPORT_TIER_IN: RuleSpec((Codes("tiers", lambda: ExportTier),)),
    T.EXPORTS_USD_RANGE: RuleSpec(
        (WholeNumber("min", required=False), WholeNumber("max", required=False)),
        lambda cleaned, program, ok: range_problems(cleaned, fields_ok=ok),
    ),
    T.MIN_YEARS_SINCE_FOUNDING: RuleSpec((WholeNumber("years", minimum=1, maximum=100),)),
    T.EMPLOYEES_RANGE: RuleSpec(
        (WholeNumber("min", required=False), WholeNumber("max", required=False)),
        lambda cleaned, program, ok: range_problems(cleaned, fields_ok=ok),
    ),
    T.REQUIRED_DOCUMENTS: RuleSpec((Codes("doc_types", lambda: DocumentType),)),
    T.MAX_PRIOR_APPROVALS: RuleSpec((WholeNumber("max", minimum=0), WholeNumber("years", minimum=1, maximum=30))),
    T.NO_OVERDUE_OUTCOME_REPORT: RuleSpec(()),
    T.NOT_SANCTIONED: RuleSpec(()),
    T.PER_FIRM_CAP: RuleSpec(
        (WholeNumber("default", minimum=1), AmountsByCode("by_export_tier", lambda: ExportTier)),
        lambda cleaned, program, ok: _cap_problems(cleaned, program),
    ),
    T.TARGET_COUNTRY_IN_MARKETS: RuleSpec(()),
    T.IP_REGISTERED_IN_TARGET: RuleSpec((Codes("kinds", lambda: IPHolding.Kind, required=False),)),
}
assert set(RULE_SPECS) == set(T.values), "every rule type needs a spec"


def validate_params(rule_type: str, params: Any, *, program: Program | None = None) -> dict[str, Any]:
    """The cleaned parameters of a ``rule_type`` rule, or a ValidationError listing every
    problem (each message names the parameter)."""
    spec = RULE_SPECS.get(rule_type)
    if spec is None:
        raise ValidationError(
            _("Unknown rule type “%(rule)s”. Known types: %(types)s.")
            % {"rule": rule_type, "types": ", ".join(T.values)}
        )
    cleaned, errors = clean_fields(spec.fields, params)
    errors += spec.cross_check(cleaned, program, not errors)
    if errors:
        raise ValidationError(errors)
    return cleaned
