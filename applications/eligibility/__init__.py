"""Eligibility: which rules an application passes, with a reason a firm can act on.

Each result is stored as ``{"rule", "passed", "reason": {"ko", "en"}, "params"}`` so the firm
and the officer read it in their own language whatever language the worker ran in. See
``engine`` for which rules apply to a program and who calls what, ``screening`` for the check
after a submission and ``recheck`` for the bulk re-check after a rules change. The rule types'
parameters are program configuration (``programs.eligibility``).
"""

from __future__ import annotations

from applications.eligibility.engine import (
    EligibilityOutcome,
    RuleSet,
    evaluate,
    evaluate_many,
    preview,
    rule_set_for,
)

__all__ = ["EligibilityOutcome", "RuleSet", "evaluate", "evaluate_many", "preview", "rule_set_for"]
