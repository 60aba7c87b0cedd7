"""Read queries shared by pages, API and statistics, always scoped to the user."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import QuerySet

from applications.models import Application, ApplicationQuerySet, OutcomeReport
from programs.models import Program, ProgramQuerySet
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


def program_list(*, user: AnyUser) -> ProgramQuerySet:
    """Programs are public calls: everyone signed in sees them; officers' work lists narrow
    them with ``program_assigned_list``."""
    qs: ProgramQuerySet = Program.objects.all()
    return qs if user.is_authenticated else qs.none()


def program_assigned_list(*, user: AnyUser) -> ProgramQuerySet:
    qs: ProgramQuerySet = Program.objects.all()
    if not isinstance(user, User):
        return qs.none()
    if is_manager(user):
        return qs
    if is_officer(user):
        return qs.assigned_to(user)
    return qs.none()


def outcome_report_list(*, user: AnyUser) -> QuerySet[OutcomeReport]:
    """Outcome reports of the applications ``user`` may see, and no others."""
    return OutcomeReport.objects.filter(application__in=application_list(user=user).values("pk"))
