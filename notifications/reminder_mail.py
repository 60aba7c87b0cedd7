"""What a reminder says, composed when it is sent, in the recipient's language.

Each domain app registers, per reminder kind, a builder that gives the mail's template
context, its link and the application it is about (``register_composer``, from the app's
``AppConfig.ready``); the mail itself comes from ``templates/emails/<kind>*``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Model

from notifications import links
from notifications.mail import RenderedMail, render
from notifications.models import Reminder
from notifications.services import language_of

Context = Callable[[], dict[str, Any]]


class SubjectGone(Exception):
    """The row a reminder is about has been deleted since the reminder was queued."""


@dataclass(frozen=True)
class ReminderMessage:
    mail: RenderedMail
    language: str
    path: str
    # The application it is about (``applications.Application``), for the in-app notification.
    application: Model | None


@dataclass(frozen=True)
class ReminderParts:
    """What a builder gives for one reminder: the application it is about, the page it links
    to, and the template context (called in the recipient's language)."""

    application: Model | None
    path: str
    context: Context


Builder = Callable[[Reminder, Any, dt.datetime], ReminderParts]
_BUILDERS: dict[str, Builder] = {}


def register_composer(kind: str, builder: Builder) -> None:
    """Called when Django starts by the app whose reminders are of ``kind``."""
    _BUILDERS[kind] = builder


def compose(reminder: Reminder, *, now: dt.datetime) -> ReminderMessage:
    subject = reminder.subject
    if subject is None:
        raise SubjectGone(f"{reminder.subject_type.model} #{reminder.subject_id} no longer exists")
    parts = _BUILDERS[reminder.kind](reminder, subject, now)
    recipient = reminder.recipient
    url = links.absolute(parts.path)

    def context() -> dict[str, Any]:
        return {
            "recipient_name": recipient.get_full_name() or recipient.get_username(),
            "url": url,
            "site_url": settings.SITE_URL,
            **parts.context(),
        }

    language = language_of(recipient)
    mail = render(kind=reminder.kind, language=language, context=context)
    return ReminderMessage(mail=mail, language=language, path=parts.path, application=parts.application)
