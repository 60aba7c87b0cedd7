"""Every state-changing operation of the casework; each tells the other side.

Officers act only on the programs assigned to them (managers on any), never on a firm they
declared a conflict of interest with (``transitions``); firms only on their own
applications. Each function locks the application row first and, in the same transaction,
notifies the people who need to know, in their own language.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.errors import InvalidInput, TransitionNotAllowed
from applications.inputs import MESSAGE_MAX, required_text, storable_text
from applications.intake.documents import document_store
from applications.models import Application, ApplicationDocument, InfoRequest, Message
from applications.notices import notify_firm, notify_program_officers
from applications.transitions import (
    apply_transition,
    check_transition,
    firm_member_of,
    hand_back,
    lock_application,
    officer_of,
)
from applications.workflow import TERMINAL, Status


@transaction.atomic
def application_start_review(*, application: Application, actor: User, note: str = "") -> Application:
    locked = lock_application(application.pk)
    apply_transition(application=locked, name="start_review", actor=actor, note=note)
    notify_firm(
        application=locked,
        kind="review_started",
        title=lambda: _("Your application %(application)s is now under review") % {"application": locked},
    )
    return hand_back(application, locked)


@transaction.atomic
def application_request_info(
    *, application: Application, actor: User, message: str, due_on: dt.date | None = None
) -> InfoRequest:
    """Ask the firm for more information by ``due_on`` (default: ``INFO_REQUEST_DEFAULT_DAYS``)."""
    locked = lock_application(application.pk)
    text = storable_text(message)
    due = due_on or timezone.localdate() + dt.timedelta(days=settings.INFO_REQUEST_DEFAULT_DAYS)
    if due < timezone.localdate():
        raise InvalidInput(_("The answer's due date cannot be in the past."))
    apply_transition(application=locked, name="request_info", actor=actor, note=text)
    request = InfoRequest.objects.create(application=locked, requested_by=actor, message=text, due_on=due)
    Message.objects.create(application=locked, author=actor, from_firm=False, body=text, info_request=request)
    notify_firm(
        application=locked,
        kind="info_requested",
        title=lambda: _("The officers need more information on %(application)s") % {"application": locked},
        body=lambda: (
            _("%(message)s\n\nPlease answer by %(date)s.")
            % {"message": request.message, "date": request.due_on.isoformat()}
        ),
    )
    hand_back(application, locked)
    return request


@transaction.atomic
def application_answer_info(
    *,
    application: Application,
    actor: User,
    answer: str,
    upload: UploadedFile | None = None,
    doc_type: str = ApplicationDocument.DocType.OTHER,
) -> Application:
    """Answer the open information request, with an optional file, in one transaction: a
    refused file leaves the request unanswered and the application where it was."""
    text = storable_text(answer, limit=MESSAGE_MAX)
    locked = lock_application(application.pk)
    # Refuse before anything is stored: a file kept for an answer that was not given would be
    # an orphan on disk after the rollback.
    check_transition(application=locked, name="answer_info", actor=actor, note=text)
    attachment = None
    if upload is not None:
        attachment = document_store(application=locked, actor=actor, doc_type=doc_type, upload=upload)
    apply_transition(application=locked, name="answer_info", actor=actor, note=text)
    request = locked.info_requests.select_for_update().filter(answered_at=None).order_by("-requested_at").first()
    if request is not None:
        request.answer, request.answered_by, request.answered_at = text, actor, timezone.now()
        request.save(update_fields=["answer", "answered_by", "answered_at"])
    Message.objects.create(
        application=locked, author=actor, from_firm=True, body=text, info_request=request, attachment=attachment
    )
    notify_program_officers(
        application=locked,
        kind="info_answered",
        title=lambda: (
            _("%(firm)s answered the information request on %(application)s")
            % {"firm": locked.firm, "application": locked}
        ),
        body=lambda: text,
    )
    return hand_back(application, locked)


@transaction.atomic
def application_override_eligibility(*, application: Application, actor: User, justification: str) -> Application:
    """An officer finds an ineligible application eligible after all; the justification is
    the history note and the firm reads it."""
    locked = lock_application(application.pk)
    apply_transition(application=locked, name="override_eligibility", actor=actor, note=justification)
    notify_firm(
        application=locked,
        kind="eligibility_override",
        title=lambda: (
            _("Your application %(application)s was found eligible after an officer's review") % {"application": locked}
        ),
        body=lambda: justification.strip(),
    )
    return hand_back(application, locked)


@transaction.atomic
def officer_message_send(*, application: Application, actor: User, body: str) -> Message:
    """A message from the program's officers to the firm about a submitted application."""
    locked = lock_application(application.pk)
    officer_of(actor=actor, application=locked, refusal=_("Only the program's officers can write to the firm here."))
    if locked.status == Status.DRAFT:
        raise TransitionNotAllowed(_("The firm has not submitted this application yet."))
    text = required_text(body, missing=_("Please write a message."))
    message = Message.objects.create(application=locked, author=actor, from_firm=False, body=text)
    notify_firm(
        application=locked,
        kind="officer_message",
        title=lambda: _("New message from the officers on %(application)s") % {"application": locked},
        body=lambda: text,
    )
    return message


@transaction.atomic
def firm_message_send(*, application: Application, actor: User, body: str) -> Message:
    """A firm's message to the program's officers about its submitted application."""
    locked = lock_application(application.pk)
    firm_member_of(actor=actor, application=locked, refusal=_("Only the firm's own staff can write here."))
    if locked.status == Status.DRAFT:
        raise TransitionNotAllowed(_("Messages to officers open once the application is submitted."))
    if locked.status in TERMINAL:
        raise TransitionNotAllowed(_("This application is closed; messages can no longer be sent."))
    text = required_text(body, missing=_("Please write a message."), limit=MESSAGE_MAX)
    message = Message.objects.create(application=locked, author=actor, from_firm=True, body=text)
    notify_program_officers(
        application=locked,
        kind="firm_message",
        title=lambda: _("New message from %(firm)s on %(application)s") % {"firm": locked.firm, "application": locked},
    )
    return message
