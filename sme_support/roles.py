"""The three roles, as Django groups, and the questions every scoped query asks of a user."""

from __future__ import annotations

from enum import StrEnum

from django.contrib.auth.models import AnonymousUser, User

AnyUser = User | AnonymousUser


class Role(StrEnum):
    SME_STAFF = "sme_staff"
    OFFICER = "officer"
    MANAGER = "manager"


def _group_names(user: AnyUser) -> set[str]:
    if not isinstance(user, User) or not user.is_authenticated:
        return set()
    # Cached on the user object: scoping asks this several times per request.
    cached: set[str] | None = getattr(user, "_role_group_names", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._role_group_names = cached  # type: ignore[attr-defined]
    return cached


def is_manager(user: AnyUser) -> bool:
    return isinstance(user, User) and user.is_active and (user.is_superuser or Role.MANAGER in _group_names(user))


def is_officer(user: AnyUser) -> bool:
    """Officers and managers both work applications; managers see every program."""
    return is_manager(user) or Role.OFFICER in _group_names(user)


def is_sme_staff(user: AnyUser) -> bool:
    return Role.SME_STAFF in _group_names(user)
