"""Writing notifications; every other app notifies people through here."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import Model
from django.utils import timezone, translation

from notifications.models import Notification, UserPreference

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def language_of(user: User) -> str:
    pref = UserPreference.objects.filter(user=user).values_list("language", flat=True).first()
    return pref or settings.LANGUAGE_CODE


def language_set(*, user: User, language: str) -> UserPreference:
    pref, _ = UserPreference.objects.update_or_create(user=user, defaults={"language": language})
    return pref


def notify(
    *,
    users: Iterable[User],
    kind: str,
    title: Callable[[], str],
    body: Callable[[], str] = lambda: "",
    url: str = "",
    # The application a notification is about (``applications.Application``), for its page.
    application: Model | None = None,
) -> list[Notification]:
    """Notify each user in their own language: ``title`` and ``body`` are called with that
    language active, so pass lambdas around gettext calls."""
    created = []
    for user in users:
        with translation.override(language_of(user)):
            created.append(
                Notification(
                    user=user,
                    kind=kind,
                    title=title()[:200],
                    body=body(),
                    url=url,
                    application_id=application.pk if application is not None else None,
                )
            )
    return Notification.objects.bulk_create(created)


@transaction.atomic
def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's own notifications read (all unread ones when ``ids`` is None)."""
    qs = Notification.objects.filter(user=user, read_at=None)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())
