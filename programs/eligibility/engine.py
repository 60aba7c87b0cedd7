"""The one evaluator: a program's rule set applied to a batch of applications.

Which rules apply
-----------------
A program's *configured* rules (``EligibilityRule`` rows with ``is_active``) apply in their
``position`` order. On top of them, four *baseline* rules keep the agency's standing
conditions in force, each unless the program configures a rule of the same type (which then
replaces it):

- ``sector_in`` — the program's ``target_sectors`` (only when it names any);
- ``size_class_in`` — micro, small and medium firms (SMEs);
- ``not_sanctioned`` — no sanction in force today;
- ``per_firm_cap`` — the program's ``per_firm_cap``.

So a program with no rules is judged exactly as before rules became data, a manager can
narrow or widen a baseline condition by configuring that type, and an inactive rule simply
lets the baseline apply. Whatever a ``per_firm_cap`` rule says, the program's own cap stays
the ceiling (the application services refuse larger requests anyway).

Three callers
-------------
``evaluate(application)`` — the post-submit check (``applications.services.application_screen``);
``preview(firm=, program=, requested_units=)`` — the portal, read-only;
``evaluate_many(rule_set=, applications=)`` — the bulk re-check (``applications.recheck``).
All three load facts through ``facts.load_facts`` and judge them with ``rules.RULES``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy

from applications.models import Application
from applications.workflow import Status
from firms.models import Firm, SizeClass
from programs.eligibility.facts import load_facts
from programs.eligibility.reasons import Reason, ReasonRenderer, labels
from programs.eligibility.rules import RULES, Context, validate_params
from programs.models import EligibilityRule, EligibilityRuleSet, EligibilityRuleType, Program

logger = logging.getLogger(__name__)

T = EligibilityRuleType

SME_CLASSES = [SizeClass.MICRO, SizeClass.SMALL, SizeClass.MEDIUM]
# Types whose facts need the program's target countries.
_TARGETED = {T.TARGET_COUNTRY_IN_MARKETS, T.IP_REGISTERED_IN_TARGET}

MISCONFIGURED = gettext_lazy(
    "This program's “%(rule)s” rule is set up incorrectly, so it could not be checked; the agency will "
    "correct it and check your application again."
)


@dataclass(frozen=True)
class ActiveRule:
    rule_type: str
    params: dict[str, Any]
    baseline: bool = False
    # Stored parameters that no longer validate (edited around the services): the rule fails
    # closed with a reason saying so, and the error is logged for the agency.
    problem: str = ""


@dataclass(frozen=True)
class RuleSet:
    program: Program
    version: int
    rules: tuple[ActiveRule, ...]
    targets: tuple[tuple[str, str, str], ...] = ()

    def uses(self, rule_type: str) -> bool:
        return any(r.rule_type == rule_type and not r.problem for r in self.rules)

    def params_of(self, rule_type: str) -> dict[str, Any] | None:
        return next((r.params for r in self.rules if r.rule_type == rule_type and not r.problem), None)


@dataclass
class EligibilityOutcome:
    passed: bool
    results: list[dict[str, Any]] = field(default_factory=list)
    rules_version: int = 0

    @property
    def failed_rules(self) -> list[str]:
        return [r["rule"] for r in self.results if not r["passed"]]


def baseline_rules(program: Program) -> list[ActiveRule]:
    rules = []
    if program.target_sectors:
        rules.append(ActiveRule(T.SECTOR_IN, {"sectors": list(program.target_sectors)}, baseline=True))
    rules += [
        ActiveRule(T.SIZE_CLASS_IN, {"size_classes": list(SME_CLASSES)}, baseline=True),
        ActiveRule(T.NOT_SANCTIONED, {}, baseline=True),
        ActiveRule(T.PER_FIRM_CAP, {"default": program.per_firm_cap}, baseline=True),
    ]
    return rules


def rule_set_for(program: Program) -> RuleSet:
    """The rules that apply to ``program`` now, and their version (2–3 queries)."""
    configured = []
    for rule in EligibilityRule.objects.filter(program=program, is_active=True).order_by("position", "pk"):
        try:
            # The shape only: a cap above a since-lowered program cap is not an error here,
            # the check clamps it to the program's cap.
            params = validate_params(rule.rule_type, rule.params)
            configured.append(ActiveRule(rule.rule_type, params))
        except ValidationError as error:
            logger.error("Eligibility rule %s of program %s is invalid: %s", rule.pk, program.pk, error.messages)
            configured.append(ActiveRule(rule.rule_type, rule.params, problem="; ".join(error.messages)))
    configured_types = {r.rule_type for r in configured}
    rules = [r for r in baseline_rules(program) if r.rule_type not in configured_types] + configured
    version = EligibilityRuleSet.objects.filter(program=program).values_list("version", flat=True).first() or 0
    targets: tuple[tuple[str, str, str], ...] = ()
    if any(r.rule_type in _TARGETED for r in rules):
        targets = tuple(program.target_countries.order_by("name_en").values_list("iso2", "name_ko", "name_en"))
    return RuleSet(program=program, version=version, rules=tuple(rules), targets=targets)


def evaluate_many(
    *,
    rule_set: RuleSet,
    applications: Sequence[Application],
    today: dt.date | None = None,
    requested_units: Sequence[int | None] | None = None,
    renderer: ReasonRenderer | None = None,
) -> list[EligibilityOutcome]:
    """Judge every application (``firm`` loaded) against ``rule_set``; a constant number of
    queries whatever the batch size, none per rule or per application."""
    today = today or timezone.localdate()
    renderer = renderer or ReasonRenderer()
    ctx = Context(program=rule_set.program, today=today, targets=rule_set.targets)
    all_facts = load_facts(rule_set=rule_set, applications=applications, today=today, requested_units=requested_units)
    outcomes = []
    for facts in all_facts:
        results = []
        for rule in rule_set.rules:
            if rule.problem:
                passed, reason = False, Reason(MISCONFIGURED, rule=labels(T, [rule.rule_type]))
            else:
                passed, reason = RULES[rule.rule_type].check(rule.params, facts, ctx)
            results.append(
                {"rule": rule.rule_type, "passed": passed, "reason": renderer.both(reason), "params": rule.params}
            )
        outcomes.append(
            EligibilityOutcome(
                passed=all(r["passed"] for r in results), results=results, rules_version=rule_set.version
            )
        )
    return outcomes


def evaluate(application: Application) -> EligibilityOutcome:
    """The post-submit check of one application (its ``program`` and ``firm`` are used as loaded)."""
    rule_set = rule_set_for(application.program)
    return evaluate_many(rule_set=rule_set, applications=[application])[0]


def preview(*, firm: Firm, program: Program, requested_units: int | None = None) -> EligibilityOutcome:
    """What the portal shows a firm before (or while) it applies: the same rules on the same
    facts, without writing anything.

    If the firm already has a live application to the program, its documents count, and its
    requested units unless ``requested_units`` asks "what if". Without either, the per-firm
    cap rule says how much the firm may request instead of judging an amount.
    """
    live = (
        Application.objects.filter(firm=firm, program=program).exclude(status=Status.WITHDRAWN).order_by("-pk").first()
    )
    application = live or Application(firm=firm, program=program, requested_units=requested_units or 1)
    application.firm = firm
    units = requested_units if requested_units is not None else (live.requested_units if live else None)
    return evaluate_many(rule_set=rule_set_for(program), applications=[application], requested_units=[units])[0]
