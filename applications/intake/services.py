"""A firm's application before the officers see it: starting a draft, editing it, and
submitting it (which hands it to the eligibility screening).

The answers are checked against the program kind's schema (``intake.answers``) on every
write, whichever door it comes through; at submission the schema's completeness rules apply
too, and the requested amount is the one the answers give.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.errors import CallClosed, DuplicateApplication, NotPermitted, TransitionNotAllowed
from applications.models import Application, ApplicationQuerySet
from applications.transitions import actor_kind_for, apply_transition, check_units, hand_back, lock_application
from applications.workflow import ActorKind, Status
from firms.models import Firm, FirmMembership
from programs.models import Program
from sme_support.queue import enqueue_or_leave_to_sweeper


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
    check_units(units=requested_units, program=program)
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
    locked = lock_application(application.pk)
    if actor_kind_for(actor=actor, application=locked) != ActorKind.FIRM:
        raise NotPermitted(_("Only the firm's own staff can edit its application."))
    if locked.status != Status.DRAFT:
        raise TransitionNotAllowed(_("Only a draft can be edited; this application has been submitted."))
    if requested_units is not None:
        check_units(units=requested_units, program=locked.program)
        locked.requested_units = requested_units
    if answers is not None:
        locked.answers = answers
    locked.full_clean(validate_constraints=False)
    locked.save()
    return hand_back(application, locked)


@transaction.atomic
def application_submit(*, application: Application, actor: User) -> Application:
    locked = lock_application(application.pk)
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
    check_units(units=locked.requested_units, program=locked.program)
    apply_transition(application=locked, name="submit", actor=actor)
    # Enqueue only once the submission is committed, so the worker never sees a half-row.
    # A broker outage must not fail the submission: the sweeper re-enqueues what waits.
    transaction.on_commit(lambda: enqueue_screening(locked.pk))
    return hand_back(application, locked)


def enqueue_screening(application_id: int, *, expires: float | None = None) -> bool:
    """Hand the screening to the broker; False if it is unreachable, in which case
    ``requeue_stuck_screening`` enqueues it later. The sweeper's copies expire (seconds)
    unread, so a backlog does not grow by one copy per sweep."""
    options = {} if expires is None else {"expires": expires}
    return enqueue_or_leave_to_sweeper(
        "applications.tasks.screen_application",
        application_id,
        what=f"screening of application {application_id}",
        **options,
    )
