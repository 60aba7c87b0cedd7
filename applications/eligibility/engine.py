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
``evaluate(application)`` — the post-submit check (``eligibility.screening.application_screen``);
``preview(firm=, program=, requested_units=)`` — the portal, read-only;
``evaluate_many(rule_set=, applications=)`` — the bulk re-check (``eligibility.recheck``).
All three load facts through ``facts.load_facts`` and judge them with ``rules.CHECKS``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy

from applications.eligibility.facts import load_facts
from applications.eligibility.reasons import Reason, ReasonRenderer, labels
from applications.eligibility.rules import CHECKS, Context
from applications.models import Application
from applications.workflow import Status
from firms.models import Firm, SizeClass
from programs.choices import EligibilityRuleType
from programs.eligibility.specs import validate_params
from programs.models import EligibilityRule, EligibilityRuleSet, Program

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


def rule_sets_for(programs: Sequence[Program]) -> dict[int, RuleSet]:
    """The rules that apply to each program now, with their version, by program id: three
    queries in all whatever the number of programs (four when a rule needs target countries).

    Active configured rules apply in position order, each validated (one that no longer
    validates fails closed with a reason saying so, and is logged); then the baseline rules
    whose type no configured rule replaces.
    """
    ids = [program.pk for program in programs]
    configured: dict[int, list[ActiveRule]] = defaultdict(list)
    for rule in EligibilityRule.objects.filter(program_id__in=ids, is_active=True).order_by(
        "program_id", "position", "pk"
    ):
        try:
            # The shape only: a cap above a since-lowered program cap is not an error here,
            # the check clamps it to the program's cap.
            params = validate_params(rule.rule_type, rule.params)
            configured[rule.program_id].append(ActiveRule(rule.rule_type, params))
        except ValidationError as error:
            logger.error("Eligibility rule %s of program %s is invalid: %s", rule.pk, rule.program_id, error.messages)
            configured[rule.program_id].append(
                ActiveRule(rule.rule_type, rule.params, problem="; ".join(error.messages))
            )
    versions = dict(EligibilityRuleSet.objects.filter(program_id__in=ids).values_list("program_id", "version"))
    rules: dict[int, list[ActiveRule]] = {}
    for program in programs:
        types = {r.rule_type for r in configured[program.pk]}
        rules[program.pk] = [r for r in baseline_rules(program) if r.rule_type not in types] + configured[program.pk]
    targeted = [pk for pk, active in rules.items() if any(r.rule_type in _TARGETED for r in active)]
    targets: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    if targeted:
        rows = (
            Program.target_countries.through.objects.filter(program_id__in=targeted)
            .order_by("program_id", "country__name_en")
            .values_list("program_id", "country__iso2", "country__name_ko", "country__name_en")
        )
        for program_id, iso2, name_ko, name_en in rows:
            targets[program_id].append((iso2, name_ko, name_en))
    return {
        program.pk: RuleSet(
            program=program,
            version=versions.get(program.pk) or 0,
            rules=tuple(rules[program.pk]),
            targets=tuple(targets[program.pk]),
        )
        for program in programs
    }


def rule_set_for(program: Program) -> RuleSet:
    """The rules that apply to ``program`` now, and their version."""
    return rule_sets_for([program])[program.pk]


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
                passed, reason = CHECKS[rule.rule_type](rule.params, facts, ctx)
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
    return preview_many(firm=firm, programs=[program], requested_units=requested_units)[program.pk]


def preview_many(
    *, firm: Firm, programs: Sequence[Program], requested_units: int | None = None
) -> dict[int, EligibilityOutcome]:
    """``preview`` for each of ``programs`` (the portal's catalogue), by program id.

    The rules, their versions, the target countries and the firm's live applications are one
    query each for the whole list; what is left per program is only the facts its own rules
    need (markets, IP, documents, prior approvals, overdue reports), none for the baseline
    rules.
    """
    if not programs:
        return {}
    rule_sets = rule_sets_for(programs)
    live: dict[int, Application] = {}
    # Newest first; a firm has at most a few applications per call.
    for application in (
        Application.objects.filter(firm=firm, program_id__in=[p.pk for p in programs])
        .exclude(status=Status.WITHDRAWN)
        .order_by("-pk")
    ):
        live.setdefault(application.program_id, application)
    outcomes: dict[int, EligibilityOutcome] = {}
    for program in programs:
        application = live.get(program.pk) or Application(firm=firm, program=program, requested_units=1)
        application.firm = firm
        application.program = program
        units = requested_units
        if units is None and program.pk in live:
            units = application.requested_units
        outcomes[program.pk] = evaluate_many(
            rule_set=rule_sets[program.pk], applications=[application], requested_units=[units]
        )[0]
    return outcomes
