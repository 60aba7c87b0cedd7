"""Every state-changing operation on an application.

Each public function is keyword-only, runs in one transaction, locks the application row
first (so two requests can't both move it), asks the workflow table whether the move is
allowed for this actor, and writes the history row. Views, API, admin actions, Celery
tasks and management commands all call these.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.allocation import allocation_claim, allocation_release
from applications.errors import (
    CallClosed,
    DuplicateApplication,
    InvalidInput,
    InvalidUnits,
    NoteRequired,
    NotPermitted,
    TransitionNotAllowed,
)
from applications.models import (
    Application,
    ApplicationDocument,
    ApplicationQuerySet,
    InfoRequest,
    Message,
    StatusChange,
)
from applications.workflow import DECIDED, TRANSITIONS, ActorKind, Status
from firms.models import Firm, FirmMembership
from programs.models import Program, ProgramOfficer
from sme_support.roles import is_manager, is_officer

logger = logging.getLogger(__name__)


# --- Who is acting ----------------------------------------------------------------------


def actor_kind_for(*, actor: User | None, application: Application) -> ActorKind:
    """Which side of the workflow ``actor`` stands on for this application.

    ``None`` is the system (workers, selection). A firm's staff act as the firm only on their
    own firm's applications; officers only on programs they are assigned to; managers on any.
    """
    if actor is None:
        return ActorKind.SYSTEM
    if not actor.is_authenticated or not actor.is_active:
        raise NotPermitted(_("You need to be signed in to do this."))
    if FirmMembership.objects.filter(user=actor, firm_id=application.firm_id).exists():
        return ActorKind.FIRM
    if is_manager(actor):
        return ActorKind.OFFICER
    if is_officer(actor) and ProgramOfficer.objects.filter(program_id=application.program_id, user=actor).exists():
        return ActorKind.OFFICER
    raise NotPermitted(_("You are not allowed to act on this application."))


_ACTOR_LABELS = {
    ActorKind.FIRM: lambda: _("the applying firm"),
    ActorKind.OFFICER: lambda: _("an officer of the program"),
    ActorKind.SYSTEM: lambda: _("the system"),
}


def _status_label(status: str) -> str:
    return str(Status(status).label)


# --- The one place a status changes -------------------------------------------------------


def _lock(application: Application) -> Application:
    # of=("self",): lock only the application row. Without it PostgreSQL also locks the joined
    # program row, and every move on any application of a call would queue behind the others.
    return Application.objects.select_for_update(of=("self",)).select_related("program").get(pk=application.pk)


def _check_transition(*, application: Application, name: str, actor: User | None, note: str = "") -> ActorKind:
    """Raise a domain error unless ``actor`` may fire ``name`` on ``application`` now."""
    transition = TRANSITIONS[name]
    kind = actor_kind_for(actor=actor, application=application)
    if kind not in transition.actors:
        who = ", ".join(_ACTOR_LABELS[a]() for a in sorted(transition.actors))
        raise NotPermitted(_("“%(action)s” can only be done by %(who)s.") % {"action": transition.label, "who": who})
    if application.status not in transition.sources:
        allowed = ", ".join(_status_label(s) for s in Status.values if s in transition.sources)
        raise TransitionNotAllowed(
            _(
                "This application is “%(status)s”, so it cannot be moved by “%(action)s”; that is possible only from: %(allowed)s."
            )
            % {"status": _status_label(application.status), "action": transition.label, "allowed": allowed}
        )
    if transition.needs_note and not note.strip():
        raise NoteRequired(_("Please give a reason for “%(action)s”.") % {"action": transition.label})
    return kind


def _apply(
    *,
    application: Application,
    name: str,
    actor: User | None,
    note: str = "",
) -> StatusChange:
    """Fire transition ``name`` on a locked application and record it."""
    kind = _check_transition(application=application, name=name, actor=actor, note=note)
    transition = TRANSITIONS[name]

    now = timezone.now()
    previous = application.status
    application.status = transition.target
    application.status_changed_at = now
    update_fields = ["status", "status_changed_at", "updated_at"]
    if transition.target == Status.SUBMITTED:
        application.submitted_at = now
        application.receipt_number = receipt_number_for(application)
        update_fields += ["submitted_at", "receipt_number"]
    if transition.target in DECIDED:
        application.decision_reason = note
        update_fields.append("decision_reason")
        if application.decided_at is None:
            application.decided_at = now
            update_fields.append("decided_at")
    application.save(update_fields=update_fields)
    return StatusChange.objects.create(
        application=application,
        transition=name,
        from_status=previous,
        to_status=transition.target,
        actor=actor,
        actor_kind=kind,
        at=now,
        note=note,
    )


def receipt_number_for(application: Application) -> str:
    """Stable and unique: the fiscal year and the row's id, e.g. ``R2026-0000123``."""
    return f"R{application.program.fiscal_year}-{application.pk:07d}"


def _sync(original: Application, locked: Application) -> Application:
    """Hand the caller's instance the state the transaction committed."""
    if original is not locked:
        original.refresh_from_db()
    return locked


def _check_units(*, units: int, program: Program) -> None:
    if units < 1:
        raise InvalidUnits(_("The number of units must be at least 1."))
    if units > program.per_firm_cap:
        raise InvalidUnits(
            _("%(units)s is more than this program's per-firm cap of %(cap)s.")
            % {"units": units, "cap": program.per_firm_cap}
        )


# --- Drafts -------------------------------------------------------------------------------


@transaction.atomic
def application_create(
    *,
    program: Program,
    firm: Firm,
    actor: User,
    requested_units: int,
    answers: dict[str, Any] | None = None,
) -> Application:
    if not FirmMembership.objects.filter(user=actor, firm=firm).exists():
        raise NotPermitted(_("Only the firm's own staff can start an application for it."))
    if not program.is_open():
        raise CallClosed(_("This call is not open for applications."))
    _check_units(units=requested_units, program=program)
    if live_application_exists(program=program, firm=firm):
        raise DuplicateApplication(_duplicate_message())
    application = Application(
        program=program, firm=firm, requested_units=requested_units, answers=answers or {}, created_by=actor
    )
    application.full_clean(validate_constraints=False)
    try:
        # A savepoint: two colleagues applying at the same moment both pass the check above,
        # and the partial unique index refuses the second insert. Rolling back to the
        # savepoint keeps the caller's transaction usable for the domain error.
        with transaction.atomic():
            application.save()
    except IntegrityError as exc:
        if ONE_LIVE_APPLICATION in str(exc) or _live_applications(program=program, firm=firm).exists():
            raise DuplicateApplication(_duplicate_message()) from exc
        raise
    return application


# The partial unique index on Application that keeps one live application per firm and call.
ONE_LIVE_APPLICATION = "uniq_live_application_per_firm_program"


def _live_applications(*, program: Program, firm: Firm) -> ApplicationQuerySet:
    return Application.objects.filter(program=program, firm=firm).exclude(status=Status.WITHDRAWN)


def live_application_exists(*, program: Program, firm: Firm) -> bool:
    """Whether ``firm`` has an application to ``program`` that is not withdrawn."""
    return _live_applications(program=program, firm=firm).exists()


def _duplicate_message() -> str:
    return _("Your firm already has an application to this program; edit or withdraw that one.")


@transaction.atomic
def application_update_draft(
    *,
    application: Application,
    actor: User,
    requested_units: int | None = None,
    answers: dict[str, Any] | None = None,
) -> Application:
    locked = _lock(application)
    if actor_kind_for(actor=actor, application=locked) != ActorKind.FIRM:
        raise NotPermitted(_("Only the firm's own staff can edit its application."))
    if locked.status != Status.DRAFT:
        raise TransitionNotAllowed(_("Only a draft can be edited; this application has been submitted."))
    if requested_units is not None:
        _check_units(units=requested_units, program=locked.program)
        locked.requested_units = requested_units
    if answers is not None:
        locked.answers = answers
    locked.full_clean(validate_constraints=False)
    locked.save()
    return _sync(application, locked)


# --- Submission and screening ---------------------------------------------------------------


@transaction.atomic
def application_submit(*, application: Application, actor: User) -> Application:
    locked = _lock(application)
    if not locked.program.is_open() and timezone.now() < locked.program.opens_at:
        # The window can be moved after drafts exist; don't tell the firm it "closed".
        raise CallClosed(
            _("This call opens on %(opens)s; applications cannot be submitted before then.")
            % {"opens": timezone.localtime(locked.program.opens_at).strftime("%Y-%m-%d %H:%M")}
        )
    if not locked.program.is_open():
        raise CallClosed(
            _("This call closed on %(closes)s; applications can no longer be submitted.")
            % {"closes": timezone.localtime(locked.program.closes_at).strftime("%Y-%m-%d %H:%M")}
        )
    _check_units(units=locked.requested_units, program=locked.program)
    _apply(application=locked, name="submit", actor=actor)
    # Enqueue only once the submission is committed, so the worker never sees a half-row.
    # A broker outage must not fail the submission: the sweeper re-enqueues what waits.
    transaction.on_commit(lambda: enqueue_screening(locked.pk))
    return _sync(application, locked)


def enqueue_screening(application_id: int, *, expires: float | None = None) -> bool:
    """Hand the screening to the broker; False if it is unreachable (the settings make that
    fail within ~2 s), in which case requeue_stuck_screening enqueues it later. The sweeper's
    copies expire (seconds) unread, so a backlog does not grow by one copy per sweep."""
    from applications.tasks import screen_application

    try:
        if expires is None:
            screen_application.delay(application_id)
        else:
            screen_application.apply_async((application_id,), expires=expires)
    except Exception:  # the broker is down; requeue_stuck_screening will retry
        logger.warning(
            "Could not enqueue screening of application %s; the sweeper will retry.", application_id, exc_info=True
        )
        return False
    return True


@transaction.atomic
def application_screen(*, application_id: int) -> Application | None:
    """Run the eligibility check for a submitted application (the worker's job).

    Idempotent: a re-delivered task finds the application already screened and does nothing.
    """
    from programs.eligibility import evaluate

    try:
        locked = (
            Application.objects.select_for_update(of=("self",)).select_related("program", "firm").get(pk=application_id)
        )
    except Application.DoesNotExist:
        return None
    if locked.status == Status.SUBMITTED:
        _apply(application=locked, name="start_screening", actor=None)
    if locked.status != Status.SCREENING:
        return locked
    outcome = evaluate(locked)
    locked.eligibility_results = outcome.results
    locked.eligibility_rules_version = outcome.rules_version
    locked.eligibility_checked_at = timezone.now()
    locked.save(update_fields=["eligibility_results", "eligibility_rules_version", "eligibility_checked_at"])
    _apply(application=locked, name="mark_eligible" if outcome.passed else "mark_ineligible", actor=None)
    if outcome.passed:
        # First come, first served: decided the moment it is found eligible (selection.py).
        from applications.selection import fcfs_on_eligible

        fcfs_on_eligible(application=locked)
    return locked


@transaction.atomic
def application_override_eligibility(*, application: Application, actor: User, justification: str) -> Application:
    locked = _lock(application)
    _apply(application=locked, name="override_eligibility", actor=actor, note=justification)
    return _sync(application, locked)


# --- Review -----------------------------------------------------------------------------------


@transaction.atomic
def application_start_review(*, application: Application, actor: User, note: str = "") -> Application:
    locked = _lock(application)
    _apply(application=locked, name="start_review", actor=actor, note=note)
    return _sync(application, locked)


@transaction.atomic
def application_request_info(
    *, application: Application, actor: User, message: str, due_on: dt.date | None = None
) -> InfoRequest:
    locked = _lock(application)
    due = due_on or timezone.localdate() + dt.timedelta(days=settings.INFO_REQUEST_DEFAULT_DAYS)
    if due < timezone.localdate():
        raise InvalidInput(_("The answer's due date cannot be in the past."))
    _apply(application=locked, name="request_info", actor=actor, note=message)
    request = InfoRequest.objects.create(application=locked, requested_by=actor, message=message, due_on=due)
    Message.objects.create(application=locked, author=actor, from_firm=False, body=message, info_request=request)
    _sync(application, locked)
    return request


@transaction.atomic
def application_answer_info(
    *, application: Application, actor: User, answer: str, attachment: ApplicationDocument | None = None
) -> Application:
    locked = _lock(application)
    _apply(application=locked, name="answer_info", actor=actor, note=answer)
    now = timezone.now()
    request = locked.info_requests.select_for_update().filter(answered_at=None).order_by("-requested_at").first()
    if request is not None:
        request.answer, request.answered_by, request.answered_at = answer, actor, now
        request.save(update_fields=["answer", "answered_by", "answered_at"])
    Message.objects.create(
        application=locked, author=actor, from_firm=True, body=answer, info_request=request, attachment=attachment
    )
    return _sync(application, locked)


# --- Decisions --------------------------------------------------------------------------------


@transaction.atomic
def application_approve(*, application: Application, actor: User | None, units: int, reason: str) -> Application:
    """Approve and allocate ``units`` in one transaction.

    1. Lock the application, so it can't be approved twice.
    2. Check the move and the units against the request and the per-firm cap.
    3. Claim the units with a conditional UPDATE (see allocation.py); if the pool is short,
       raise CapacityExceeded and the whole transaction rolls back.
    4. Record the transition.
    """
    locked = _lock(application)
    _check_transition(application=locked, name="approve", actor=actor, note=reason)
    # A waitlisted application holding an offer already has its units: the firm answers it.
    from applications.waitlist import guard_approval

    guard_approval(application=locked)
    _check_units(units=units, program=locked.program)
    if units > locked.requested_units:
        raise InvalidUnits(
            _("%(units)s is more than the %(requested)s the firm asked for.")
            % {"units": units, "requested": locked.requested_units}
        )
    allocation_claim(application=locked, units=units, actor=actor)
    _apply(application=locked, name="approve", actor=actor, note=reason)
    return _sync(application, locked)


@transaction.atomic
def application_waitlist(*, application: Application, actor: User | None, reason: str) -> Application:
    locked = _lock(application)
    _apply(application=locked, name="waitlist", actor=actor, note=reason)
    from applications.waitlist import waitlist_entry_add

    waitlist_entry_add(application=locked)
    return _sync(application, locked)


@transaction.atomic
def application_reject(*, application: Application, actor: User | None, reason: str) -> Application:
    locked = _lock(application)
    was_waitlisted = locked.status == Status.WAITLISTED
    _apply(application=locked, name="reject", actor=actor, note=reason)
    if was_waitlisted:
        # Closing a live waitlist offer hands its units to the next in line (waitlist.py).
        from applications.waitlist import application_left_waitlist

        application_left_waitlist(application=locked, actor=actor, declined=False)
    return _sync(application, locked)


# --- After a decision ---------------------------------------------------------------------------


@transaction.atomic
def application_withdraw(*, application: Application, actor: User, note: str = "") -> Application:
    locked = _lock(application)
    was_approved = locked.status == Status.APPROVED
    was_waitlisted = locked.status == Status.WAITLISTED
    _apply(application=locked, name="withdraw", actor=actor, note=note)
    # Units that come back are offered to the waitlist in this same transaction (waitlist.py).
    from applications.waitlist import application_left_waitlist, units_returned

    if was_approved:
        allocation_release(application=locked)
        units_returned(program_id=locked.program_id)
    elif was_waitlisted:
        application_left_waitlist(application=locked, actor=actor, declined=True)
    return _sync(application, locked)


@transaction.atomic
def application_cancel(*, application: Application, actor: User, reason: str) -> Application:
    locked = _lock(application)
    _apply(application=locked, name="cancel", actor=actor, note=reason)
    allocation_release(application=locked)
    from applications.waitlist import units_returned

    units_returned(program_id=locked.program_id)
    return _sync(application, locked)


@transaction.atomic
def application_complete(*, application: Application, actor: User, note: str = "") -> Application:
    locked = _lock(application)
    _apply(application=locked, name="complete", actor=actor, note=note)
    return _sync(application, locked)
