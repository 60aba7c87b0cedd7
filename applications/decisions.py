"""Officers' decisions: the four-eyes sign-off of large approvals, and reduced grants.

``decision_request`` is the one entry point the officer workspace calls to decide an
application. It applies the decision at once through ``applications.services`` — except an
approval whose granted amount in KRW is above the program's threshold, which waits for a
manager's sign-off (``decision_sign_off``) and changes nothing until then.

What an approval is worth in KRW is ``decision_policy.granted_value_krw`` (the units for
export funding, booths × subsidy per booth, seats × a per-seat value). The threshold is the
policy's ``sign_off_threshold_krw``, else ``DECISION_SIGN_OFF_THRESHOLD_KRW``; an amount *above*
it needs a sign-off, an amount equal to it does not. A manager who asks for a decision above
the threshold needs another manager's sign-off too.

Ranked selection (``applications.selection``) and first come, first served are rule-based
allocations, not discretionary decisions, and do not go through the sign-off.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from django.contrib.auth.models import User
from django.db import models, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from applications import services
from applications.decision_events import (
    firm_users,
    lock_application,
    managers,
    notify_firm_of_decision,
    record_event,
)
from applications.decision_policy import Policy, decision_policy_for, granted_value_krw, program_scores
from applications.errors import (
    CapacityExceeded,
    InvalidInput,
    InvalidUnits,
    NoteRequired,
    NotPermitted,
    TransitionNotAllowed,
)
from applications.models import Allocation, Application, DecisionSignOff
from applications.workflow import TRANSITIONS, ActorKind, Status
from notifications.links import firm_application_path, officer_application_path
from notifications.services import notify
from programs.models import Program
from sme_support.roles import AnyUser, is_manager, is_officer

DecisionName = Literal["approve", "waitlist", "reject"]
DECISIONS: tuple[str, ...] = ("approve", "waitlist", "reject")


class ScoresMissing(TransitionNotAllowed):
    code = "scores_missing"


class SignOffClosed(TransitionNotAllowed):
    code = "sign_off_closed"


class SignOffPending(TransitionNotAllowed):
    code = "sign_off_pending"


def _refresh(original: models.Model, locked: models.Model) -> None:
    if original is not locked:
        original.refresh_from_db()


def _units_for_approval(*, application: Application, units: int | None) -> int:
    if units is None:
        return application.requested_units
    if isinstance(units, bool) or not isinstance(units, int):
        raise InvalidUnits(_("The number of units must be a whole number."))
    services._check_units(units=units, program=application.program)
    if units > application.requested_units:
        raise InvalidUnits(
            _("%(units)s is more than the %(requested)s the firm asked for.")
            % {"units": units, "requested": application.requested_units}
        )
    return units


# --- Deciding -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionOutcome:
    """What ``decision_request`` or ``decision_sign_off`` did: ``applied`` when the
    application moved; otherwise ``sign_off`` is the request now waiting (or closed)."""

    application: Application
    decision: str
    applied: bool
    message: str
    sign_off: DecisionSignOff | None = None

    @property
    def awaiting_sign_off(self) -> bool:
        return self.sign_off is not None and self.sign_off.status == DecisionSignOff.State.PENDING


def _check_scores(*, application: Application, policy: Policy) -> None:
    if not policy.requires_scores or application.status != Status.UNDER_REVIEW:
        return
    if application.pk not in program_scores(program=application.program):
        raise ScoresMissing(
            _(
                "This program decides on review scores, and %(application)s has not been scored yet. "
                "Ask the reviewers to submit their scores first."
            )
            % {"application": application}
        )


def _pending_sign_off(application: Application) -> DecisionSignOff | None:
    return (
        DecisionSignOff.objects.filter(application=application, status=DecisionSignOff.State.PENDING)
        .select_related("requested_by")
        .first()
    )


@transaction.atomic
def decision_request(
    *,
    application: Application,
    actor: User,
    decision: DecisionName,
    units: int | None = None,
    reason: str,
) -> DecisionOutcome:
    """Decide ``application``: approve ``units`` (default: what the firm asked for), waitlist,
    or reject, with a reason the firm will read.

    1. Lock the application row (the lock every service takes), so nothing moves it meanwhile.
    2. Only the program's officers and managers decide; the workflow table must allow the move.
    3. A program whose policy requires scores refuses decisions on unscored applications.
    4. Only one decision may wait for sign-off per application.
    5. An approval worth more than the threshold records a pending ``DecisionSignOff`` and
       tells the managers; anything else is applied now through the services (which claim
       the capacity with their conditional update).
    """
    if decision not in DECISIONS:
        raise InvalidInput(
            _("Unknown decision “%(decision)s”; choose approve, waitlist or reject.") % {"decision": decision}
        )
    reason = (reason or "").strip()
    if not reason:
        raise NoteRequired(_("Please give a reason for the decision; the firm will read it."))
    if decision != "approve" and units is not None:
        raise InvalidInput(_("Units are given only when approving."))
    locked = lock_application(application.pk)
    if actor is None or services.actor_kind_for(actor=actor, application=locked) != ActorKind.OFFICER:
        raise NotPermitted(_("Only the program's officers and managers decide applications."))
    services._check_transition(application=locked, name=decision, actor=actor, note=reason)
    pending = _pending_sign_off(locked)
    if pending is not None:
        raise SignOffPending(
            _(
                "A decision on this application is waiting for a manager's sign-off (asked for by %(who)s on "
                "%(when)s); it must be signed off or refused first."
            )
            % {
                "who": pending.requested_by or _("a former officer"),
                "when": timezone.localtime(pending.requested_at).strftime("%Y-%m-%d %H:%M"),
            }
        )
    policy = decision_policy_for(locked.program)
    _check_scores(application=locked, policy=policy)

    if decision == "approve":
        granted = _units_for_approval(application=locked, units=units)
        from applications.waitlist import guard_approval

        guard_approval(application=locked)
        amount = granted_value_krw(program=locked.program, units=granted, policy=policy)
        if amount > policy.sign_off_threshold_krw:
            sign_off = _ask_for_sign_off(
                application=locked, actor=actor, units=granted, reason=reason, amount=amount, policy=policy
            )
            _refresh(application, locked)
            return DecisionOutcome(
                application=locked,
                decision=decision,
                applied=False,
                sign_off=sign_off,
                message=_(
                    "Granting %(amount)s KRW is above the %(threshold)s KRW threshold, so a manager must sign "
                    "this approval off before it takes effect."
                )
                % {"amount": f"{amount:,}", "threshold": f"{policy.sign_off_threshold_krw:,}"},
            )
        services.application_approve(application=locked, actor=actor, units=granted, reason=reason)
    elif decision == "waitlist":
        services.application_waitlist(application=locked, actor=actor, reason=reason)
    else:
        services.application_reject(application=locked, actor=actor, reason=reason)
    notify_firm_of_decision(application=locked, decision=decision, reason=reason)
    _refresh(application, locked)
    return DecisionOutcome(
        application=locked,
        decision=decision,
        applied=True,
        message=_("The application is now “%(status)s”.") % {"status": Status(locked.status).label},
    )


def _ask_for_sign_off(
    *, application: Application, actor: User, units: int, reason: str, amount: int, policy: Policy
) -> DecisionSignOff:
    # Still under the application's row lock, and the partial unique index backs it up: a
    # second request for the same application cannot slip in between.
    if units > application.program.capacity_remaining:
        # Not binding (nothing is reserved until signing) but saves the manager a refusal.
        raise CapacityExceeded(
            _(
                "Only %(remaining)s of this program's capacity is left, so %(units)s cannot be granted. "
                "Grant less, or waitlist the application."
            )
            % {"remaining": application.program.capacity_remaining, "units": units}
        )
    sign_off = DecisionSignOff.objects.create(
        application=application,
        decision=DecisionSignOff.Decision.APPROVE,
        units=units,
        amount_krw=amount,
        threshold_krw=policy.sign_off_threshold_krw,
        reason=reason,
        requested_by=actor,
        requested_at=timezone.now(),
    )
    record_event(
        application=application,
        event="sign_off_requested",
        actor=actor,
        note=_("Approval of %(units)s (%(amount)s KRW) sent for a manager's sign-off: %(reason)s")
        % {"units": f"{units:,}", "amount": f"{amount:,}", "reason": reason},
    )
    notify(
        users=managers(exclude=actor),
        kind="sign_off_requested",
        title=lambda: (
            _("Sign-off needed: approval of %(application)s (%(amount)s KRW)")
            % {"application": application, "amount": f"{amount:,}"}
        ),
        body=lambda: reason,
        url=officer_application_path(application.pk),
        application=application,
    )
    return sign_off


@transaction.atomic
def decision_sign_off(*, sign_off: DecisionSignOff, actor: User, approve: bool, note: str = "") -> DecisionOutcome:
    """A manager signs off (``approve=True``) or refuses a pending decision.

    Four eyes: only a manager, and never the person who asked for the decision (the database
    refuses it too). Signing applies the decision through the services — with the capacity
    check of that moment; if the pool is short now, nothing changes and the request stays
    pending. A refusal needs a note and leaves the application under review. A request whose
    application has meanwhile been decided or withdrawn lapses when someone tries to sign it.
    """
    if actor is None or not is_manager(actor):
        raise NotPermitted(_("Only a manager can sign off a decision."))
    locked_app = lock_application(sign_off.application_id)
    locked = DecisionSignOff.objects.select_for_update(of=("self",)).select_related("requested_by").get(pk=sign_off.pk)
    if locked.requested_by_id == actor.pk:
        raise NotPermitted(
            _("You asked for this decision yourself, so another manager must sign it off (four-eyes rule).")
        )
    if locked.status != DecisionSignOff.State.PENDING:
        raise SignOffClosed(
            _("This request is no longer waiting: it is “%(status)s”.") % {"status": locked.get_status_display()}
        )
    note = (note or "").strip()
    now = timezone.now()
    requester = [locked.requested_by] if locked.requested_by and locked.requested_by.is_active else []

    if not approve:
        if not note:
            raise NoteRequired(_("Please say why you refuse to sign off this decision."))
        _close(locked, state=DecisionSignOff.State.REFUSED, actor=actor, note=note, at=now)
        record_event(
            application=locked_app,
            event="sign_off_refused",
            actor=actor,
            note=_("Sign-off refused: %(note)s") % {"note": note},
        )
        notify(
            users=requester,
            kind="sign_off_refused",
            title=lambda: _("Sign-off refused for %(application)s") % {"application": locked_app},
            body=lambda: note,
            url=officer_application_path(locked_app.pk),
            application=locked_app,
        )
        _refresh(sign_off, locked)
        return DecisionOutcome(
            application=locked_app,
            decision=locked.decision,
            applied=False,
            sign_off=locked,
            message=_("The sign-off was refused; the application stays under review."),
        )

    if locked_app.status not in TRANSITIONS[locked.decision].sources:
        lapsed_note = _("The application is now “%(status)s”, so this request no longer applies.") % {
            "status": Status(locked_app.status).label
        }
        _close(locked, state=DecisionSignOff.State.LAPSED, actor=actor, note=note or lapsed_note, at=now)
        _refresh(sign_off, locked)
        return DecisionOutcome(
            application=locked_app, decision=locked.decision, applied=False, sign_off=locked, message=lapsed_note
        )

    record_event(
        application=locked_app,
        event="sign_off_signed",
        actor=actor,
        note=_("Signed off the approval asked for by %(who)s.") % {"who": locked.requested_by or _("a former officer")}
        + (f" {note}" if note else ""),
    )
    assert locked.units is not None  # approvals always carry their units
    services.application_approve(application=locked_app, actor=actor, units=locked.units, reason=locked.reason)
    _close(locked, state=DecisionSignOff.State.SIGNED, actor=actor, note=note, at=now)
    notify_firm_of_decision(application=locked_app, decision=locked.decision, reason=locked.reason)
    notify(
        users=requester,
        kind="sign_off_signed",
        title=lambda: _("Approval of %(application)s signed off") % {"application": locked_app},
        body=lambda: note,
        url=officer_application_path(locked_app.pk),
        application=locked_app,
    )
    _refresh(sign_off, locked)
    return DecisionOutcome(
        application=locked_app,
        decision=locked.decision,
        applied=True,
        sign_off=locked,
        message=_("Signed off: the application is approved."),
    )


def _close(sign_off: DecisionSignOff, *, state: str, actor: User, note: str, at: dt.datetime) -> None:
    sign_off.status = state
    sign_off.signed_by = actor
    sign_off.signed_at = at
    sign_off.note = note
    sign_off.save(update_fields=["status", "signed_by", "signed_at", "note"])


def sign_off_list(*, user: AnyUser) -> QuerySet[DecisionSignOff]:
    """Sign-off requests ``user`` may see: managers all, officers those of their programs."""
    qs = DecisionSignOff.objects.select_related("application__program", "application__firm", "requested_by")
    if not isinstance(user, User) or not user.is_authenticated:
        return qs.none()
    if is_manager(user):
        return qs
    if is_officer(user):
        return qs.filter(application__program__officer_assignments__user=user)
    return qs.none()


def sign_offs_awaiting(*, user: AnyUser) -> QuerySet[DecisionSignOff]:
    """What a manager can act on now: pending requests of others whose application can still
    be approved."""
    if not isinstance(user, User) or not is_manager(user):
        return DecisionSignOff.objects.none()
    return (
        sign_off_list(user=user)
        .filter(status=DecisionSignOff.State.PENDING, application__status__in=TRANSITIONS["approve"].sources)
        .exclude(requested_by=user)
        .order_by("requested_at", "pk")
    )


# --- Reducing a grant ----------------------------------------------------------------------


@transaction.atomic
def application_reduce_grant(*, application: Application, actor: User, units: int, reason: str) -> Application:
    """Lower an approved application's grant to ``units`` — the new, smaller total — and give
    the difference back to the pool, where the waitlist is offered it.

    1. Lock the application, then its live allocation.
    2. Shrink the allocation and the program's counter in the same transaction (the counter
       moves by an F() expression, so concurrent claims and releases keep it exact).
    3. Record it in the history, tell the firm, and offer the freed units to the waitlist.
    """
    reason = (reason or "").strip()
    locked = lock_application(application.pk)
    if actor is None or services.actor_kind_for(actor=actor, application=locked) != ActorKind.OFFICER:
        raise NotPermitted(_("Only the program's officers and managers can change a grant."))
    if not reason:
        raise NoteRequired(_("Please say why the grant is reduced; the firm will read it."))
    if locked.status != Status.APPROVED:
        raise TransitionNotAllowed(
            _("Only an approved application's grant can be reduced; this one is “%(status)s”.")
            % {"status": Status(locked.status).label}
        )
    allocation = Allocation.objects.select_for_update().filter(application=locked, released_at=None).first()
    if allocation is None:
        raise TransitionNotAllowed(_("This application holds no grant to reduce."))
    if isinstance(units, bool) or not isinstance(units, int) or units < 1:
        raise InvalidUnits(_("The new grant must be a whole number of at least 1; to take it all back, cancel."))
    if units >= allocation.units:
        raise InvalidUnits(
            _("The new grant must be smaller than the current %(current)s.") % {"current": f"{allocation.units:,}"}
        )
    returned = allocation.units - units
    previous = allocation.units
    allocation.units = units
    allocation.save(update_fields=["units"])
    Program.objects.filter(pk=locked.program_id).update(allocated=F("allocated") - returned)
    note = _("Grant reduced from %(old)s to %(new)s: %(reason)s") % {
        "old": f"{previous:,}",
        "new": f"{units:,}",
        "reason": reason,
    }
    record_event(application=locked, event="reduce_grant", actor=actor, note=note)
    notify(
        users=firm_users(locked),
        kind="grant_reduced",
        title=lambda: _("Your grant for %(application)s was reduced") % {"application": locked},
        body=lambda: note,
        url=firm_application_path(locked.pk),
        application=locked,
    )
    from applications.waitlist import units_returned

    units_returned(program_id=locked.program_id)
    _refresh(application, locked)
    return locked
