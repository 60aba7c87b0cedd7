"""The parts of a firm's profile kept in their own rows: IP holdings and export products."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from firms.errors import FirmRefusal
from firms.models import ExportProduct, Firm, FirmMembership, IPHolding

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from programs.models import Country


def _require_member(*, firm: Firm, actor: User) -> None:
    if not FirmMembership.objects.filter(firm=firm, user=actor).exists():
        raise FirmRefusal(_("Only the firm's members can change its profile."))


@transaction.atomic
def ip_holding_add(
    *,
    firm: Firm,
    actor: User,
    kind: str,
    country: Country,
    registration_number: str,
    registered_on: dt.date | None = None,
    title: str = "",
) -> IPHolding:
    """Raises ValidationError (including for a duplicate registration) from ``full_clean``."""
    _require_member(firm=firm, actor=actor)
    holding = IPHolding(
        firm=firm,
        kind=kind,
        country=country,
        registration_number=registration_number.strip(),
        registered_on=registered_on,
        title=title.strip(),
    )
    holding.full_clean()
    holding.save()
    return holding


@transaction.atomic
def ip_holding_remove(*, holding: IPHolding, actor: User) -> None:
    _require_member(firm=holding.firm, actor=actor)
    holding.delete()


@transaction.atomic
def export_product_add(*, firm: Firm, actor: User, hs_code: str, description: str) -> ExportProduct:
    _require_member(firm=firm, actor=actor)
    # People copy HS codes as 8523.49 or 8523 49; the registry keeps digits only.
    digits = "".join(c for c in hs_code if not c.isspace() and c != ".")
    product = ExportProduct(firm=firm, hs_code=digits, description=description.strip())
    product.full_clean()
    product.save()
    return product


@transaction.atomic
def export_product_remove(*, product: ExportProduct, actor: User) -> None:
    _require_member(firm=product.firm, actor=actor)
    product.delete()
