"""Read queries over the firm registry, scoped to the user."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from applications.selectors import application_list
from firms.models import Firm, FirmQuerySet, IPHolding
from sme_support.roles import is_manager, is_officer

if TYPE_CHECKING:
    from sme_support.roles import AnyUser


def firm_list(*, user: AnyUser) -> FirmQuerySet:
    """A manager sees every firm; an officer the firms that applied to the programs assigned to
    them (the same applications ``application_list`` shows them); a firm's staff their own."""
    qs: FirmQuerySet = Firm.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if is_manager(user):
        return qs
    if is_officer(user):
        # A subquery, not a join: a firm with several applications must appear once.
        return qs.filter(pk__in=application_list(user=user).values("firm_id"))
    return qs.for_user_membership(user)


def firm_get(*, user: AnyUser, pk: int) -> Firm:
    """Raises ``Firm.DoesNotExist`` for a firm the user may not see (a 404, not a 403)."""
    return firm_list(user=user).get(pk=pk)


def ip_holding_list(*, user: AnyUser) -> QuerySet[IPHolding]:
    """The IP holdings of the firms ``firm_list`` shows the user (a manager: all)."""
    qs = IPHolding.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if is_manager(user):
        return qs
    # A subquery on the visible firms, so that counting stays one query.
    return qs.filter(firm_id__in=firm_list(user=user).values("pk"))
