"""Every state-changing operation of the review: assigning reviewers, declining, declaring
conflicts of interest, scoring, and editing a program's rubric.

Rules enforced here (pages, admin and tests all come through these functions):

- Only a program's lead or a manager assigns reviewers, and only officers of that program.
- A reviewer with a declared conflict of interest with the firm is never assigned to, and
  can never score, that firm's applications.
- Only an assigned reviewer scores, each criterion from 0 to its ``scale_max``; submitting
  needs every criterion and locks the scores for good.
- A program's rubric is locked once any reviewer has submitted scores against it.

Every function that touches an application's review locks the application row first (the
same lock the workflow services take), so an assignment, a decline and a submission on one
application never interleave, and each writes a ``ReviewEvent`` for the history.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.errors import InvalidInput, NotPermitted, TransitionNotAllowed
from applications.inputs import TEXT_MAX, required_text
from applications.models import Application
from applications.transitions import conflict_refusal, lock_application
from applications.workflow import Status
from firms.models import Firm
from notifications.links import officer_application_path
from notifications.services import notify
from programs.models import Program, ProgramOfficer
from reviews.errors import ConflictOfInterestError
from reviews.models import (
    AssignmentStatus,
    ConflictOfInterest,
    ReviewAssignment,
    ReviewEvent,
    ReviewEventKind,
    RubricCriterion,
    Score,
)
from reviews.scoring import is_program_lead
from sme_support.roles import AnyUser, is_manager, is_officer

# Reviewers can be added while the application is in review or about to be.
ASSIGNABLE_STATUSES = frozenset({Status.ELIGIBLE, Status.UNDER_REVIEW, Status.INFO_REQUESTED})
# Scores are given once the review has started and until a decision is taken.
SCORABLE_STATUSES = frozenset({Status.UNDER_REVIEW, Status.INFO_REQUESTED})
# A conflict declared now voids the reviewer's part in these (nothing decided yet).
UNDECIDED_STATUSES = frozenset(
    {Status.SUBMITTED, Status.SCREENING, Status.ELIGIBLE, Status.INELIGIBLE, Status.UNDER_REVIEW, Status.INFO_REQUESTED}
)


def _person(user: User) -> str:
    return user.get_full_name() or user.get_username()


def _status_label(status: str) -> str:
    return str(Status(status).label)


# --- Questions the pages ask too -----------------------------------------------------------------


def has_conflict(*, reviewer: AnyUser, firm_id: int) -> bool:
    if not reviewer.is_authenticated:
        return False
    return ConflictOfInterest.objects.filter(reviewer=reviewer, firm_id=firm_id).exists()


def may_assign_reviewers(*, user: AnyUser, program: Program) -> bool:
    return is_manager(user) or (is_officer(user) and is_program_lead(user=user, program_id=program.pk))


def scoring_assignment(*, application: Application, user: AnyUser) -> ReviewAssignment:
    """The user's assignment on ``application`` if they may open its scoring form; a domain
    error saying why not otherwise. The conflict register is asked first: a conflicted
    officer is refused even if an assignment somehow exists."""
    if has_conflict(reviewer=user, firm_id=application.firm_id):
        raise conflict_refusal(firm=application.firm)
    assignment = (
        ReviewAssignment.objects.filter(application=application, reviewer_id=user.pk).select_related("reviewer").first()
    )
    if assignment is None:
        raise NotPermitted(_("You are not assigned to review this application; the program's lead assigns reviewers."))
    if assignment.status == AssignmentStatus.DECLINED:
        raise NotPermitted(_("You declined this review, so you cannot score it."))
    return assignment


# --- Assignment -----------------------------------------------------------------------------------


def _check_assignable(*, application: Application, reviewer: User, actor: User) -> None:
    if not may_assign_reviewers(user=actor, program=application.program):
        raise NotPermitted(_("Only the program's lead or a manager can assign reviewers."))
    if application.status not in ASSIGNABLE_STATUSES:
        raise TransitionNotAllowed(
            _(
                "Reviewers can be assigned while an application is eligible, under review or waiting for "
                "information; this one is “%(status)s”."
            )
            % {"status": _status_label(application.status)}
        )
    on_program = ProgramOfficer.objects.filter(program_id=application.program_id, user=reviewer).exists()
    if not (reviewer.is_active and is_officer(reviewer) and on_program):
        raise NotPermitted(
            _("%(name)s is not an officer of this program; only the program's officers can review its applications.")
            % {"name": _person(reviewer)}
        )
    if has_conflict(reviewer=reviewer, firm_id=application.firm_id):
        raise ConflictOfInterestError(
            _("%(name)s has declared a conflict of interest with %(firm)s and cannot review its applications.")
            % {"name": _person(reviewer), "firm": application.firm}
        )
    existing = ReviewAssignment.objects.filter(application=application, reviewer=reviewer).first()
    if existing is not None and existing.status == AssignmentStatus.DECLINED:
        raise TransitionNotAllowed(
            _("%(name)s declined this review (“%(reason)s”); choose another reviewer.")
            % {"name": _person(reviewer), "reason": existing.declined_reason}
        )
    if existing is not None:
        raise TransitionNotAllowed(
            _("%(name)s is already a reviewer of this application.") % {"name": _person(reviewer)}
        )


@transaction.atomic
def review_assign(*, application: Application, reviewer: User, actor: User) -> ReviewAssignment:
    """Make ``reviewer`` a reviewer of ``application``; they are notified."""
    locked = lock_application(application.pk)
    _check_assignable(application=locked, reviewer=reviewer, actor=actor)
    try:
        # The application lock serialises assignments; the unique constraint is the backstop.
        with transaction.atomic():
            assignment = ReviewAssignment.objects.create(
                application=locked, reviewer=reviewer, assigned_by=actor, assigned_at=timezone.now()
            )
    except IntegrityError as exc:
        raise TransitionNotAllowed(
            _("%(name)s is already a reviewer of this application.") % {"name": _person(reviewer)}
        ) from exc
    ReviewEvent.objects.create(
        application=locked, kind=ReviewEventKind.REVIEWER_ASSIGNED, actor=actor, reviewer=reviewer
    )
    notify(
        users=[reviewer],
        kind="review_assigned",
        title=lambda: (
            _("You have been asked to review %(application)s (%(firm)s)") % {"application": locked, "firm": locked.firm}
        ),
        url=officer_application_path(locked.pk),
        application=locked,
    )
    return assignment


@transaction.atomic
def review_decline(
    *, assignment: ReviewAssignment, actor: User, reason: str, conflict: bool = False
) -> ReviewAssignment:
    """The reviewer turns the review down. With ``conflict`` the reason also goes into the
    conflict-of-interest register, which keeps them off every application of the firm."""
    application = assignment.application
    if conflict:
        # The conflict below locks every undecided application of the firm in id order; take
        # those locks now, in that order, with this one, so two reviewers declining on two
        # applications of one firm queue up instead of deadlocking.
        ids = {application.pk, *_undecided_ids(firm_id=application.firm_id)}
        list(Application.objects.filter(pk__in=ids).order_by("pk").select_for_update(of=("self",)))
    application = lock_application(application.pk)
    locked = ReviewAssignment.objects.select_for_update().get(pk=assignment.pk)
    if locked.reviewer_id != actor.pk:
        raise NotPermitted(_("Only the reviewer can decline their own review."))
    if locked.status == AssignmentStatus.SUBMITTED:
        raise TransitionNotAllowed(_("Your scores are submitted and locked; a submitted review cannot be declined."))
    if locked.status == AssignmentStatus.DECLINED:
        raise TransitionNotAllowed(_("You have already declined this review."))
    text = required_text(reason, missing=_("Please say why you decline this review."))
    locked.status = AssignmentStatus.DECLINED
    locked.declined_reason = text
    locked.declined_at = timezone.now()
    locked.save(update_fields=["status", "declined_reason", "declined_at"])
    ReviewEvent.objects.create(
        application=application,
        kind=ReviewEventKind.REVIEW_DECLINED,
        actor=actor,
        reviewer=actor,
        note=_("Conflict of interest: %(reason)s") % {"reason": text} if conflict else text,
    )
    if conflict and not has_conflict(reviewer=actor, firm_id=application.firm_id):
        conflict_declare(reviewer=actor, firm=application.firm, reason=text, application=application)
    assignment.refresh_from_db()
    return locked


# --- Conflicts of interest --------------------------------------------------------------------


def _undecided_ids(*, firm_id: int) -> list[int]:
    return list(
        Application.objects.filter(firm_id=firm_id, status__in=UNDECIDED_STATUSES)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def conflict_declare(
    *, reviewer: User, firm: Firm, reason: str, application: Application | None = None
) -> ConflictOfInterest:
    """Record that ``reviewer`` has a conflict of interest with ``firm``.

    1. Add the register row (one per reviewer and firm).
    2. Lock the firm's undecided applications in primary-key order (the order every other
       writer locks them in), and decline the reviewer's assignments on them, submitted
       ones included: scores given under a conflict must not count.
    3. Note it in the history of each application concerned (and of ``application``, the
       one the declaration was made from).
    """
    if not is_officer(reviewer):
        raise NotPermitted(_("Only the agency's officers declare conflicts of interest."))
    text = required_text(reason, missing=_("Please describe the conflict of interest."))
    existing = ConflictOfInterest.objects.filter(reviewer=reviewer, firm=firm).first()
    if existing is not None:
        raise InvalidInput(
            _("You declared a conflict of interest with %(firm)s on %(date)s already.")
            % {"firm": firm, "date": timezone.localtime(existing.declared_at).strftime("%Y-%m-%d")}
        )
    try:
        with transaction.atomic():
            conflict = ConflictOfInterest.objects.create(reviewer=reviewer, firm=firm, reason=text)
    except IntegrityError as exc:  # a concurrent declaration of the same conflict
        raise InvalidInput(_("This conflict of interest is already in the register.")) from exc

    now = timezone.now()
    concerned: set[int] = {application.pk} if application is not None else set()
    undecided = list(
        Application.objects.filter(pk__in=_undecided_ids(firm_id=firm.pk), status__in=UNDECIDED_STATUSES)
        .order_by("pk")
        .select_for_update(of=("self",))
        .values_list("pk", flat=True)
    )
    live = ReviewAssignment.objects.filter(application_id__in=undecided, reviewer=reviewer).exclude(
        status=AssignmentStatus.DECLINED
    )
    declined_reason = _("Conflict of interest: %(reason)s") % {"reason": text}
    for assignment in live.select_for_update().order_by("pk"):
        assignment.status = AssignmentStatus.DECLINED
        assignment.declined_reason = declined_reason
        assignment.declined_at = now
        assignment.save(update_fields=["status", "declined_reason", "declined_at"])
        concerned.add(assignment.application_id)
    ReviewEvent.objects.bulk_create(
        ReviewEvent(
            application_id=pk,
            kind=ReviewEventKind.CONFLICT_DECLARED,
            actor=reviewer,
            reviewer=reviewer,
            note=text,
            at=now,
        )
        for pk in sorted(concerned)
    )
    return conflict


# --- Scoring ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreEntry:
    """What the reviewer typed for one criterion; ``value=None`` clears a draft score."""

    value: int | None
    comment: str = ""


def _locked_scoring_assignment(*, application: Application, reviewer: User) -> ReviewAssignment:
    assignment = scoring_assignment(application=application, user=reviewer)
    locked = ReviewAssignment.objects.select_for_update().get(pk=assignment.pk)
    if locked.status == AssignmentStatus.SUBMITTED:
        assert locked.submitted_at is not None  # the check constraint guarantees it
        raise TransitionNotAllowed(
            _("You submitted your scores for this application on %(date)s; they are locked.")
            % {"date": timezone.localtime(locked.submitted_at).strftime("%Y-%m-%d %H:%M")}
        )
    if application.status not in SCORABLE_STATUSES:
        raise TransitionNotAllowed(
            _(
                "Scores can be given while the application is under review or waiting for information; "
                "it is “%(status)s”."
            )
            % {"status": _status_label(application.status)}
        )
    return locked


def _criteria(program: Program) -> dict[int, RubricCriterion]:
    criteria = {c.pk: c for c in RubricCriterion.objects.filter(program=program).order_by("position", "pk")}
    if not criteria:
        raise InvalidInput(
            _("This program has no scoring rubric yet; a manager must set one up before reviewers can score.")
        )
    return criteria


@transaction.atomic
def scores_save(*, application: Application, reviewer: User, entries: Mapping[int, ScoreEntry]) -> ReviewAssignment:
    """Save the reviewer's draft scores (criterion id → entry). Nothing is saved if any
    value is outside its criterion's 0..scale_max."""
    locked_application = lock_application(application.pk)
    assignment = _locked_scoring_assignment(application=locked_application, reviewer=reviewer)
    criteria = _criteria(locked_application.program)
    unknown = set(entries) - set(criteria)
    if unknown:
        raise InvalidInput(_("Some of the criteria sent are not part of this program's rubric."))
    for criterion_id, entry in entries.items():
        criterion = criteria[criterion_id]
        if entry.value is not None and not 0 <= entry.value <= criterion.scale_max:
            raise InvalidInput(
                _("“%(criterion)s” is scored from 0 to %(max)s; %(value)s is outside that range.")
                % {"criterion": criterion.label, "max": criterion.scale_max, "value": entry.value}
            )
        if len(entry.comment) > TEXT_MAX:
            raise InvalidInput(
                _("The comment on “%(criterion)s” is longer than %(limit)s characters.")
                % {"criterion": criterion.label, "limit": TEXT_MAX}
            )
    for criterion_id, entry in entries.items():
        if entry.value is None:
            Score.objects.filter(assignment=assignment, criterion_id=criterion_id).delete()
            continue
        Score.objects.update_or_create(
            assignment=assignment,
            criterion_id=criterion_id,
            defaults={"value": entry.value, "comment": entry.comment.strip()},
        )
    return assignment


@transaction.atomic
def scores_submit(*, application: Application, reviewer: User) -> ReviewAssignment:
    """Lock the reviewer's scores: every criterion must have one. Submitting twice is refused."""
    locked_application = lock_application(application.pk)
    assignment = _locked_scoring_assignment(application=locked_application, reviewer=reviewer)
    criteria = _criteria(locked_application.program)
    scored = set(assignment.scores.values_list("criterion_id", flat=True))
    missing = [criterion.label for pk, criterion in criteria.items() if pk not in scored]
    if missing:
        raise InvalidInput(
            _("Score every criterion before submitting; still missing: %(criteria)s.")
            % {"criteria": ", ".join(missing)}
        )
    now = timezone.now()
    # Conditional on the status we checked under the lock: a second submit changes nothing.
    updated = ReviewAssignment.objects.filter(pk=assignment.pk, status=AssignmentStatus.ASSIGNED).update(
        status=AssignmentStatus.SUBMITTED, submitted_at=now
    )
    if updated != 1:
        raise TransitionNotAllowed(_("These scores have already been submitted."))
    ReviewEvent.objects.create(
        application=locked_application,
        kind=ReviewEventKind.SCORES_SUBMITTED,
        actor=reviewer,
        reviewer=reviewer,
        at=now,
    )
    assignment.refresh_from_db()
    return assignment


# --- The rubric ---------------------------------------------------------------------------------------


def rubric_locked(*, program_id: int) -> bool:
    return ReviewAssignment.objects.filter(
        application__program_id=program_id, status=AssignmentStatus.SUBMITTED
    ).exists()


def _check_rubric_editable(*, program_id: int, actor: User) -> None:
    if not is_manager(actor):
        raise ValidationError(_("Only managers edit scoring rubrics."))
    if rubric_locked(program_id=program_id):
        raise ValidationError(
            _(
                "Reviewers have already submitted scores for this program, so its rubric is locked: "
                "changing it would change scores already given."
            )
        )


@transaction.atomic
def rubric_criterion_save(*, criterion: RubricCriterion, actor: User) -> RubricCriterion:
    # Lock the program row so that two managers' edits of one rubric run one after the other.
    Program.objects.select_for_update().filter(pk=criterion.program_id).first()
    _check_rubric_editable(program_id=criterion.program_id, actor=actor)
    if criterion.pk is not None:
        previous = RubricCriterion.objects.get(pk=criterion.pk)
        if previous.program_id != criterion.program_id:
            raise ValidationError({"program": _("A criterion cannot move to another program.")})
    criterion.full_clean()
    criterion.save()
    return criterion


@transaction.atomic
def rubric_criterion_delete(*, criterion: RubricCriterion, actor: User) -> None:
    Program.objects.select_for_update().filter(pk=criterion.program_id).first()
    _check_rubric_editable(program_id=criterion.program_id, actor=actor)
    if criterion.scores.exists():
        raise ValidationError(_("Reviewers have started scoring this criterion; it can no longer be removed."))
    criterion.delete()
