"""The scores selection and decisions rank on come from ``reviews.selectors.application_scores``
(this checks the interface with the real reviews models, not a stand-in)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from applications.decisions.policy import program_scores
from applications.decisions.selection import selection_preview
from applications.decisions.services import decision_request
from applications.workflow import Status
from reviews.models import AssignmentStatus, ReviewAssignment, RubricCriterion, Score
from tests.decisions.helpers import application_in, booths, lead_officer, officer_of, policy

pytestmark = pytest.mark.django_db


def _scored(application, reviewer, criteria_values) -> None:
    assignment = ReviewAssignment.objects.create(
        application=application, reviewer=reviewer, status=AssignmentStatus.SUBMITTED, submitted_at=timezone.now()
    )
    for criterion, value in criteria_values:
        Score.objects.create(assignment=assignment, criterion=criterion, value=value)


def test_selection_and_decisions_read_the_reviews_scores() -> None:
    program = booths(capacity=5)
    officer = lead_officer(program)
    reviewer = officer_of(program)
    plan = RubricCriterion.objects.create(
        program=program, code="plan", label_ko="계획", label_en="Plan", weight=Decimal(3), scale_max=10
    )
    market = RubricCriterion.objects.create(
        program=program, code="market", label_ko="시장", label_en="Market", weight=Decimal(1), scale_max=5
    )
    strong, weak, unscored = application_in(program), application_in(program), application_in(program)
    _scored(strong, reviewer, [(plan, 9), (market, 4)])  # (3×0.9 + 1×0.8) / 4 × 100 = 87.5
    _scored(weak, reviewer, [(plan, 5), (market, 5)])  # (3×0.5 + 1×1.0) / 4 × 100 = 62.5

    assert program_scores(program=program) == {strong.pk: Decimal("87.50"), weak.pk: Decimal("62.50")}
    rows = selection_preview(program=program)
    assert [(r.application_id, r.score) for r in rows] == [
        (strong.pk, Decimal("87.50")),
        (weak.pk, Decimal("62.50")),
        (unscored.pk, None),
    ]

    policy(program, requires_scores=True)
    assert decision_request(application=strong, actor=officer, decision="approve", reason="Top").applied
    assert strong.status == Status.APPROVED
