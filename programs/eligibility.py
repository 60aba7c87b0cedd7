"""Eligibility: which rules an application passes, with a reason a firm can act on.

Each result is stored as ``{"rule", "passed", "reason": {"ko", "en"}}`` so the firm and the
officer read it in their own language whatever language the worker ran in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from firms.models import Sector, SizeClass

if TYPE_CHECKING:
    from applications.models import Application

LANGUAGES = ("ko", "en")


@dataclass
class EligibilityOutcome:
    passed: bool
    results: list[dict[str, Any]] = field(default_factory=list)
    rules_version: int = 1


def _in_both(message: Callable[[], str]) -> dict[str, str]:
    out = {}
    for lang in LANGUAGES:
        with translation.override(lang):
            out[lang] = message()
    return out


def _result(rule: str, passed: bool, message: Callable[[], str]) -> dict[str, Any]:
    return {"rule": rule, "passed": passed, "reason": _in_both(message)}


def evaluate(application: Application) -> EligibilityOutcome:
    """The baseline rules every program applies."""
    firm = application.firm
    program = application.program
    results = []

    if program.target_sectors:
        ok = firm.sector in program.target_sectors
        results.append(
            _result(
                "sector",
                ok,
                lambda: (
                    _("Your sector, %(sector)s, is one this program supports.")
                    if ok
                    else _("Your sector, %(sector)s, is not among the sectors this program supports.")
                )
                % {"sector": Sector(firm.sector).label},
            )
        )
    is_sme = firm.size_class != SizeClass.NON_SME
    results.append(
        _result(
            "sme",
            is_sme,
            lambda: _("Your firm is an SME.")
            if is_sme
            else _("Your firm's employees and revenue put it above the SME thresholds; this program is for SMEs."),
        )
    )
    sanctioned = firm.is_sanctioned(timezone.localdate())
    results.append(
        _result(
            "not_sanctioned",
            not sanctioned,
            lambda: _("Your firm is not under a sanction.")
            if not sanctioned
            else _("Your firm is barred from support until %(date)s.") % {"date": firm.sanctioned_until},
        )
    )
    within_cap = application.requested_units <= program.per_firm_cap
    results.append(
        _result(
            "per_firm_cap",
            within_cap,
            lambda: (
                _("You asked for %(units)s; the per-firm cap is %(cap)s.")
                if within_cap
                else _("You asked for %(units)s, more than the per-firm cap of %(cap)s.")
            )
            % {"units": application.requested_units, "cap": program.per_firm_cap},
        )
    )
    return EligibilityOutcome(passed=all(r["passed"] for r in results), results=results)


def preview(*, firm: Any, program: Any, requested_units: int | None = None) -> EligibilityOutcome:
    """What a firm sees before applying: the same rules, on an unsaved application."""
    from applications.models import Application

    draft = Application(firm=firm, program=program, requested_units=requested_units or 1)
    return evaluate(draft)
