"""Read queries shared by pages, API and statistics, always scoped to the user.

What a user may see starts from the applications they may see: a manager everything, an
officer the programs assigned to them, a firm's staff their own firm's. Firms, outcome
reports and IP holdings visible to a user follow from that.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import QuerySet

from applications.models import Application, ApplicationDocument, ApplicationQuerySet, OutcomeReport
from firms.models import Firm, FirmQuerySet, IPHolding
from sme_support.roles import AnyUser, is_manager, is_officer


def application_list(*, user: AnyUser) -> ApplicationQuerySet:
    """What ``user`` may see: a manager everything, an officer the programs assigned to them,
    a firm's staff their own firm's applications, anyone else nothing."""
    qs: ApplicationQuerySet = Application.objects.select_related("program", "firm")
    if not isinstance(user, User) or not user.is_authenticated:
        return qs.none()
    if is_manager(user):
        return qs
    if is_officer(user):
        return qs.for_officer(user)
    return qs.for_firm_user(user)


def application_get(*, user: AnyUser, pk: int) -> Application:
    """Raises ``Application.DoesNotExist`` for what the user may not see (a 404, not a 403)."""
    return application_list(user=user).get(pk=pk)


def outcome_report_list(*, user: AnyUser) -> QuerySet[OutcomeReport]:
    """Outcome reports of the applications ``user`` may see, and no others."""
    return OutcomeReport.objects.filter(application__in=application_list(user=user).values("pk"))


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


def ip_holding_list(*, user: AnyUser) -> QuerySet[IPHolding]:
    """The IP holdings of the firms ``firm_list`` shows the user (a manager: all)."""
    qs = IPHolding.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if is_manager(user):
        return qs
    # A subquery on the visible firms, so that counting stays one query.
    return qs.filter(firm_id__in=firm_list(user=user).values("pk"))


def document_list(*, user: AnyUser) -> QuerySet[ApplicationDocument]:
    """Documents of the applications ``user`` may see (firm staff: their firm's; officers:
    their programs'; managers: all)."""
    return ApplicationDocument.objects.filter(application__in=application_list(user=user)).select_related("application")


def document_get(*, user: AnyUser, pk: int) -> ApplicationDocument:
    """Raises ``ApplicationDocument.DoesNotExist`` for what the user may not see (a 404)."""
    return document_list(user=user).get(pk=pk)
