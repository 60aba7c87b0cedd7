"""Telling people what happened to an application: the firm's staff, the program's officers,
each in their own language (``notifications.services.notify``)."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _

from applications.models import Application
from firms.selectors import firm_users
from notifications.links import firm_application_path, officer_application_path
from notifications.services import notify
from programs.selectors import program_officer_users


def notify_firm(
    *,
    application: Application,
    kind: str,
    title: Callable[[], str],
    body: Callable[[], str] = lambda: "",
    url: str | None = None,
) -> None:
    """Tell every active member of the applying firm; the link goes to the firm's page of the
    application unless ``url`` says otherwise."""
    notify(
        users=firm_users(firm_id=application.firm_id),
        kind=kind,
        title=title,
        body=body,
        url=firm_application_path(application.pk) if url is None else url,
        application=application,
    )


def notify_program_officers(
    *, application: Application, kind: str, title: Callable[[], str], body: Callable[[], str] = lambda: ""
) -> None:
    notify(
        users=program_officer_users(program_id=application.program_id),
        kind=kind,
        title=title,
        body=body,
        url=officer_application_path(application.pk),
        application=application,
    )


_DECISION_TITLES: dict[str, Callable[[], str]] = {
    "approve": lambda: _("Your application %(application)s to %(program)s is approved"),
    "waitlist": lambda: _("Your application %(application)s to %(program)s is on the waitlist"),
    "reject": lambda: _("Your application %(application)s to %(program)s was not selected"),
}


def notify_firm_of_decision(*, application: Application, decision: str, reason: str) -> None:
    title = _DECISION_TITLES[decision]
    notify_firm(
        application=application,
        kind=f"decision_{decision}",
        title=lambda: title() % {"application": application, "program": application.program},
        body=lambda: reason,
    )
