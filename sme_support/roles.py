"""The three roles, as Django groups, and the questions every scoped query asks of a user."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from django.contrib.auth.models import AnonymousUser

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    AnyUser = AbstractBaseUser | AnonymousUser


class Role(StrEnum):
    SME_STAFF = "sme_staff"
    OFFICER = "officer"
    MANAGER = "manager"


def _group_names(user: AnyUser) -> set[str]:
    if not user.is_authenticated:
        return set()
    # Cached on the user object: scoping asks this several times per request.
    cached: set[str] | None = getattr(user, "_role_group_names", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))  # type: ignore[union-attr]
        user._role_group_names = cached  # type: ignore[union-attr]
    return cached


def is_manager(user: AnyUser) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or Role.MANAGER in _group_names(user)))  # type: ignore[union-attr]


def is_officer(user: AnyUser) -> bool:
    """Officers and managers both work applications; managers see every program."""
    return is_manager(user) or Role.OFFICER in _group_names(user)


def is_sme_staff(user: AnyUser) -> bool:
    return Role.SME_STAFF in _group_names(user)
