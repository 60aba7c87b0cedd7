"""Writes to programs: for now, their eligibility rules.

Every change to a program's rules goes through these functions, which (1) validate the
parameters, (2) lock the program's ``EligibilityRuleSet`` row so two edits never interleave,
(3) write the rules and bump the version in the same transaction, and (4) once committed,
enqueue the bulk re-check of the program's open applications.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.choices import EligibilityRuleType
from programs.eligibility.specs import validate_params
from programs.models import EligibilityRule, EligibilityRuleSet, Program
from sme_support.queue import enqueue_or_leave_to_sweeper


def _rule_label(rule_type: Any) -> str:
    try:
        return str(EligibilityRuleType(rule_type).label)
    except ValueError:
        return str(rule_type)


def _bump_version(*, program: Program, actor: User | None) -> EligibilityRuleSet:
    """Lock the program's rule-set row (creating it on first use) and bump its version.

    Call inside a transaction, before changing any rule: the row lock serialises concurrent
    edits of the same program's rules, so each edit gets its own version number.
    """
    # ignore_conflicts: two first-ever edits may both try to create the row; one wins and
    # both then lock the same row.
    EligibilityRuleSet.objects.bulk_create([EligibilityRuleSet(program=program)], ignore_conflicts=True)
    rule_set = EligibilityRuleSet.objects.select_for_update().get(program=program)
    EligibilityRuleSet.objects.filter(pk=rule_set.pk).update(
        version=F("version") + 1, changed_at=timezone.now(), changed_by=actor
    )
    rule_set.refresh_from_db()
    transaction.on_commit(lambda: _enqueue_recheck(program.pk))
    return rule_set


def _enqueue_recheck(program_id: int) -> None:
    # The re-check judges the program's applications, so it belongs to the applications app
    # and its worker; ``requeue_stale_rechecks`` covers a broker outage.
    enqueue_or_leave_to_sweeper(
        "applications.tasks.recheck_program", program_id, what=f"the re-check of program {program_id}"
    )


@transaction.atomic
def eligibility_rules_replace(
    *, program: Program, rules: Sequence[Mapping[str, Any]], actor: User | None = None
) -> list[EligibilityRule]:
    """Make ``rules`` the program's whole rule set, in the given order.

    Each item is ``{"rule_type": ..., "params": {...}, "is_active": true}`` (``is_active``
    optional). Every problem in every rule is reported at once, as a ValidationError on
    ``rules`` whose messages start with the rule's number and type. An empty list removes
    the configured rules, so the baseline rules apply again.
    """
    errors: list[str] = []
    cleaned: list[EligibilityRule] = []
    seen: set[str] = set()
    for position, item in enumerate(rules, start=1):
        rule_type = item.get("rule_type") if isinstance(item, Mapping) else None
        if isinstance(rule_type, str):
            prefix = _("Rule %(position)s (%(rule)s)") % {"position": position, "rule": _rule_label(rule_type)}
        else:
            prefix = _("Rule %(position)s") % {"position": position}
        if not isinstance(item, Mapping):
            errors.append(_("%(prefix)s: must be an object with “rule_type” and “params”.") % {"prefix": prefix})
            continue
        unknown = sorted(set(item) - {"rule_type", "params", "is_active"})
        if unknown:
            errors.append(
                _("%(prefix)s: unknown keys %(keys)s; a rule has “rule_type”, “params” and “is_active”.")
                % {"prefix": prefix, "keys": ", ".join(f"“{k}”" for k in unknown)}
            )
        if rule_type in seen:
            errors.append(
                _("%(prefix)s: the program already has a rule of this type; give each type once.") % {"prefix": prefix}
            )
        seen.add(str(rule_type))
        is_active = item.get("is_active", True)
        if not isinstance(is_active, bool):
            errors.append(_("%(prefix)s: “is_active” must be true or false.") % {"prefix": prefix})
        try:
            params = validate_params(str(rule_type), item.get("params"), program=program)
        except ValidationError as error:
            errors += [f"{prefix}: {message}" for message in error.messages]
            continue
        cleaned.append(
            EligibilityRule(
                program=program, rule_type=str(rule_type), params=params, position=position, is_active=bool(is_active)
            )
        )
    if errors:
        raise ValidationError({"rules": errors})

    _bump_version(program=program, actor=actor)
    EligibilityRule.objects.filter(program=program).delete()
    return EligibilityRule.objects.bulk_create(cleaned)


@transaction.atomic
def eligibility_rule_save(*, rule: EligibilityRule, actor: User | None = None) -> EligibilityRule:
    """Create or update one rule (admin's path); validates, saves and bumps the version."""
    rule.full_clean()
    _bump_version(program=rule.program, actor=actor)
    rule.save()
    return rule


@transaction.atomic
def eligibility_rule_delete(*, rule: EligibilityRule, actor: User | None = None) -> None:
    _bump_version(program=rule.program, actor=actor)
    rule.delete()
