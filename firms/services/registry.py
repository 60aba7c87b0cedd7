"""Writes to the firm registry, and the derivations (size class, export tier) they depend on."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.db.models import Q

from firms.models import ExportTier, ExportTierBand, Firm, FirmMembership, SizeClass, SizeClassThreshold
from firms.validators import normalize_brn
from sme_support.roles import Role

# Smallest first: a firm is the first class whose every set limit it stays within.
_SIZE_ORDER = (SizeClass.MICRO, SizeClass.SMALL, SizeClass.MEDIUM)


def size_class_for(*, sector: str, employees: int, annual_revenue_krw: int) -> str:
    thresholds = {t.size_class: t for t in SizeClassThreshold.objects.filter(sector=sector)}
    for size_class in _SIZE_ORDER:
        threshold = thresholds.get(size_class)
        if threshold is None:
            continue
        if threshold.max_employees is not None and employees > threshold.max_employees:
            continue
        if threshold.max_revenue_krw is not None and annual_revenue_krw > threshold.max_revenue_krw:
            continue
        return size_class
    return SizeClass.NON_SME


def export_tier_for(*, exports_last_year_usd: int) -> str:
    band = (
        ExportTierBand.objects.filter(min_exports_usd__lte=exports_last_year_usd).order_by("-min_exports_usd").first()
    )
    return band.tier if band else ExportTier.DOMESTIC


def _derive(firm: Firm) -> None:
    firm.size_class = size_class_for(
        sector=firm.sector, employees=firm.employees, annual_revenue_krw=firm.annual_revenue_krw
    )
    firm.export_tier = export_tier_for(exports_last_year_usd=firm.exports_last_year_usd)


@transaction.atomic
def firm_create(
    *,
    brn: str,
    name_ko: str,
    name_en: str,
    region: str,
    founded_on: Any,
    employees: int,
    annual_revenue_krw: int,
    sector: str,
    exports_last_year_usd: int = 0,
    markets_of_interest: Iterable[Any] = (),
    owner: User | None = None,
    **extra: Any,
) -> Firm:
    firm = Firm(
        brn=normalize_brn(brn),
        name_ko=name_ko,
        name_en=name_en,
        region=region,
        founded_on=founded_on,
        employees=employees,
        annual_revenue_krw=annual_revenue_krw,
        exports_last_year_usd=exports_last_year_usd,
        sector=sector,
        **extra,
    )
    _derive(firm)
    firm.full_clean()
    firm.save()
    firm.markets_of_interest.set(markets_of_interest)
    if owner is not None:
        firm_add_member(firm=firm, user=owner, role=FirmMembership.Role.OWNER)
    return firm


@transaction.atomic
def firm_update(*, firm: Firm, **fields: Any) -> Firm:
    markets = fields.pop("markets_of_interest", None)
    if "brn" in fields:
        fields["brn"] = normalize_brn(fields["brn"])
    for name, value in fields.items():
        setattr(firm, name, value)
    _derive(firm)
    firm.full_clean()
    firm.save()
    if markets is not None:
        firm.markets_of_interest.set(markets)
    return firm


@transaction.atomic
def firm_add_member(*, firm: Firm, user: User, role: str = FirmMembership.Role.MEMBER) -> FirmMembership:
    membership = FirmMembership(firm=firm, user=user, role=role)
    membership.full_clean()
    membership.save()
    group, _ = Group.objects.get_or_create(name=Role.SME_STAFF)
    user.groups.add(group)
    return membership


def firms_rederive_all() -> int:
    """Recompute every firm's size class and export tier after the threshold tables change.

    Set-based: one UPDATE per (sector, class) and per tier band, whatever the number of firms.
    """
    updated = 0
    with transaction.atomic():
        Firm.objects.update(size_class=SizeClass.NON_SME)
        # Largest class first, so each smaller class overwrites the firms that also fit it.
        for size_class in reversed(_SIZE_ORDER):
            for threshold in SizeClassThreshold.objects.filter(size_class=size_class):
                condition = Q(sector=threshold.sector)
                if threshold.max_employees is not None:
                    condition &= Q(employees__lte=threshold.max_employees)
                if threshold.max_revenue_krw is not None:
                    condition &= Q(annual_revenue_krw__lte=threshold.max_revenue_krw)
                updated += Firm.objects.filter(condition).update(size_class=size_class)
        Firm.objects.update(export_tier=ExportTier.DOMESTIC)
        for band in ExportTierBand.objects.order_by("min_exports_usd"):
            Firm.objects.filter(exports_last_year_usd__gte=band.min_exports_usd).update(export_tier=band.tier)
    return updated
