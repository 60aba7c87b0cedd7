"""Bulk actions on the queue: assign a reviewer, request information, reject.

The confirmation page is a real dry run: each application's action is carried out by the
same service the apply step calls, inside a savepoint that is then rolled back, so what the
page predicts (and which applications will be refused, and why) is exactly what the
services decide, not a second copy of their rules. Notifications written in the dry run are
rolled back with it, and ``transaction.on_commit`` callbacks of a rolled-back savepoint are
discarded.

Applying runs the service once per application, each in its own transaction: one refusal
(someone else moved that application since the preview) does not undo the others.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications.casework.services import application_request_info
from applications.decisions.services import decision_request
from applications.models import Application
from applications.selectors import application_list
from reviews.services import review_assign
from sme_support.errors import DomainError

MAX_SELECTION = 200


class BulkAction(StrEnum):
    ASSIGN = "assign"
    REQUEST_INFO = "request_info"
    REJECT = "reject"


BULK_ACTION_LABELS: dict[BulkAction, Promise] = {
    BulkAction.ASSIGN: gettext_lazy("Assign a reviewer"),
    BulkAction.REQUEST_INFO: gettext_lazy("Request information"),
    BulkAction.REJECT: gettext_lazy("Reject as not eligible"),
}


@dataclass(frozen=True)
class BulkParams:
    reviewer: User | None = None
    message: str = ""
    due_on: dt.date | None = None
    reason: str = ""


@dataclass(frozen=True)
class BulkLine:
    application: Application
    ok: bool
    message: str


class _DryRun(Exception):
    """Raised after a successful dry run to roll its savepoint back, carrying the outcome."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _run(*, action: BulkAction, application: Application, actor: User, params: BulkParams, done: bool) -> str:
    """Carry out ``action`` on ``application`` through its service and say what happened
    (``done``) or will happen."""
    if action == BulkAction.ASSIGN:
        assert params.reviewer is not None  # the form requires it
        review_assign(application=application, reviewer=params.reviewer, actor=actor)
        name = params.reviewer.get_full_name() or params.reviewer.get_username()
        if done:
            return _("%(name)s was assigned as a reviewer and notified.") % {"name": name}
        return _("%(name)s will be assigned as a reviewer and notified.") % {"name": name}
    if action == BulkAction.REQUEST_INFO:
        request = application_request_info(
            application=application, actor=actor, message=params.message, due_on=params.due_on
        )
        date = request.due_on.isoformat()
        if done:
            return _("Moved to “Information requested”; the firm was asked to answer by %(date)s.") % {"date": date}
        return _("Will move to “Information requested”; the firm will be asked to answer by %(date)s.") % {"date": date}
    outcome = decision_request(application=application, actor=actor, decision="reject", reason=params.reason)
    if not outcome.applied:
        if done:
            return _("The rejection was filed for a manager's sign-off.")
        return _("The rejection will be filed for a manager's sign-off.")
    if done:
        return _("Rejected; the firm was notified with your reason.")
    return _("Will be rejected; the firm will be notified with your reason.")


def _each(
    *,
    action: BulkAction,
    applications: Iterable[Application],
    actor: User,
    params: BulkParams,
    attempt: Callable[[Application], str],
) -> list[BulkLine]:
    lines = []
    for application in applications:
        try:
            lines.append(BulkLine(application=application, ok=True, message=attempt(application)))
        except DomainError as exc:
            lines.append(BulkLine(application=application, ok=False, message=exc.message))
        # Each attempt ran in its own (rolled back or committed) transaction; reload so the
        # next page shows where the application really is.
        application.refresh_from_db()
    return lines


def bulk_selection(*, user: User, ids: Iterable[int]) -> tuple[list[Application], list[int]]:
    """The selected applications the user may act on, in the order given, and the ids that
    are not (unknown, or outside the user's scope: the same answer for both)."""
    wanted = list(dict.fromkeys(ids))[:MAX_SELECTION]
    found = application_list(user=user).filter(pk__in=wanted).in_bulk()
    return [found[pk] for pk in wanted if pk in found], [pk for pk in wanted if pk not in found]


def bulk_preview(
    *, action: BulkAction, applications: Iterable[Application], actor: User, params: BulkParams
) -> list[BulkLine]:
    """What applying would do to each application, found by doing it and rolling it back."""

    def dry_run(application: Application) -> str:
        try:
            with transaction.atomic():
                outcome = _run(action=action, application=application, actor=actor, params=params, done=False)
                raise _DryRun(outcome)
        except _DryRun as rolled_back:
            return rolled_back.message

    return _each(action=action, applications=applications, actor=actor, params=params, attempt=dry_run)


def bulk_apply(
    *, action: BulkAction, applications: Iterable[Application], actor: User, params: BulkParams
) -> list[BulkLine]:
    def apply(application: Application) -> str:
        return _run(action=action, application=application, actor=actor, params=params, done=True)

    return _each(action=action, applications=applications, actor=actor, params=params, attempt=apply)
