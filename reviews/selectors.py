"""Read queries of the officer workspace, always built on ``application_list`` (the user's
scope): the queue with its filters, sort and per-status counts, "my work", and what the
detail page shows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language

from applications.models import Application, ApplicationQuerySet, InfoRequest, StatusChange
from applications.selectors import application_list
from applications.workflow import Status
from programs.models import Country, Program, ProgramOfficer
from programs.selectors import program_assigned_list
from reviews.models import AssignmentStatus, ConflictOfInterest, ReviewAssignment, ReviewEvent
from reviews.scoring import (
    ApplicationScore,
    Scorecard,
    application_score,
    score_expression,
    scorecard,
    scores_visible,
    visible_score_expression,
)
from sme_support.roles import AnyUser, is_manager

# Waiting for an officer, as the review-overdue reminders count it.
REVIEW_WAITING = (Status.ELIGIBLE, Status.UNDER_REVIEW)
PAGE_SIZE = 50


def application_scores(*, program_id: int) -> dict[int, Decimal]:
    """Application id → score (0–100) for the program's scored applications, computed in one
    query. Unscoped: ranked selection (``applications.decisions.selection``) reads it as the
    system, through the review register."""
    rows = (
        Application.objects.filter(program_id=program_id)
        .annotate(score=score_expression())
        .filter(score__isnull=False)
        .values_list("pk", "score")
    )
    return dict(rows)


def firm_name_field() -> str:
    return "firm__name_ko" if (get_language() or "").startswith("ko") else "firm__name_en"


# Sort keys the queue accepts, and the columns behind them; anything else is refused.
SORTS: dict[str, str] = {
    "submitted": "submitted_at",
    "changed": "status_changed_at",
    "firm": "",  # the firm's name in the reader's language, see _sort_field
    "score": "score",
}
DEFAULT_SORT = "changed"


@dataclass(frozen=True)
class QueueFilters:
    program: Program | None = None
    status: str = ""
    sector: str = ""
    size_class: str = ""
    country: Country | None = None
    reviewer: User | None = None
    overdue: bool = False
    sort: str = DEFAULT_SORT
    descending: bool = False

    @classmethod
    def from_cleaned(cls, data: dict[str, Any]) -> QueueFilters:
        sort = data.get("sort") or DEFAULT_SORT
        return cls(
            program=data.get("program"),
            status=data.get("status") or "",
            sector=data.get("sector") or "",
            size_class=data.get("size_class") or "",
            country=data.get("country"),
            reviewer=data.get("reviewer"),
            overdue=bool(data.get("overdue")),
            sort=sort.lstrip("-"),
            descending=sort.startswith("-"),
        )


def _overdue_q(*, programs: QuerySet[Program], now: dt.datetime) -> Q:
    """Waiting in review longer than the program's review target since the last status change.

    One condition per distinct target (a handful of values) keeps each a plain indexed
    comparison on ``status_changed_at``, as the reminders do."""
    targets = programs.order_by().values_list("review_target_days", flat=True).distinct()
    waiting = Q(pk__in=[])
    for days in targets:
        waiting |= Q(program__review_target_days=days, status_changed_at__lt=now - dt.timedelta(days=days))
    return Q(status__in=REVIEW_WAITING) & waiting


def is_overdue(application: Application, *, now: dt.datetime | None = None) -> bool:
    if application.status not in REVIEW_WAITING or application.status_changed_at is None:
        return False
    deadline = application.status_changed_at + dt.timedelta(days=application.program.review_target_days)
    return deadline < (now or timezone.now())


def _assignments_prefetch() -> Prefetch:
    return Prefetch(
        "review_assignments",
        queryset=ReviewAssignment.objects.select_related("reviewer").order_by("assigned_at", "pk"),
    )


def _filtered(*, user: AnyUser, filters: QueueFilters, with_status: bool) -> ApplicationQuerySet:
    qs = application_list(user=user).exclude(status=Status.DRAFT)
    if filters.program is not None:
        qs = qs.filter(program=filters.program)
    if with_status and filters.status:
        qs = qs.filter(status=filters.status)
    if filters.sector:
        qs = qs.filter(firm__sector=filters.sector)
    if filters.size_class:
        qs = qs.filter(firm__size_class=filters.size_class)
    if filters.country is not None:
        # One program lists a country once, so this join never repeats an application.
        qs = qs.filter(program__target_countries=filters.country)
    if filters.reviewer is not None:
        qs = qs.filter(
            Exists(
                ReviewAssignment.objects.filter(application=OuterRef("pk"), reviewer=filters.reviewer).exclude(
                    status=AssignmentStatus.DECLINED
                )
            )
        )
    if filters.overdue:
        qs = qs.filter(_overdue_q(programs=program_assigned_list(user=user), now=timezone.now()))
    return qs


def _sort_field(key: str) -> str:
    return firm_name_field() if key == "firm" else SORTS[key]


def queue_list(*, user: AnyUser, filters: QueueFilters) -> ApplicationQuerySet:
    """The queue: the user's applications (drafts excluded), filtered, with the score the
    user may see and the reviewers, in the chosen order."""
    qs = _filtered(user=user, filters=filters, with_status=True)
    qs = qs.annotate(score=visible_score_expression(user=user)).prefetch_related(_assignments_prefetch())
    key = filters.sort if filters.sort in SORTS else DEFAULT_SORT
    column = F(_sort_field(key))
    ordering = column.desc(nulls_last=True) if filters.descending else column.asc(nulls_last=True)
    tie = "-pk" if filters.descending else "pk"
    return qs.order_by(ordering, tie)


def status_counts(*, user: AnyUser, filters: QueueFilters) -> dict[str, int]:
    """Applications per status under every filter but the status one: one aggregate query."""
    qs = _filtered(user=user, filters=filters, with_status=False).order_by()
    counts = qs.aggregate(**{status: Count("pk", filter=Q(status=status)) for status in Status.values})
    return {status: counts[status] or 0 for status in Status.values}


# --- My work ----------------------------------------------------------------------------------


class WorkReason:
    SCORE = "score"
    INFO_ANSWERED = "info_answered"
    START_REVIEW = "start_review"
    DECIDE = "decide"


def my_work_list(*, user: User) -> ApplicationQuerySet:
    """What waits for ``user``, oldest first:

    - applications they are assigned to review and have not scored yet;
    - applications back from the firm with an answer to an information request they made,
      and nothing done since (the answer is the last status change);
    - for the programs they lead: eligible applications waiting for the review to start, and
      applications whose reviewers have all submitted (ready for a decision).
    """
    pending_review = ReviewAssignment.objects.filter(
        application=OuterRef("pk"), reviewer=user, status=AssignmentStatus.ASSIGNED
    )
    answered = InfoRequest.objects.filter(
        application=OuterRef("pk"), requested_by=user, answered_at__gte=OuterRef("status_changed_at")
    )
    led = ProgramOfficer.objects.filter(user=user, is_lead=True).values("program_id")
    any_submitted = ReviewAssignment.objects.filter(application=OuterRef("pk"), status=AssignmentStatus.SUBMITTED)
    any_pending = ReviewAssignment.objects.filter(application=OuterRef("pk"), status=AssignmentStatus.ASSIGNED)
    qs = application_list(user=user).annotate(
        waiting_on_my_score=Exists(pending_review),
        my_request_answered=Exists(answered),
        ready_to_decide=ExpressionWrapper(Exists(any_submitted) & ~Exists(any_pending), output_field=BooleanField()),
        i_lead=ExpressionWrapper(Q(program_id__in=led), output_field=BooleanField()),
    )
    mine = (
        Q(waiting_on_my_score=True, status=Status.UNDER_REVIEW)
        | Q(my_request_answered=True, status=Status.UNDER_REVIEW)
        | Q(i_lead=True, status=Status.ELIGIBLE)
        | Q(i_lead=True, status=Status.UNDER_REVIEW, ready_to_decide=True)
    )
    return (
        qs.filter(mine)
        .annotate(score=visible_score_expression(user=user))
        .prefetch_related(_assignments_prefetch())
        .order_by(F("status_changed_at").asc(nulls_last=True), "pk")
    )


def work_reasons(application: Application) -> list[str]:
    """Why a row of ``my_work_list`` is there (from its annotations)."""
    reasons = []
    status = application.status
    if getattr(application, "waiting_on_my_score", False) and status == Status.UNDER_REVIEW:
        reasons.append(WorkReason.SCORE)
    if getattr(application, "my_request_answered", False) and status == Status.UNDER_REVIEW:
        reasons.append(WorkReason.INFO_ANSWERED)
    if getattr(application, "i_lead", False) and status == Status.ELIGIBLE:
        reasons.append(WorkReason.START_REVIEW)
    if (
        getattr(application, "i_lead", False)
        and status == Status.UNDER_REVIEW
        and getattr(application, "ready_to_decide", False)
    ):
        reasons.append(WorkReason.DECIDE)
    return reasons


# --- Choices for the filters -------------------------------------------------------------------


def program_choices(*, user: AnyUser) -> QuerySet[Program]:
    return program_assigned_list(user=user).order_by("-fiscal_year", "title_en")


def country_choices(*, user: AnyUser) -> QuerySet[Country]:
    programs = program_assigned_list(user=user)
    return Country.objects.filter(programs__in=programs).distinct().order_by("name_en")


def reviewer_choices(*, user: AnyUser) -> QuerySet[User]:
    """Officers of the programs the user works on (managers: of any program)."""
    programs = program_assigned_list(user=user)
    return (
        get_user_model()
        .objects.filter(program_assignments__program__in=programs, is_active=True)
        .distinct()
        .order_by("username")
    )


def program_officers(*, program: Program) -> QuerySet[User]:
    return (
        get_user_model()
        .objects.filter(program_assignments__program=program, is_active=True)
        .order_by("username")
        .distinct()
    )


# --- The detail page ---------------------------------------------------------------------------


@dataclass
class HistoryEntry:
    at: dt.datetime
    change: StatusChange | None = None
    event: ReviewEvent | None = None


def history(*, application: Application) -> list[HistoryEntry]:
    """Status changes and review events in time order (two queries)."""
    entries = [HistoryEntry(at=c.at, change=c) for c in application.history.select_related("actor")]
    entries += [HistoryEntry(at=e.at, event=e) for e in application.review_events.select_related("actor", "reviewer")]
    return sorted(entries, key=lambda entry: entry.at)


@dataclass
class ReviewPanel:
    """What the detail page shows of the review to ``user``."""

    assignments: list[ReviewAssignment]
    mine: ReviewAssignment | None
    my_scorecard: Scorecard | None
    visible: bool
    result: ApplicationScore | None
    others_pending: int = 0
    declined: list[ReviewAssignment] = field(default_factory=list)


def review_panel(*, user: User, application: Application) -> ReviewPanel:
    assignments = list(
        ReviewAssignment.objects.filter(application=application).select_related("reviewer", "assigned_by")
    )
    mine = next((a for a in assignments if a.reviewer_id == user.pk), None)
    visible = scores_visible(user=user, application=application)
    return ReviewPanel(
        assignments=assignments,
        mine=mine,
        my_scorecard=scorecard(mine) if mine is not None and mine.status != AssignmentStatus.DECLINED else None,
        visible=visible,
        result=application_score(application=application) if visible else None,
        others_pending=sum(1 for a in assignments if a.status == AssignmentStatus.ASSIGNED),
        declined=[a for a in assignments if a.status == AssignmentStatus.DECLINED],
    )


def conflict_list(*, user: AnyUser) -> QuerySet[ConflictOfInterest]:
    """The register: a manager sees all of it, an officer their own declarations."""
    qs = ConflictOfInterest.objects.select_related("reviewer", "firm")
    if is_manager(user):
        return qs
    if not user.is_authenticated:
        return qs.none()
    return qs.filter(reviewer=user)
