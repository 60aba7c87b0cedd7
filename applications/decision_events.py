"""What every decision path shares: the row lock, history rows for events that do not move
the application, and who to tell."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from applications import services
from applications.models import Application, StatusChange
from notifications.links import firm_application_path
from notifications.services import notify
from sme_support.roles import Role


def record_event(*, application: Application, event: str, actor: User | None, note: str) -> StatusChange:
    """A history row for something that happened to the application without moving it
    (a sign-off asked for, a grant reduced, a place offered): ``from`` and ``to`` are the
    same status, so the history still reads as one chain of states."""
    kind = services.actor_kind_for(actor=actor, application=application)
    return StatusChange.objects.create(
        application=application,
        transition=event,
        from_status=application.status,
        to_status=application.status,
        actor=actor,
        actor_kind=kind,
        at=timezone.now(),
        note=note,
    )


def firm_users(application: Application) -> list[User]:
    return list(User.objects.filter(firm_membership__firm_id=application.firm_id, is_active=True).order_by("pk"))


def program_officers(application: Application) -> list[User]:
    return list(
        User.objects.filter(program_assignments__program_id=application.program_id, is_active=True).order_by("pk")
    )


def managers(*, exclude: User | None = None) -> list[User]:
    qs = User.objects.filter(Q(groups__name=Role.MANAGER) | Q(is_superuser=True), is_active=True).distinct()
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return list(qs.order_by("pk"))


def notify_firm_of_decision(*, application: Application, decision: str, reason: str) -> None:
    titles = {
        "approve": lambda: _("Your application %(application)s to %(program)s is approved"),
        "waitlist": lambda: _("Your application %(application)s to %(program)s is on the waitlist"),
        "reject": lambda: _("Your application %(application)s to %(program)s was not selected"),
    }
    title = titles[decision]
    notify(
        users=firm_users(application),
        kind=f"decision_{decision}",
        title=lambda: title() % {"application": application, "program": application.program},
        body=lambda: reason,
        url=firm_application_path(application.pk),
        application=application,
    )


def lock_application(application_id: int) -> Application:
    # of=("self",): the same row lock the services take, and only that row (see services._lock).
    return Application.objects.select_for_update(of=("self",)).select_related("program", "firm").get(pk=application_id)
