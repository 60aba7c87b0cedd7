"""Read queries of the decisions: sign-off requests, the waitlist and its offers."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import F, QuerySet

from applications.models import Application, DecisionSignOff, WaitlistOffer
from applications.selectors import application_list
from applications.workflow import TRANSITIONS, Status
from programs.models import Program
from sme_support.roles import AnyUser, is_manager, is_officer


def sign_off_list(*, user: AnyUser) -> QuerySet[DecisionSignOff]:
    """Sign-off requests ``user`` may see: managers all, officers those of their programs."""
    qs = DecisionSignOff.objects.select_related("application__program", "application__firm", "requested_by")
    if not isinstance(user, User) or not user.is_authenticated:
        return qs.none()
    if is_manager(user):
        return qs
    if is_officer(user):
        return qs.filter(application__program__officer_assignments__user=user)
    return qs.none()


def sign_offs_awaiting(*, user: AnyUser) -> QuerySet[DecisionSignOff]:
    """What a manager can act on now: pending requests of others whose application can still
    be approved."""
    if not isinstance(user, User) or not is_manager(user):
        return DecisionSignOff.objects.none()
    return (
        sign_off_list(user=user)
        .filter(status=DecisionSignOff.State.PENDING, application__status__in=TRANSITIONS["approve"].sources)
        .exclude(requested_by=user)
        .order_by("requested_at", "pk")
    )


def waitlist_of(*, program: Program) -> QuerySet[Application]:
    """The program's waitlisted applications in the order they will be offered places."""
    return (
        Application.objects.filter(program=program, status=Status.WAITLISTED)
        .select_related("firm", "waitlist_entry")
        .order_by(F("waitlist_entry__rank").asc(nulls_last=True), "status_changed_at", "pk")
    )


def waitlist_position(application: Application) -> int | None:
    """1 for the next in line; ``None`` when the application is not waitlisted."""
    if application.status != Status.WAITLISTED:
        return None
    ids = list(waitlist_of(program=application.program).values_list("pk", flat=True))
    return ids.index(application.pk) + 1 if application.pk in ids else None


def offer_list(*, user: AnyUser) -> QuerySet[WaitlistOffer]:
    """Offers on the applications ``user`` may see (a firm's staff: their own firm's)."""
    return WaitlistOffer.objects.filter(application__in=application_list(user=user).values("pk")).select_related(
        "application__program", "application__firm"
    )
