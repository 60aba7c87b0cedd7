"""Officers' decisions, and the four-eyes sign-off of large approvals.

``decision_request`` is the one entry point the officer workspace calls to decide an
application. It applies the decision at once through ``applications.decisions.moves`` — except an
approval whose granted amount in KRW is above the program's threshold, which waits for a
manager's sign-off (``decision_sign_off``) and changes nothing until then.

What an approval is worth in KRW is ``decision_policy.granted_value_krw`` (the units for
export funding, booths × subsidy per booth, seats × a per-seat value). The threshold is the
policy's ``sign_off_threshold_krw``, else ``DECISION_SIGN_OFF_THRESHOLD_KRW``; an amount *above*
it needs a sign-off, an amount equal to it does not. A manager who asks for a decision above
the threshold needs another manager's sign-off too.

Ranked selection (``decisions.selection``) and first come, first served are rule-based
allocations, not discretionary decisions, and do not go through the sign-off.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications.decisions.moves import application_approve, application_reject, application_waitlist
from applications.decisions.policy import Policy, decision_policy_for, granted_value_krw, program_scores
from applications.decisions.waitlist import guard_approval
from applications.errors import (
    CapacityExceeded,
    InvalidInput,
    InvalidUnits,
    NoteRequired,
    NotPermitted,
    TransitionNotAllowed,
)
from applications.models import Application, DecisionSignOff
from applications.notices import notify_firm_of_decision
from applications.transitions import (
    check_transition,
    check_units,
    hand_back,
    lock_application,
    officer_of,
    record_event,
    refuse_if_recused,
)
from applications.workflow import TRANSITIONS, Status
from notifications.links import officer_application_path
from notifications.services import notify
from programs.models import SelectionMode
from sme_support.roles import is_manager, managers

DecisionName = Literal["approve", "waitlist", "reject"]
DECISIONS: tuple[str, ...] = ("approve", "waitlist", "reject")


class Decision(StrEnum):
    APPROVE = "approve"
    WAITLIST = "waitlist"
    REJECT = "reject"


DECISION_LABELS: dict[Decision, Promise] = {
    Decision.APPROVE: gettext_lazy("Approve"),
    Decision.WAITLIST: gettext_lazy("Waitlist"),
    Decision.REJECT: gettext_lazy("Reject"),
}


class ScoresMissing(TransitionNotAllowed):
    code = "scores_missing"


class SignOffClosed(TransitionNotAllowed):
    code = "sign_off_closed"


class SignOffPending(TransitionNotAllowed):
    code = "sign_off_pending"


def _units_for_approval(*, application: Application, units: int | None) -> int:
    if units is None:
        return application.requested_units
    if isinstance(units, bool) or not isinstance(units, int):
        raise InvalidUnits(_("The number of units must be a whole number."))
    check_units(units=units, program=application.program)
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


class RankedCallOpen(TransitionNotAllowed):
    code = "ranked_call_open"


def _check_selection_mode(*, application: Application, decision: str) -> None:
    """A ranked call is decided by its selection once it has closed: until then nobody is
    approved or waitlisted by hand (that would take capacity ahead of the ranking). Rejecting
    stays possible — it takes nothing from anyone."""
    program = application.program
    if program.selection_mode != SelectionMode.RANKED or decision == "reject" or timezone.now() >= program.closes_at:
        return
    raise RankedCallOpen(
        _(
            "%(program)s selects by ranking after the call closes on %(closes)s. Until then applications are "
            "reviewed and scored; they can be rejected, but not approved or waitlisted by hand."
        )
        % {"program": program, "closes": timezone.localtime(program.closes_at).strftime("%Y-%m-%d %H:%M")}
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
    officer_of(
        actor=actor, application=locked, refusal=_("Only the program's officers and managers decide applications.")
    )
    check_transition(application=locked, name=decision, actor=actor, note=reason)
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
    _check_selection_mode(application=locked, decision=decision)
    policy = decision_policy_for(locked.program)
    _check_scores(application=locked, policy=policy)

    if decision == "approve":
        granted = _units_for_approval(application=locked, units=units)
        guard_approval(application=locked)
        amount = granted_value_krw(program=locked.program, units=granted, policy=policy)
        if amount > policy.sign_off_threshold_krw:
            sign_off = _ask_for_sign_off(
                application=locked, actor=actor, units=granted, reason=reason, amount=amount, policy=policy
            )
            hand_back(application, locked)
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
        application_approve(application=locked, actor=actor, units=granted, reason=reason)
    elif decision == "waitlist":
        application_waitlist(application=locked, actor=actor, reason=reason)
    else:
        application_reject(application=locked, actor=actor, reason=reason)
    notify_firm_of_decision(application=locked, decision=decision, reason=reason)
    hand_back(application, locked)
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
    refuse_if_recused(actor=actor, application=locked_app)
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
        _refresh_sign_off(sign_off, locked)
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
        _refresh_sign_off(sign_off, locked)
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
    application_approve(application=locked_app, actor=actor, units=locked.units, reason=locked.reason)
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
    _refresh_sign_off(sign_off, locked)
    return DecisionOutcome(
        application=locked_app,
        decision=locked.decision,
        applied=True,
        sign_off=locked,
        message=_("Signed off: the application is approved."),
    )


def _refresh_sign_off(original: DecisionSignOff, locked: DecisionSignOff) -> None:
    if original is not locked:
        original.refresh_from_db()


def _close(sign_off: DecisionSignOff, *, state: str, actor: User, note: str, at: dt.datetime) -> None:
    sign_off.status = state
    sign_off.signed_by = actor
    sign_off.signed_at = at
    sign_off.note = note
    sign_off.save(update_fields=["status", "signed_by", "signed_at", "note"])
