"""An application's score: the formula, computed in the database and for one application,
and who may see it.

The formula:

1. Each reviewer whose scores are submitted gets a score from 0 to 100, over the criteria
   they scored::

       reviewer score = Σ(weight × value / scale_max) / Σ(weight) × 100

   so each criterion counts by its weight whatever its scale.
2. The application's score is the plain mean of those reviewer scores.
3. Without a submitted reviewer there is no score (NULL / ``None``), never 0.

Nothing derived is stored. The queue sorts and shows ``score_expression()`` (one correlated
subquery per row, inside the page's single query); the detail page calls
``application_score()``. The tests check that both agree with a hand computation.

Reviewers do not see each other's scores, nor the application's score, until they have
submitted their own; managers and the program's leads see everything.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db.models import (
    Avg,
    Case,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import Expression

from applications.models import Application
from programs.models import ProgramOfficer
from reviews.models import AssignmentStatus, ReviewAssignment, Score
from sme_support.roles import AnyUser, is_manager

SCORE_FIELD: DecimalField = DecimalField(max_digits=12, decimal_places=6)
HUNDRED = Decimal(100)


# --- In the database ------------------------------------------------------------------------


class _Exact(Func):
    """An integer column as a number that divides without truncating: ``numeric`` on
    PostgreSQL; ``REAL`` on SQLite (the embedded default), whose NUMERIC keeps whole numbers
    as integers and would make 4 / 5 come out as 0."""

    template = "CAST(%(expressions)s AS numeric)"

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return super().as_sql(compiler, connection, template="CAST(%(expressions)s AS REAL)", **extra_context)


def _reviewer_score_subquery() -> Subquery:
    """Step 1 for the assignment in the enclosing query (``OuterRef("pk")``)."""
    weighted = ExpressionWrapper(
        F("criterion__weight") * _Exact(F("value"), output_field=SCORE_FIELD) / F("criterion__scale_max"),
        output_field=SCORE_FIELD,
    )
    per_assignment = (
        Score.objects.filter(assignment=OuterRef("pk"))
        .order_by()
        .values("assignment")
        .annotate(
            reviewer_score=ExpressionWrapper(
                Sum(weighted) * Value(HUNDRED) / Sum("criterion__weight"), output_field=SCORE_FIELD
            )
        )
        .values("reviewer_score")
    )
    return Subquery(per_assignment, output_field=SCORE_FIELD)


def score_expression(application_ref: str = "pk") -> Subquery:
    """Steps 2–3 for the application in the enclosing query: the mean over its submitted
    reviewers, NULL when there is none."""
    per_application = (
        ReviewAssignment.objects.filter(application=OuterRef(application_ref), status=AssignmentStatus.SUBMITTED)
        .order_by()
        .values("application")
        .annotate(mean=Avg(_reviewer_score_subquery(), output_field=SCORE_FIELD))
        .values("mean")
    )
    return Subquery(per_application, output_field=SCORE_FIELD)


def visible_score_expression(*, user: AnyUser) -> Expression | Subquery:
    """``score_expression()`` where ``user`` may see it, NULL elsewhere, so that neither the
    column nor sorting by it tells a reviewer what the others gave."""
    if is_manager(user):
        return score_expression()
    if not isinstance(user, User):
        return Value(None, output_field=SCORE_FIELD)
    led = ProgramOfficer.objects.filter(user=user, is_lead=True).values("program_id")
    own_submitted = ReviewAssignment.objects.filter(
        application=OuterRef("pk"), reviewer=user, status=AssignmentStatus.SUBMITTED
    )
    return Case(
        When(Q(program_id__in=Subquery(led)) | Q(Exists(own_submitted)), then=score_expression()),
        default=Value(None, output_field=SCORE_FIELD),
        output_field=SCORE_FIELD,
    )


# --- For one application ----------------------------------------------------------------------


def reviewer_score(scores: Iterable[Score]) -> Decimal | None:
    """Step 1 over one reviewer's ``scores`` (with their criteria loaded)."""
    weighted = Decimal(0)
    weights = Decimal(0)
    for score in scores:
        weight = Decimal(score.criterion.weight)
        weighted += weight * Decimal(score.value) / Decimal(score.criterion.scale_max)
        weights += weight
    if not weights:
        return None
    return weighted * HUNDRED / weights


@dataclass
class Scorecard:
    assignment: ReviewAssignment
    scores: list[Score]
    score: Decimal | None


@dataclass
class ApplicationScore:
    """The mean (``None`` without a submitted reviewer) and the submitted scorecards."""

    score: Decimal | None
    scorecards: list[Scorecard] = field(default_factory=list)

    @property
    def reviewers_submitted(self) -> int:
        return len(self.scorecards)


def scorecard(assignment: ReviewAssignment) -> Scorecard:
    scores = list(assignment.scores.select_related("criterion").order_by("criterion__position", "criterion_id"))
    return Scorecard(assignment=assignment, scores=scores, score=reviewer_score(scores))


def application_score(*, application: Application) -> ApplicationScore:
    """Steps 1–3 for one application, with each submitted reviewer's scorecard."""
    assignments = (
        ReviewAssignment.objects.filter(application=application, status=AssignmentStatus.SUBMITTED)
        .select_related("reviewer")
        .order_by("submitted_at", "pk")
    )
    cards = [scorecard(assignment) for assignment in assignments]
    counted = [card.score for card in cards if card.score is not None]
    mean = sum(counted, Decimal(0)) / len(counted) if counted else None
    return ApplicationScore(score=mean, scorecards=cards)


# --- Who sees what ----------------------------------------------------------------------------


def is_program_lead(*, user: AnyUser, program_id: int) -> bool:
    if not user.is_authenticated:
        return False
    return ProgramOfficer.objects.filter(program_id=program_id, user=user, is_lead=True).exists()


def scores_visible(*, user: AnyUser, application: Application) -> bool:
    """Managers and the program's leads always; a reviewer once their own scores are in."""
    if is_manager(user):
        return True
    if not user.is_authenticated:
        return False
    if is_program_lead(user=user, program_id=application.program_id):
        return True
    return ReviewAssignment.objects.filter(
        application=application, reviewer=user, status=AssignmentStatus.SUBMITTED
    ).exists()
