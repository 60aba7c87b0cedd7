"""The one place a status changes: who is acting, whether the table allows the move, and the
history row that records it.

Every service that moves an application (intake, casework, decisions, eligibility,
outcomes) locks the application row with ``lock_application`` first — the one row lock, so
two requests can never both move it and every path takes locks in the same order
(application, then its program or its other rows) — then calls ``check_transition`` and
``apply_transition``. ``record_event`` writes a history row for something that happened to
the application without moving it (a sign-off asked for, a grant reduced, a place offered).

Who acts (``actor_kind_for``): ``None`` is the system (workers, selection); a firm's staff
act as the firm on their own firm's applications; officers on the programs assigned to them;
managers on any. An officer or manager who declared a conflict of interest with the applying
firm is recused (``refuse_if_recused``): ``check_transition`` refuses them whatever the move.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.errors import ConflictOfInterestError, InvalidUnits, NoteRequired, NotPermitted, TransitionNotAllowed
from applications.models import Application, StatusChange
from applications.review_register import review_register
from applications.workflow import DECIDED, TRANSITIONS, ActorKind, Status
from firms.models import Firm, FirmMembership
from programs.models import Program, ProgramOfficer
from sme_support.roles import is_manager, is_officer

_ACTOR_LABELS = {
    ActorKind.FIRM: lambda: _("the applying firm"),
    ActorKind.OFFICER: lambda: _("an officer of the program"),
    ActorKind.SYSTEM: lambda: _("the system"),
}


def status_label(status: str) -> str:
    return str(Status(status).label)


def lock_application(application_id: int) -> Application:
    """Lock one application row for the rest of the transaction, with its program and firm.

    ``of=("self",)``: only the application row. Without it PostgreSQL also locks the joined
    program row, and every move on any application of a call would queue behind the others.
    """
    return Application.objects.select_for_update(of=("self",)).select_related("program", "firm").get(pk=application_id)


def hand_back(original: Application, locked: Application) -> Application:
    """Give the caller's instance the state the transaction committed; return the locked one."""
    if original is not locked:
        original.refresh_from_db()
    return locked


# --- Who is acting ----------------------------------------------------------------------------


def actor_kind_for(*, actor: User | None, application: Application) -> ActorKind:
    """Which side of the workflow ``actor`` stands on for this application, or ``NotPermitted``."""
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


def conflict_refusal(*, firm: Firm) -> ConflictOfInterestError:
    return ConflictOfInterestError(
        _(
            "You have declared a conflict of interest with %(firm)s, so you cannot review or score its "
            "applications. Ask the program's lead to assign another reviewer."
        )
        % {"firm": firm}
    )


def refuse_if_recused(*, actor: User | None, application: Application) -> None:
    """An officer or manager with a declared conflict of interest with the firm takes no part
    in its applications: no review, no decision, no sign-off, no message, no report accepted."""
    if actor is not None and review_register().is_recused(user_id=actor.pk, firm_id=application.firm_id):
        raise conflict_refusal(firm=application.firm)


def officer_of(*, actor: User | None, application: Application, refusal: str) -> User:
    """``actor`` if they act as an officer of the program (not recused); ``NotPermitted(refusal)``
    for anyone else, the system included."""
    if actor is None or actor_kind_for(actor=actor, application=application) != ActorKind.OFFICER:
        raise NotPermitted(refusal)
    refuse_if_recused(actor=actor, application=application)
    return actor


def firm_member_of(*, actor: User | None, application: Application, refusal: str) -> User:
    """``actor`` if they are staff of the applying firm; ``NotPermitted(refusal)`` otherwise."""
    if actor is None or actor_kind_for(actor=actor, application=application) != ActorKind.FIRM:
        raise NotPermitted(refusal)
    return actor


# --- Moving ----------------------------------------------------------------------------------------


def check_transition(*, application: Application, name: str, actor: User | None, note: str = "") -> ActorKind:
    """Raise a domain error unless ``actor`` may fire ``name`` on ``application`` now."""
    transition = TRANSITIONS[name]
    kind = actor_kind_for(actor=actor, application=application)
    if kind not in transition.actors:
        who = ", ".join(_ACTOR_LABELS[a]() for a in sorted(transition.actors))
        raise NotPermitted(_("“%(action)s” can only be done by %(who)s.") % {"action": transition.label, "who": who})
    if kind == ActorKind.OFFICER:
        refuse_if_recused(actor=actor, application=application)
    if application.status not in transition.sources:
        allowed = ", ".join(status_label(s) for s in Status.values if s in transition.sources)
        raise TransitionNotAllowed(
            _(
                "This application is “%(status)s”, so it cannot be moved by “%(action)s”; that is possible only from: %(allowed)s."
            )
            % {"status": status_label(application.status), "action": transition.label, "allowed": allowed}
        )
    if transition.needs_note and not note.strip():
        raise NoteRequired(_("Please give a reason for “%(action)s”.") % {"action": transition.label})
    return kind


def apply_transition(*, application: Application, name: str, actor: User | None, note: str = "") -> StatusChange:
    """Fire transition ``name`` on a locked application and record it."""
    kind = check_transition(application=application, name=name, actor=actor, note=note)
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


def record_event(*, application: Application, event: str, actor: User | None, note: str) -> StatusChange:
    """A history row for something that happened to the application without moving it:
    ``from`` and ``to`` are the same status, so the history still reads as one chain."""
    kind = actor_kind_for(actor=actor, application=application)
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


def receipt_number_for(application: Application) -> str:
    """Stable and unique: the fiscal year and the row's id, e.g. ``R2026-0000123``."""
    return f"R{application.program.fiscal_year}-{application.pk:07d}"


def check_units(*, units: int, program: Program) -> None:
    if isinstance(units, bool) or not isinstance(units, int):
        raise InvalidUnits(_("The number of units must be a whole number."))
    if units < 1:
        raise InvalidUnits(_("The number of units must be at least 1."))
    if units > program.per_firm_cap:
        raise InvalidUnits(
            _("%(units)s is more than this program's per-firm cap of %(cap)s.")
            % {"units": units, "cap": program.per_firm_cap}
        )
