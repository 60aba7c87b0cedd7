"""What a firm does on a submitted application: message officers, answer information
requests with a file, and read its notifications."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.documents import document_store
from applications.errors import InvalidInput, NotPermitted, TransitionNotAllowed
from applications.models import Application, ApplicationDocument, Message
from applications.services import actor_kind_for, application_answer_info
from applications.workflow import TERMINAL, ActorKind, Status
from notifications.models import Notification
from notifications.services import notify

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django.contrib.auth.models import User as AbstractBaseUser

MESSAGE_MAX_CHARS = 5000


def _clean_text(text: str, *, what: str) -> str:
    cleaned = text.strip()
    if not cleaned:
        raise InvalidInput(_("Please write %(what)s.") % {"what": what})
    if len(cleaned) > MESSAGE_MAX_CHARS:
        raise InvalidInput(
            _("Please keep it under %(limit)s characters (it has %(count)s).")
            % {"limit": MESSAGE_MAX_CHARS, "count": len(cleaned)}
        )
    return cleaned


@transaction.atomic
def message_post(*, application: Application, actor: AbstractBaseUser, body: str) -> Message:
    """A firm's message to the program's officers about its submitted application."""
    locked = Application.objects.select_for_update().select_related("program").get(pk=application.pk)
    if actor_kind_for(actor=actor, application=locked) != ActorKind.FIRM:
        raise NotPermitted(_("Only the firm's own staff can write here."))
    if locked.status == Status.DRAFT:
        raise TransitionNotAllowed(_("Messages to officers open once the application is submitted."))
    if locked.status in TERMINAL:
        raise TransitionNotAllowed(_("This application is closed; messages can no longer be sent."))
    message = Message.objects.create(
        application=locked, author=actor, from_firm=True, body=_clean_text(body, what=_("a message"))
    )
    officers = [a.user for a in locked.program.officer_assignments.select_related("user")]
    if officers:
        notify(
            users=officers,
            kind="firm_message",
            title=lambda: (
                _("New message from %(firm)s on %(application)s") % {"firm": locked.firm, "application": locked}
            ),
            application=locked,
        )
    return message


@transaction.atomic
def info_request_answer(
    *,
    application: Application,
    actor: AbstractBaseUser,
    answer: str,
    upload: UploadedFile | None = None,
    doc_type: str = ApplicationDocument.DocType.OTHER,
) -> Application:
    """Answer the open information request, with an optional file, in one transaction: a
    refused file leaves the request unanswered and the application where it was."""
    text = _clean_text(answer, what=_("your answer"))
    attachment = None
    if upload is not None:
        attachment = document_store(application=application, actor=actor, doc_type=doc_type, upload=upload)
    return application_answer_info(application=application, actor=actor, answer=text, attachment=attachment)


@transaction.atomic
def notifications_mark_read(*, user: AbstractBaseUser, ids: Iterable[int] | None = None) -> int:
    """Mark the user's own notifications read (all unread ones when ``ids`` is None)."""
    qs = Notification.objects.filter(user=user, read_at=None)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())
