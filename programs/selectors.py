"""Read queries over countries and programs, scoped to the user."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from applications.selectors import program_list as _program_list
from programs.models import Country, ProgramQuerySet

if TYPE_CHECKING:
    from sme_support.roles import AnyUser


def country_list(*, user: AnyUser) -> QuerySet[Country]:
    """The ISO country list is reference data: every signed-in user reads all of it."""
    qs = Country.objects.all()
    return qs if user.is_authenticated else qs.none()


def program_catalogue(*, user: AnyUser) -> ProgramQuerySet:
    """Programs as the API lists them: public calls (see ``applications.selectors.program_list``)
    with their target countries fetched in one extra query per page, not one per program."""
    return _program_list(user=user).select_related("event_country").prefetch_related("target_countries")
