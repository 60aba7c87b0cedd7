"""Read queries for portal pages, always scoped to the signed-in firm user."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language

from applications.decisions.selectors import offer_list
from applications.models import Application, ApplicationDocument, WaitlistOffer
from applications.selectors import application_get, application_list
from applications.workflow import Status
from firms.models import ExportTierBand, Firm, Invitation, JoinRequest, SizeClass, SizeClassThreshold
from programs.choices import EligibilityRuleType
from programs.models import Country, EligibilityRule, Program, ProgramKind

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


def required_document_types(program: Program) -> tuple[list[str], bool]:
    """The document types a program asks for, and whether its eligibility rules say so (True)
    or they are the kind's usual set (False)."""
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
