"""Ranked selection when a call has closed.

``selection_preview`` shows what ``selection_commit`` will do; both call ``_rank``, so the
preview is exactly the commit, and the commit refuses to run on a preview that is no longer
true (its fingerprint covers every row, the capacity and what is already allocated).

1. Candidates: the program's applications *under review*. Applications still being screened
   or eligible but not yet taken into review block the commit (decide or review them first);
   applications waiting for the firm's answer (information requested) are not ranked and are
   left to be decided by hand.
2. Order (the documented tie-break): higher score first (scores compared at two decimal
   places; unscored applications after every scored one — a program whose policy requires
   scores refuses to commit while any is unscored), then earlier submission, then fewer
   requested units, then lower id.
3. Walk down the ranking with the capacity left (capacity − already allocated). An
   application is approved for exactly the units it asked for if they fit; otherwise it is
   waitlisted and the walk goes on, so a smaller request further down may still fit (first
   fit). Grants are never cut down automatically: an officer can approve fewer units by hand.
4. Waitlisted applications join the program's waitlist in ranking order.
5. Every firm is told the outcome. Selection approvals do not go through the manager's
   sign-off: they follow the published rule, and the program lead commits them.

The commit locks the candidate rows (by id) and then the program row — application before
program, the order every service takes — and recomputes under those locks.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from applications.decisions.moves import application_approve, application_waitlist
from applications.decisions.policy import decision_policy_for, normalise_scores, program_scores
from applications.decisions.waitlist import waitlist_promote
from applications.errors import CapacityExceeded, NotPermitted, TransitionNotAllowed
from applications.models import Application, DecisionSignOff, SelectionRun, WaitlistEntry, WaitlistOffer
from applications.notices import notify_firm_of_decision
from applications.transitions import lock_application
from applications.workflow import Status
from programs.models import Program, ProgramOfficer, SelectionMode
from sme_support.roles import is_manager


class SelectionNotReady(TransitionNotAllowed):
    code = "selection_not_ready"


class StaleSelection(TransitionNotAllowed):
    code = "stale_selection"


@dataclass(frozen=True)
class SelectionRow:
    rank: int
    application_id: int
    receipt_number: str
    firm_name: str
    score: Decimal | None
    requested_units: int
    submitted_at: dt.datetime | None
    outcome: Literal["approve", "waitlist"]
    # Units granted (approve) or 0.
    units: int
    # The rank the application will hold on the program's waitlist (waitlist only).
    waitlist_rank: int | None
    # Capacity left once this row is applied.
    remaining_after: int


@dataclass(frozen=True)
class SelectionResult:
    run: SelectionRun
    rows: list[SelectionRow]
    approved: list[int] = field(default_factory=list)
    waitlisted: list[int] = field(default_factory=list)
    offers: list[WaitlistOffer] = field(default_factory=list)


# --- Ranking ----------------------------------------------------------------------------------


def _sort_key(application: Application, scores: dict[int, Decimal]) -> tuple[object, ...]:
    score = scores.get(application.pk)
    submitted = application.submitted_at or dt.datetime.max.replace(tzinfo=dt.UTC)
    return (score is None, -(score or Decimal(0)), submitted, application.requested_units, application.pk)


def _candidates(program: Program) -> list[Application]:
    return list(
        Application.objects.filter(program=program, status=Status.UNDER_REVIEW).select_related("firm").order_by("pk")
    )


def _rank(*, program: Program, candidates: list[Application], scores: dict[int, Decimal]) -> list[SelectionRow]:
    ordered = sorted(candidates, key=lambda a: _sort_key(a, scores))
    remaining = program.capacity - program.allocated
    next_rank = (WaitlistEntry.objects.filter(program=program).aggregate(top=Max("rank"))["top"] or 0) + 1
    rows: list[SelectionRow] = []
    for position, application in enumerate(ordered, start=1):
        fits = application.requested_units <= remaining
        if fits:
            remaining -= application.requested_units
        rows.append(
            SelectionRow(
                rank=position,
                application_id=application.pk,
                receipt_number=application.receipt_number or "",
                firm_name=str(application.firm),
                score=scores.get(application.pk),
                requested_units=application.requested_units,
                submitted_at=application.submitted_at,
                outcome="approve" if fits else "waitlist",
                units=application.requested_units if fits else 0,
                waitlist_rank=None if fits else next_rank,
                remaining_after=remaining,
            )
        )
        if not fits:
            next_rank += 1
    return rows


def selection_fingerprint(rows: list[SelectionRow], *, program: Program) -> str:
    """A digest of everything the commit would do, and of the pool it starts from."""
    payload = {
        "program": program.pk,
        "capacity": program.capacity,
        "allocated": program.allocated,
        "rows": [
            [
                r.rank,
                r.application_id,
                None if r.score is None else str(r.score),
                r.requested_units,
                r.outcome,
                r.units,
                r.waitlist_rank,
            ]
            for r in rows
        ],
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _scores(program: Program, scores: dict[int, Decimal] | None) -> dict[int, Decimal]:
    return program_scores(program=program) if scores is None else normalise_scores(scores)


def selection_preview(*, program: Program, scores: dict[int, Decimal] | None = None) -> list[SelectionRow]:
    """What ``selection_commit`` would do now, row by row, in ranking order. ``scores``
    (application id → score) replaces the reviews app's scores, e.g. in tests."""
    program = Program.objects.get(pk=program.pk)
    return _rank(program=program, candidates=_candidates(program), scores=_scores(program, scores))


def selection_preview_fingerprint(*, program: Program, scores: dict[int, Decimal] | None = None) -> str:
    program = Program.objects.get(pk=program.pk)
    rows = _rank(program=program, candidates=_candidates(program), scores=_scores(program, scores))
    return selection_fingerprint(rows, program=program)


def selection_blockers(
    *, program: Program, scores: dict[int, Decimal] | None = None, now: dt.datetime | None = None
) -> list[str]:
    """Why selection cannot be committed now, in sentences an officer can act on; empty when
    it can."""
    now = now or timezone.now()
    blockers: list[str] = []
    if program.selection_mode != SelectionMode.RANKED:
        blockers.append(_("This program decides first come, first served; there is no ranked selection."))
        return blockers
    if now < program.closes_at:
        blockers.append(
            _("The call closes on %(closes)s; selection runs after it has closed.")
            % {"closes": timezone.localtime(program.closes_at).strftime("%Y-%m-%d %H:%M")}
        )
    applications = Application.objects.filter(program=program)
    screening = applications.filter(status__in=[Status.SUBMITTED, Status.SCREENING]).count()
    if screening:
        blockers.append(
            ngettext(
                "%(count)d application is still being screened.",
                "%(count)d applications are still being screened.",
                screening,
            )
            % {"count": screening}
        )
    eligible = applications.filter(status=Status.ELIGIBLE).count()
    if eligible:
        blockers.append(
            ngettext(
                "%(count)d eligible application has not been taken into review.",
                "%(count)d eligible applications have not been taken into review.",
                eligible,
            )
            % {"count": eligible}
        )
    under_review = applications.filter(status=Status.UNDER_REVIEW)
    if decision_policy_for(program).requires_scores:
        scored = set(_scores(program, scores))
        unscored = sum(1 for pk in under_review.values_list("pk", flat=True) if pk not in scored)
        if unscored:
            blockers.append(
                ngettext(
                    "%(count)d application under review has no score yet, and this program decides on scores.",
                    "%(count)d applications under review have no score yet, and this program decides on scores.",
                    unscored,
                )
                % {"count": unscored}
            )
    over_cap = under_review.filter(requested_units__gt=program.per_firm_cap).count()
    if over_cap:
        blockers.append(
            ngettext(
                "%(count)d application asks for more than the per-firm cap of %(cap)s; decide it by hand first.",
                "%(count)d applications ask for more than the per-firm cap of %(cap)s; decide them by hand first.",
                over_cap,
            )
            % {"count": over_cap, "cap": f"{program.per_firm_cap:,}"}
        )
    pending = DecisionSignOff.objects.filter(application__in=under_review, status=DecisionSignOff.State.PENDING).count()
    if pending:
        blockers.append(
            ngettext(
                "%(count)d application has a decision waiting for a manager's sign-off.",
                "%(count)d applications have a decision waiting for a manager's sign-off.",
                pending,
            )
            % {"count": pending}
        )
    return blockers


def may_run_selection(*, user: User, program: Program) -> bool:
    """The program lead runs selection; managers may too."""
    return is_manager(user) or ProgramOfficer.objects.filter(program=program, user=user, is_lead=True).exists()


@transaction.atomic
def selection_commit(
    *, program: Program, actor: User, fingerprint: str, scores: dict[int, Decimal] | None = None
) -> SelectionResult:
    """Apply the ranked selection the officer previewed.

    1. Only the program lead or a manager, and only when nothing blocks it.
    2. Lock the candidates (by id), then the program row, and recompute the ranking.
    3. Refuse if it differs from the preview the officer saw (``fingerprint``).
    4. Approve and waitlist through the services, row by row, in ranking order; tell each firm.
    5. Record the run (which activates the waitlist) and offer any free capacity it left.
    """
    if actor is None or not may_run_selection(user=actor, program=program):
        raise NotPermitted(_("Only the program lead or a manager can run selection."))
    # Application rows before the program row: the order every service locks them in, so a
    # decision on one of these applications running right now cannot deadlock with us.
    list(
        Application.objects.select_for_update(of=("self",))
        .filter(program_id=program.pk, status=Status.UNDER_REVIEW)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    locked_program = Program.objects.select_for_update().get(pk=program.pk)
    blockers = selection_blockers(program=locked_program, scores=scores)
    if blockers:
        raise SelectionNotReady(" ".join(blockers))
    resolved = _scores(locked_program, scores)
    rows = _rank(program=locked_program, candidates=_candidates(locked_program), scores=resolved)
    if selection_fingerprint(rows, program=locked_program) != fingerprint:
        raise StaleSelection(
            _("The applications or the capacity changed since this preview was made; look at the new preview.")
        )
    capacity, allocated_before = locked_program.capacity, locked_program.allocated
    total = len(rows)
    approved: list[int] = []
    waitlisted: list[int] = []
    for row in rows:
        application = lock_application(row.application_id)
        score = "—" if row.score is None else str(row.score)
        if row.outcome == "approve":
            reason = _("Selected: ranked %(rank)s of %(total)s (score %(score)s).") % {
                "rank": row.rank,
                "total": total,
                "score": score,
            }
            try:
                application_approve(application=application, actor=actor, units=row.units, reason=reason)
            except CapacityExceeded as error:  # pragma: no cover — impossible under the program lock
                raise StaleSelection(str(error)) from error
            approved.append(application.pk)
        else:
            reason = _(
                "Ranked %(rank)s of %(total)s (score %(score)s); the capacity left did not cover the %(units)s "
                "requested, so the application is on the waitlist."
            ) % {"rank": row.rank, "total": total, "score": score, "units": f"{row.requested_units:,}"}
            application_waitlist(application=application, actor=actor, reason=reason)
            waitlisted.append(application.pk)
        notify_firm_of_decision(application=application, decision=row.outcome, reason=reason)
    run = SelectionRun.objects.create(
        program=locked_program,
        run_by=actor,
        run_at=timezone.now(),
        fingerprint=fingerprint,
        capacity=capacity,
        allocated_before=allocated_before,
        approved=len(approved),
        waitlisted=len(waitlisted),
    )
    offers = waitlist_promote(program_id=locked_program.pk)
    return SelectionResult(run=run, rows=rows, approved=approved, waitlisted=waitlisted, offers=offers)
