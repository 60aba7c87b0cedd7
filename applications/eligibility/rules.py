"""Every rule type's check, and the reasons it gives (the parameters each type takes are
``programs.eligibility.specs``).

A check takes the rule's cleaned parameters, one application's ``Facts`` and the evaluation
``Context`` and returns ``(passed, Reason)``. Reasons tell the firm what was found and what
the program asks for, so it can act on them; both the English and the Korean text come from
the same msgid through gettext.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy, ngettext_lazy, pgettext_lazy

from applications.eligibility.facts import Facts, years_before
from applications.eligibility.reasons import Labels, Names, Reason, labels, number
from firms.models import ExportTier, IPHolding, Sector, SizeClass
from programs.choices import DocumentType, EligibilityRuleType
from programs.models import CapacityUnit, ProgramKind

if TYPE_CHECKING:
    from programs.models import Program

T = EligibilityRuleType


@dataclass(frozen=True)
class Context:
    program: Program
    today: dt.date
    # The program's target countries as (iso2, Korean name, English name).
    targets: tuple[tuple[str, str, str], ...]

    def names(self, iso2s: frozenset[str] | None = None) -> Names:
        return Names(tuple((ko, en) for code, ko, en in self.targets if iso2s is None or code in iso2s))


Check = Callable[[dict[str, Any], Facts, Context], tuple[bool, Reason]]


# --- Sets of codes ---------------------------------------------------------------------------

SECTOR_OK = gettext_lazy("Your firm's sector, %(sector)s, is one this program supports.")
SECTOR_NO = gettext_lazy("Your firm's sector is %(sector)s; this program supports only: %(allowed)s.")


def check_sector_in(params: dict[str, Any], facts: Facts, ctx: Context) -> tuple[bool, Reason]:
    sector = labels(Sector, [facts.sector])
    if facts.sector in params["sectors"]:
        return True, Reason(SECTOR_OK, sector=sector)
    return False, Reason(SECTOR_NO, sector=sector, allowed=labels(Sector, params["sectors"]))


SIZE_OK = gettext_lazy("Your firm is classed as %(size)s, which this program accepts.")
SIZE_NO = gettext_lazy("Your firm's employees and revenue class it as %(size)s; this program is for: %(allowed)s.")


def check_size_class_in(params: dict[str, Any], facts: Facts, ctx: Context) -> tuple[bool, Reason]:
    size = labels(SizeClass, [facts.size_class])
    if facts.size_class in params["size_classes"]:
        return True, Reason(SIZE_OK, size=size)
    return False, Reason(SIZE_NO, size=size, allowed=labels(SizeClass, params["size_classes"]))


TIER_OK = gettext_lazy("Your firm's export tier, %(tier)s, is one this program accepts.")
TIER_NO = gettext_lazy(
    "Your firm's exports last year (USD %(exports)s) put it in the %(tier)s tier; this program is for: %(allowed)s."
)


def check_export_tier_in(params: dict[str, Any], facts: Facts, ctx: Context) -> tuple[bool, Reason]:
    tier = labels(ExportTier, [facts.export_tier])
    if facts.export_tier in params["tiers"]:
        return True, Reason(TIER_OK, tier=tier)
    return False, Reason(
        TIER_NO, tier=tier, exports=number(facts.exports_usd), allowed=labels(ExportTier, params["tiers"])
    )


# --- Ranges ----------------------------------------------------------------------------------

USD_AT_LEAST = gettext_lazy("at least USD %(min)s")
USD_AT_MOST = gettext_lazy("at most USD %(max)s")
USD_BETWEEN = gettext_lazy("USD %(min)s to %(max)s")
EXPORTS_OK = gettext_lazy(
    "Your firm's exports last year were USD %(exports)s, which meets this program's requirement (%(range)s)."
)
EXPORTS_NO = gettext_lazy(
    "Your firm's exports last year were USD %(exports)s; this program is for firms that exported %(range)s."
)

# A context of their own: other languages add the unit ("명") to these bare numbers.
EMPLOYEES_AT_LEAST = pgettext_lazy("employees", "at least %(min)s")
EMPLOYEES_AT_MOST = pgettext_lazy("employees", "at most %(max)s")
EMPLOYEES_BETWEEN = pgettext_lazy("employees", "%(min)s to %(max)s")
EMPLOYEES_OK = ngettext_lazy(
    "Your firm reported %(employees)s employee, which meets this program's requirement (%(range)s).",
    "Your firm reported %(employees)s employees, which meets this program's requirement (%(range)s).",
    "employees",
)
EMPLOYEES_NO = ngettext_lazy(
    "Your firm reported %(employees)s employee; this program is for firms with %(range)s.",
    "Your firm reported %(employees)s employees; this program is for firms with %(range)s.",
    "employees",
)


def _range(params: dict[str, Any], at_least: Any, at_most: Any, between: Any) -> Reason:
    # Validation guarantees at least one end.
    low: int | None = params.get("min")
    high: int | None = params.get("max")
    if low is None:
        return Reason(at_most, max=number(high or 0))
    if high is None:
        return Reason(at_least, min=number(low))
    return Reason(between, min=number(low), max=number(high))


def _within(value: int, params: dict[str, Any]) -> bool:
    low, high = params.get("min"), params.get("max")
    return (low is None or value >= low) and (high is None or value <= high)


def check_exports_usd_range(params: dict[str, Any], facts: Facts, ctx: Context) -> tuple[bool, Reason]:
    passed = _within(facts.exports_usd, params)
    span = _range(params, USD_AT_LEAST, USD_AT_MOST, USD_BETWEEN)
    return passed, Reason(EXPORTS_OK if passed else EXPORTS_NO, exports=number(facts.exports_usd), range=span)


def check_employees_range(params: dict[str, Any], facts: Facts, ctx: Context) -> tuple[bool, Reason]:
    passed = _within(facts.employees, params)
    span = _range(params, EMPLOYEES_AT_LEAST, EMPLOYEES_AT_MOST, EMPLOYEES_BETWEEN)
    # An int, not a grouped string: ngettext picks the plural form from it.
    return passed, Reason(EMPLOYEES_OK if passed else EMPLOYEES_NO, employees=facts.employees, range=span)


# --- Dates -----------------------------------------------------------------------------------

FOUNDED_OK = ngettext_lazy(
    "Your firm was founded on %(founded)s, at least %(years)s year before today, as this program requires.",
    "Your firm was founded on %(founded)s, at least %(years)s years before today, as this program requires.",
    "years",
)
FOUNDED_NO = ngettext_lazy(
    "Your firm was founded on %(founded)s; this program is for firms founded at least %(years)s year ago, "
    "on or before %(cutoff)s.",
    "Your firm was founded on %(founded)s; this program is for firms founded at least %(years)s years ago, "
    "on or before %(cutoff)s.",
    "years",
)


def check_min_years_since_founding(params: dict[str, Any], facts: Facts, ctx: Context) -> tuple[bool, Reason]:
    years = params["years"]
    cutoff = years_before(ctx.today, years)
    founded = facts.founded_on.isoformat()
    if facts.founded_on <= cutoff:
        return True, Reason(FOUNDED_OK, founded=founded, years=years)
    return False, Reason(FOUNDED_NO, founded=founded, years=years, cutoff=cutoff.isoformat())


# --- The application itself -------------------------------------------------------------------

DOCUMENTS_OK = gettext_lazy("Your application includes the required documents: %(documents)s.")
DOCUMENTS_NO = gettext_lazy("Upload these documents with your application: %(missing)s.")


def check_required_documents(params: dict[str, Any], facts: Facts, ctx: Context) -> tuple[bool, Reason]:
    required = params["doc_types"]
    missing = [d for d in required if d not in facts.documents]
    if not missing:
        return True, Reason(DOCUMENTS_OK, documents=labels(DocumentType, required))
    return False, Reason(DOCUMENTS_NO, missing=labels(DocumentType, missing))


CAP_PLAIN = gettext_lazy("the per-firm cap of %(cap)s")
CAP_FOR_TIER = gettext_lazy("the cap of %(cap)s for firms in the %(tier)s export tier")
CAP_PREVIEW = gettext_lazy("Your firm may request up to %(cap)s (%(unit)s): %(limit)s.")
CAP_OK = gettext_lazy("You asked for %(units)s (%(unit)s), within %(limit)s.")
CAP_NO = gettext_lazy("You asked for %(units)s (%(unit)s), more than %(limit)s; lower your request to %(cap)s or less.")


def check_per_firm_cap(params: dict[str, Any], facts: Facts, ctx: Context) -> tuple[bool, Reason]:
    by_tier = params.get("by_export_tier") or {}
    tiered = facts.export_tier in by_tier
    # The program's own cap is the hard ceiling the application services enforce as well.
    cap = min(by_tier[facts.export_tier] if tiered else params["default"], ctx.program.per_firm_cap)
    if tiered:
        limit = Reason(CAP_FOR_TIER, cap=number(cap), tier=labels(ExportTier, [facts.export_tier]))
    else:
        limit = Reason(CAP_PLAIN, cap=number(cap))
    unit = labels(CapacityUnit, [ctx.program.capacity_unit])
    if facts.requested_units is None:
        return True, Reason(CAP_PREVIEW, cap=number(cap), unit=unit, limit=limit)
    if facts.requested_units <= cap:
        return True, Reason(CAP_OK, units=number(facts.requested_units), unit=unit, limit=limit)
    return False, Reason(CAP_NO, units=number(facts.requested_units), unit=unit, limit=limit, cap=number(cap))


# --- The firm's record with the agency ----------------------------------------------------------

PRIOR_OK = gettext_lazy(
    "Approvals of your firm in %(kind)s programs since %(since)s: %(count)s; this program allows at most %(max)s."
)
PRIOR_NO = gettext_lazy(
    "Approvals of your firm in %(kind)s programs since %(since)s: %(count)s; this program allows at most %(max)s, "
    "so it is meant for firms that have had less support."
)


def check_max_prior_approvals(params: dict[str, Any], facts: Facts, ctx: Context) -> tuple[bool, Reason]:
    since = years_before(ctx.today, params["years"]).isoformat()
    reason = {
        "count": number(facts.prior_approvals),
        "kind": labels(ProgramKind, [ctx.program.kind]),
        "since": since,
        "max": number(params["max"]),
    }
    passed = facts.prior_approvals <= params["max"]
    return passed, Reason(PRIOR_OK if passed else PRIOR_NO, **reason)


OVERDUE_OK = gettext_lazy("Your firm has no overdue outcome reports.")
OVERDUE_NO = ngettext_lazy(
    "Your firm has %(count)s outcome report past its due date (%(due)s); submit it to become eligible.",
    "Your firm has %(count)s outcome reports past their due dates (the oldest was due on %(due)s); submit them "
    "to become eligible.",
    "count",
)


def check_no_overdue_outcome_report(params: dict[str, Any], facts: Facts, ctx: Context) -> tuple[bool, Reason]:
    if facts.overdue_reports == 0:
        return True, Reason(OVERDUE_OK)
    due = facts.oldest_overdue_due_on.isoformat() if facts.oldest_overdue_due_on else ""
    return False, Reason(OVERDUE_NO, count=facts.overdue_reports, due=due)


SANCTION_OK = gettext_lazy("Your firm is not under a sanction.")
SANCTION_NO = gettext_lazy("Your firm is barred from support until %(date)s; it may apply again after that date.")


def check_not_sanctioned(params: dict[str, Any], facts: Facts, ctx: Context) -> tuple[bool, Reason]:
    until = facts.sanctioned_until
    if until is None or until < ctx.today:
        return True, Reason(SANCTION_OK)
    return False, Reason(SANCTION_NO, date=until.isoformat())


# --- Target markets -----------------------------------------------------------------------------

NO_TARGETS_MARKETS = gettext_lazy("This program names no target countries, so any market of interest qualifies.")
MARKETS_OK = gettext_lazy("Your firm's markets of interest include this program's target countries: %(countries)s.")
MARKETS_NO = gettext_lazy(
    "None of your firm's markets of interest is a target country of this program (%(targets)s); if you plan to "
    "enter one of them, add it to your firm's profile."
)


def check_target_country_in_markets(params: dict[str, Any], facts: Facts, ctx: Context) -> tuple[bool, Reason]:
    # A program without target countries does not restrict markets; failing every firm for
    # a missing setting would be worse than the rule having nothing to check.
    if not ctx.targets:
        return True, Reason(NO_TARGETS_MARKETS)
    if facts.markets_in_targets:
        return True, Reason(MARKETS_OK, countries=ctx.names(facts.markets_in_targets))
    return False, Reason(MARKETS_NO, targets=ctx.names())


NO_TARGETS_IP = gettext_lazy("This program names no target countries, so no IP registration abroad is required.")
IP_OK = gettext_lazy("Your firm holds IP registered in this program's target countries: %(countries)s.")
IP_NO = gettext_lazy(
    "Your firm holds no IP registered in this program's target countries (%(targets)s); if it holds such a "
    "registration, add it to your firm's profile."
)
IP_KINDS_OK = gettext_lazy(
    "Your firm holds IP of a required kind (%(kinds)s) registered in this program's target countries: %(countries)s."
)
IP_KINDS_NO = gettext_lazy(
    "Your firm holds no IP of a required kind (%(kinds)s) registered in this program's target countries "
    "(%(targets)s); if it holds such a registration, add it to your firm's profile."
)


def check_ip_registered_in_target(params: dict[str, Any], facts: Facts, ctx: Context) -> tuple[bool, Reason]:
    if not ctx.targets:
        return True, Reason(NO_TARGETS_IP)
    kinds: dict[str, Labels] = {"kinds": labels(IPHolding.Kind, params["kinds"])} if params.get("kinds") else {}
    if facts.ip_in_targets:
        return True, Reason(IP_KINDS_OK if kinds else IP_OK, countries=ctx.names(facts.ip_in_targets), **kinds)
    return False, Reason(IP_KINDS_NO if kinds else IP_NO, targets=ctx.names(), **kinds)


# --- The registry ---------------------------------------------------------------------------------

CHECKS: dict[str, Check] = {
    T.SECTOR_IN: check_sector_in,
    T.SIZE_CLASS_IN: check_size_class_in,
    T.EXPORT_TIER_IN: check_export_tier_in,
    T.EXPORTS_USD_RANGE: check_exports_usd_range,
    T.MIN_YEARS_SINCE_FOUNDING: check_min_years_since_founding,
    T.EMPLOYEES_RANGE: check_employees_range,
    T.REQUIRED_DOCUMENTS: check_required_documents,
    T.MAX_PRIOR_APPROVALS: check_max_prior_approvals,
    T.NO_OVERDUE_OUTCOME_REPORT: check_no_overdue_outcome_report,
    T.NOT_SANCTIONED: check_not_sanctioned,
    T.PER_FIRM_CAP: check_per_firm_cap,
    T.TARGET_COUNTRY_IN_MARKETS: check_target_country_in_markets,
    T.IP_REGISTERED_IN_TARGET: check_ip_registered_in_target,
}
assert set(CHECKS) == set(T.values), "every rule type needs a check"
