"""Read queries over countries and programs, scoped to the user."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import QuerySet

from programs.models import Country, Program, ProgramQuerySet
from sme_support.roles import AnyUser, is_manager, is_officer


def country_list(*, user: AnyUser) -> QuerySet[Country]:
    """The ISO country list is reference data: every signed-in user reads all of it."""
    qs = Country.objects.all()
    return qs if user.is_authenticated else qs.none()


def program_list(*, user: AnyUser) -> ProgramQuerySet:
    """Programs are public calls: everyone signed in sees them; officers' work lists narrow
    them with ``program_assigned_list``."""
    qs: ProgramQuerySet = Program.objects.all()
    return qs if user.is_authenticated else qs.none()


def program_assigned_list(*, user: AnyUser) -> ProgramQuerySet:
    """The programs a user works on: a manager every program, an officer those assigned to them."""
    qs: ProgramQuerySet = Program.objects.all()
    if not isinstance(user, User):
        return qs.none()
    if is_manager(user):
        return qs
    if is_officer(user):
        return qs.assigned_to(user)
    return qs.none()


def program_catalogue(*, user: AnyUser) -> ProgramQuerySet:
    """Programs as the API lists them: public calls (``program_list``) with their target
    countries fetched in one extra query per page, not one per program."""
    return program_list(user=user).select_related("event_country").prefetch_related("target_countries")


def program_officer_users(*, program_id: int) -> list[User]:
    """The program's active officers, the people told about its applications."""
    return list(User.objects.filter(program_assignments__program_id=program_id, is_active=True).order_by("pk"))
