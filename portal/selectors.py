"""Read queries for portal pages, always scoped to the signed-in firm user."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language

from applications.models import Application, ApplicationDocument, WaitlistOffer
from applications.selectors import application_get, application_list
from applications.waitlist import offer_list
from applications.workflow import Status
from firms.models import ExportTierBand, Firm, SizeClass, SizeClassThreshold
from portal.models import Invitation, JoinRequest
from programs.eligibility import EligibilityOutcome, RuleSet, evaluate_many
from programs.eligibility.engine import ActiveRule, baseline_rules
from programs.eligibility.rules import validate_params
from programs.models import Country, EligibilityRule, EligibilityRuleSet, EligibilityRuleType, Program, ProgramKind

if TYPE_CHECKING:
    from sme_support.roles import AnyUser

logger = logging.getLogger(__name__)

# What each kind of call usually asks for when its rules name no documents.
USUAL_DOCUMENTS: dict[str, list[str]] = {
    ProgramKind.EXPORT_FUNDING: [
        ApplicationDocument.DocType.BUSINESS_REGISTRATION,
        ApplicationDocument.DocType.FINANCIAL_STATEMENT,
        ApplicationDocument.DocType.EXPORT_PLAN,
        ApplicationDocument.DocType.QUOTATION,
    ],
    ProgramKind.TRADE_SHOW: [
        ApplicationDocument.DocType.BUSINESS_REGISTRATION,
        ApplicationDocument.DocType.PORTFOLIO,
        ApplicationDocument.DocType.EXPORT_RECORD,
    ],
    ProgramKind.BUSINESS_DELEGATION: [
        ApplicationDocument.DocType.BUSINESS_REGISTRATION,
        ApplicationDocument.DocType.PORTFOLIO,
    ],
}


def firm_of(user: AnyUser) -> Firm | None:
    if not user.is_authenticated:
        return None
    return Firm.objects.filter(memberships__user=user).first()


def countries_by_name() -> QuerySet[Country]:
    """Countries sorted the way the reader reads them."""
    order = "name_ko" if (get_language() or "").startswith("ko") else "name_en"
    return Country.objects.order_by(order)


# --- Catalogue --------------------------------------------------------------------------------


def program_catalogue(
    *,
    kind: str = "",
    sector: str = "",
    country: Country | None = None,
    closes_before: dt.date | None = None,
) -> QuerySet[Program]:
    """Calls open now, with the catalogue's filters."""
    qs = Program.objects.open_at(timezone.now()).select_related("event_country").order_by("closes_at", "pk")
    if kind:
        qs = qs.filter(kind=kind)
    if sector:
        # target_sectors is a JSON list of codes; an empty list means every sector. The
        # quoted code matches one whole list element and works on SQLite and PostgreSQL alike.
        qs = qs.filter(Q(target_sectors=[]) | Q(target_sectors__icontains=f'"{sector}"'))
    if country is not None:
        qs = qs.filter(Q(target_countries=country) | Q(event_country=country)).distinct()
    if closes_before is not None:
        end = timezone.make_aware(dt.datetime.combine(closes_before + dt.timedelta(days=1), dt.time.min))
        qs = qs.filter(closes_at__lt=end)
    return qs


# Rule types whose facts need the program's target countries (as in the eligibility engine).
_TARGETED_RULES = frozenset(
    {EligibilityRuleType.TARGET_COUNTRY_IN_MARKETS, EligibilityRuleType.IP_REGISTERED_IN_TARGET}
)


def _rule_sets(programs: Sequence[Program]) -> dict[int, RuleSet]:
    """``rule_set_for`` for many programs in three queries in all, instead of two or three each.

    The same steps as ``programs.eligibility.rule_set_for`` (``test_catalogue`` checks that the
    outcomes agree): active configured rules in position order, each validated (one that no
    longer validates fails closed and is logged), the baseline rules whose type no configured
    rule replaces, the rules version, and the target countries when a rule needs them.
    """
    ids = [program.pk for program in programs]
    configured: dict[int, list[ActiveRule]] = defaultdict(list)
    for rule in EligibilityRule.objects.filter(program_id__in=ids, is_active=True).order_by(
        "program_id", "position", "pk"
    ):
        try:
            configured[rule.program_id].append(ActiveRule(rule.rule_type, validate_params(rule.rule_type, rule.params)))
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
    targeted = [pk for pk, active in rules.items() if any(r.rule_type in _TARGETED_RULES for r in active)]
    targets: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    if targeted:
        through = Program.target_countries.through
        rows = (
            through.objects.filter(program_id__in=targeted)
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


def catalogue_previews(*, firm: Firm, programs: Sequence[Program]) -> dict[int, EligibilityOutcome]:
    """``preview(firm=firm, program=p)`` for each of ``programs``, by program id.

    ``preview`` costs three to five queries per program (the firm's application, the rules,
    their version, the target countries, then the facts). Here the first four are one query
    each for the whole page; what is left per program is only the facts its own rules need
    (markets, IP, documents, prior approvals, overdue reports), none for the baseline rules.
    Each program is then judged by the eligibility engine's own ``evaluate_many``.
    """
    if not programs:
        return {}
    rule_sets = _rule_sets(programs)
    live: dict[int, Application] = {}
    # Newest first, as preview() takes it; a firm has at most a few applications per call.
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
        units = application.requested_units if program.pk in live else None
        outcomes[program.pk] = evaluate_many(
            rule_set=rule_sets[program.pk], applications=[application], requested_units=[units]
        )[0]
    return outcomes


def required_document_types(program: Program) -> tuple[list[str], bool]:
    """The document types a program asks for, and whether its eligibility rules say so (True)
    or they are the kind's usual set (False)."""
    from programs.models import EligibilityRule, EligibilityRuleType

    rule = (
        EligibilityRule.objects.filter(
            program=program, rule_type=EligibilityRuleType.REQUIRED_DOCUMENTS, is_active=True
        )
        .only("params")
        .first()
    )
    if rule is not None:
        doc_types = [d for d in (rule.params or {}).get("doc_types", []) if d in ApplicationDocument.DocType.values]
        return doc_types, True
    return list(USUAL_DOCUMENTS.get(program.kind, [])), False


# --- Applications -----------------------------------------------------------------------------


def firm_applications(*, user: AnyUser) -> QuerySet[Application]:
    return application_list(user=user).order_by("-updated_at", "-pk")


def firm_application(*, user: AnyUser, pk: int) -> Application:
    """Raises ``Application.DoesNotExist`` for another firm's application (a 404)."""
    return application_get(user=user, pk=pk)


def live_application(*, firm: Firm, program: Program) -> Application | None:
    return Application.objects.filter(firm=firm, program=program).exclude(status=Status.WITHDRAWN).first()


# --- Waitlist offers ----------------------------------------------------------------------------


def firm_offer(*, user: AnyUser, pk: int) -> WaitlistOffer | None:
    """An offer on one of the user's firm's applications; ``None`` for anyone else's (a 404)."""
    return offer_list(user=user).filter(pk=pk).first()


def open_offers(*, user: AnyUser) -> QuerySet[WaitlistOffer]:
    """Offers the firm can still answer: made, not answered, and before their deadline (an
    offer past it waits for the expiry sweep, but can no longer be accepted)."""
    return offer_list(user=user).filter(status=WaitlistOffer.State.OFFERED, expires_at__gt=timezone.now())


# --- How the size class and export tier were derived -------------------------------------------

_SIZE_ORDER: list[str] = [SizeClass.MICRO, SizeClass.SMALL, SizeClass.MEDIUM]


@dataclass
class SizeDerivation:
    rows: list[SizeClassThreshold]
    matched: SizeClassThreshold | None
    employees: int
    revenue_krw: int


def size_class_derivation(firm: Firm) -> SizeDerivation:
    rows = sorted(
        SizeClassThreshold.objects.filter(sector=firm.sector),
        key=lambda r: _SIZE_ORDER.index(r.size_class) if r.size_class in _SIZE_ORDER else 99,
    )
    matched = next((r for r in rows if r.size_class == firm.size_class), None)
    return SizeDerivation(rows=rows, matched=matched, employees=firm.employees, revenue_krw=firm.annual_revenue_krw)


def export_tier_band(firm: Firm) -> ExportTierBand | None:
    return ExportTierBand.objects.filter(tier=firm.export_tier).first()


# --- Members ---------------------------------------------------------------------------------


def firm_members_page(firm: Firm) -> dict[str, Any]:
    now = timezone.now()
    return {
        "memberships": firm.memberships.select_related("user").order_by("joined_at", "pk"),
        "join_requests": JoinRequest.objects.filter(firm=firm, status=JoinRequest.Status.PENDING).select_related(
            "user"
        ),
        "invitations": Invitation.objects.filter(
            firm=firm, accepted_at=None, revoked_at=None, expires_at__gt=now
        ).select_related("invited_by"),
    }


def pending_join_request(user: AnyUser) -> JoinRequest | None:
    if not user.is_authenticated:
        return None
    return JoinRequest.objects.filter(user=user, status=JoinRequest.Status.PENDING).select_related("firm").first()
