"""What officers do to an application from the workspace, and the firm hearing about it.

Each function calls the workflow service that moves the application (``applications.services``,
or ``applications.decisions`` for decisions) and, in the same transaction,
notifies the firm's staff in their own language. The history row is written by the
workflow service; a refusal raises its ``ApplicationError`` and nothing is sent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from enum import StrEnum

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications import decisions
from applications.errors import NotPermitted, TransitionNotAllowed
from applications.models import Application, DecisionSignOff, InfoRequest, Message
from applications.services import (
    actor_kind_for,
    application_override_eligibility,
    application_request_info,
    application_start_review,
)
from applications.workflow import ActorKind, Status
from notifications.links import firm_application_path
from notifications.services import notify
from reviews.services import _lock_application, _required_text, conflict_refusal, has_conflict


def _firm_users(application: Application) -> list[User]:
    return list(get_user_model().objects.filter(firm_membership__firm_id=application.firm_id, is_active=True))


def notify_firm(
    *, application: Application, kind: str, title: Callable[[], str], body: Callable[[], str] = lambda: ""
) -> None:
    """Tell every active member of the applying firm, each in their own language."""
    users = _firm_users(application)
    if users:
        notify(
            users=users,
            kind=kind,
            title=title,
            body=body,
            url=firm_application_path(application.pk),
            application=application,
        )


@transaction.atomic
def review_start(*, application: Application, actor: User) -> Application:
    moved = application_start_review(application=application, actor=actor)
    notify_firm(
        application=moved,
        kind="review_started",
        title=lambda: _("Your application %(application)s is now under review") % {"application": moved},
    )
    return moved


@transaction.atomic
def info_request(*, application: Application, actor: User, message: str, due_on: dt.date | None) -> InfoRequest:
    request = application_request_info(application=application, actor=actor, message=message, due_on=due_on)
    notify_firm(
        application=application,
        kind="info_requested",
        title=lambda: _("The officers need more information on %(application)s") % {"application": application},
        body=lambda: (
            _("%(message)s\n\nPlease answer by %(date)s.")
            % {"message": request.message, "date": request.due_on.isoformat()}
        ),
    )
    return request


@transaction.atomic
def eligibility_override(*, application: Application, actor: User, justification: str) -> Application:
    moved = application_override_eligibility(application=application, actor=actor, justification=justification)
    notify_firm(
        application=moved,
        kind="eligibility_override",
        title=lambda: (
            _("Your application %(application)s was found eligible after an officer's review") % {"application": moved}
        ),
        body=lambda: justification.strip(),
    )
    return moved


@transaction.atomic
def officer_message_send(*, application: Application, actor: User, body: str) -> Message:
    """A message from the program's officers to the firm about a submitted application."""
    locked = _lock_application(application)
    if actor_kind_for(actor=actor, application=locked) != ActorKind.OFFICER:
        raise NotPermitted(_("Only the program's officers can write to the firm here."))
    if locked.status == Status.DRAFT:
        raise TransitionNotAllowed(_("The firm has not submitted this application yet."))
    text = _required_text(body, missing=_("Please write a message."))
    message = Message.objects.create(application=locked, author=actor, from_firm=False, body=text)
    notify_firm(
        application=locked,
        kind="officer_message",
        title=lambda: _("New message from the officers on %(application)s") % {"application": locked},
        body=lambda: text,
    )
    return message


# --- Decisions -------------------------------------------------------------------------------------


class Decision(StrEnum):
    APPROVE = "approve"
    WAITLIST = "waitlist"
    REJECT = "reject"


DECISION_LABELS: dict[Decision, Promise] = {
    Decision.APPROVE: gettext_lazy("Approve"),
    Decision.WAITLIST: gettext_lazy("Waitlist"),
    Decision.REJECT: gettext_lazy("Reject"),
}


@transaction.atomic
def decide(
    *, application: Application, actor: User, decision: Decision, units: int | None, reason: str
) -> decisions.DecisionOutcome:
    """Approve, waitlist or reject through ``applications.decisions.decision_request``: it
    applies the decision and tells the firm, or, for an approval above the program's sign-off
    threshold, files it for a manager's sign-off (``outcome.applied`` is False).

    An officer with a declared conflict of interest with the firm takes no decision on it.
    """
    if has_conflict(reviewer=actor, firm_id=application.firm_id):
        raise conflict_refusal(firm=application.firm)
    return decisions.decision_request(
        application=application,
        actor=actor,
        decision=decision.value,
        units=units if decision == Decision.APPROVE else None,
        reason=reason,
    )


@transaction.atomic
def sign_off(*, sign_off: DecisionSignOff, actor: User, approve: bool, note: str) -> decisions.DecisionOutcome:
    """A manager signs off or refuses a pending decision (``decision_sign_off`` applies the
    four-eyes rule); a manager with a conflict of interest with the firm does neither."""
    application = sign_off.application
    if has_conflict(reviewer=actor, firm_id=application.firm_id):
        raise conflict_refusal(firm=application.firm)
    return decisions.decision_sign_off(sign_off=sign_off, actor=actor, approve=approve, note=note)
