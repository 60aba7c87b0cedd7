"""The three roles, as Django groups, and the questions every scoped query asks of a user."""

from __future__ import annotations

from enum import StrEnum

from django.contrib.auth.models import AnonymousUser, Group, User
from django.db import transaction
from django.db.models import Q

# Who is asking: a signed-in user, or the anonymous visitor of a public page. Services take a
# ``User`` (``django.contrib.auth.models.User``, the project's user model); selectors and
# permission questions take an ``AnyUser``.
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


def agency_user_create(*, username: str, email: str, role: Role, password: str | None = None) -> User:
    """Create an officer or manager account: staff (so Django admin lets them in) and in the
    role's group (which carries the admin permissions)."""
    if role not in (Role.OFFICER, Role.MANAGER):
        raise ValueError(f"Agency accounts are officers or managers, not {role!r}.")
    with transaction.atomic():
        user = User(username=username, email=email, is_staff=True)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.full_clean()
        user.save()
        user.groups.add(Group.objects.get(name=role))
    return user


def managers(*, exclude: User | None = None) -> list[User]:
    """Active managers (superusers count as managers), e.g. to ask for a sign-off."""
    qs = User.objects.filter(Q(groups__name=Role.MANAGER) | Q(is_superuser=True), is_active=True).distinct()
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return list(qs.order_by("pk"))
