"""Scoring: who may score, the range, submitting and locking, the weighted mean (checked by
hand, in Python and in the database), and who sees which scores."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from applications.errors import InvalidInput, NotPermitted, TransitionNotAllowed
from applications.selectors import application_list
from applications.workflow import Status
from reviews.models import AssignmentStatus, ReviewEvent, ReviewEventKind, RubricCriterion, Score
from reviews.scoring import application_score, score_expression, scores_visible, visible_score_expression
from reviews.selectors import review_panel
from reviews.services import (
    ScoreEntry,
    review_assign,
    rubric_criterion_delete,
    rubric_criterion_save,
    scores_save,
    scores_submit,
)
from tests.factories import ProgramFactory
from tests.reviews.conftest import application_in, client_for, text_of

pytestmark = pytest.mark.django_db

# Criteria of the world's rubric: market (weight 3, 0–5), plan (weight 1, 0–10), capacity (weight 2, 0–4).
RITA = {"market": 4, "plan": 7, "capacity": 3}
SAM = {"market": 2, "plan": 10, "capacity": 1}
# By hand: Rita (3·4/5 + 1·7/10 + 2·3/4) / 6 × 100 = (2.4 + 0.7 + 1.5) / 6 × 100 = 76.666…
#          Sam  (3·2/5 + 1·10/10 + 2·1/4) / 6 × 100 = (1.2 + 1.0 + 0.5) / 6 × 100 = 45
#          application = (76.666… + 45) / 2 = 60.8333…
RITA_SCORE = Decimal("76.67")
SAM_SCORE = Decimal("45.00")
MEAN = Decimal("60.83")


def entries(world, values, comment=""):
    by_code = {c.code: c for c in world.criteria}
    return {by_code[code].pk: ScoreEntry(value=value, comment=comment) for code, value in values.items()}


def scored(world, application, reviewer, values, *, submit=True):
    if not application.review_assignments.filter(reviewer=reviewer).exists():
        review_assign(application=application, reviewer=reviewer, actor=world.lead)
    scores_save(application=application, reviewer=reviewer, entries=entries(world, values))
    if submit:
        scores_submit(application=application, reviewer=reviewer)


def q2(value):
    return Decimal(value).quantize(Decimal("0.01"))


@pytest.fixture
def under_review(world):
    return application_in(world.program, Status.UNDER_REVIEW)


# --- Refusals -----------------------------------------------------------------------------------


def test_scoring_without_an_assignment_is_refused(world, under_review):
    with pytest.raises(NotPermitted, match="not assigned"):
        scores_save(application=under_review, reviewer=world.reviewer, entries=entries(world, RITA))
    assert not Score.objects.exists()


def test_the_scoring_form_is_403_without_an_assignment(world, under_review):
    response = client_for(world.plain_officer).get(f"/en/officer/applications/{under_review.pk}/score/")
    assert response.status_code == 403
    assert "You are not assigned to review this application" in text_of(response)


@pytest.mark.parametrize(("code", "value"), [("market", 6), ("plan", 11), ("capacity", -1), ("capacity", 5)])
def test_a_score_outside_the_criterion_scale_is_refused(world, under_review, code, value):
    review_assign(application=under_review, reviewer=world.reviewer, actor=world.lead)
    values = dict(RITA, **{code: value})
    with pytest.raises(InvalidInput, match="outside that range"):
        scores_save(application=under_review, reviewer=world.reviewer, entries=entries(world, values))
    # All or nothing: the valid values were not saved either.
    assert not Score.objects.exists()


def test_the_form_refuses_out_of_range_values_too(world, under_review):
    review_assign(application=under_review, reviewer=world.reviewer, actor=world.lead)
    market = next(c for c in world.criteria if c.code == "market")
    response = client_for(world.reviewer).post(
        f"/en/officer/applications/{under_review.pk}/score/", {f"value_{market.pk}": "9", "save": "1"}
    )
    assert response.status_code == 400
    assert "less than or equal to 5" in text_of(response)
    assert not Score.objects.exists()


def test_submitting_twice_is_refused_and_scores_stay_locked(world, under_review):
    scored(world, under_review, world.reviewer, RITA)
    with pytest.raises(TransitionNotAllowed, match="locked"):
        scores_submit(application=under_review, reviewer=world.reviewer)
    with pytest.raises(TransitionNotAllowed, match="locked"):
        scores_save(application=under_review, reviewer=world.reviewer, entries=entries(world, SAM))
    values = dict(Score.objects.values_list("criterion__code", "value"))
    assert values == RITA
    assert ReviewEvent.objects.filter(kind=ReviewEventKind.SCORES_SUBMITTED).count() == 1


def test_submitting_needs_every_criterion(world, under_review):
    review_assign(application=under_review, reviewer=world.reviewer, actor=world.lead)
    scores_save(application=under_review, reviewer=world.reviewer, entries=entries(world, {"market": 3}))
    with pytest.raises(InvalidInput, match="Quality of the export plan, Capacity to deliver"):
        scores_submit(application=under_review, reviewer=world.reviewer)
    assert under_review.review_assignments.get().status == AssignmentStatus.ASSIGNED


def test_scores_are_given_only_while_the_review_runs(world):
    application = application_in(world.program, Status.ELIGIBLE)
    review_assign(application=application, reviewer=world.reviewer, actor=world.lead)
    with pytest.raises(TransitionNotAllowed, match="under review"):
        scores_save(application=application, reviewer=world.reviewer, entries=entries(world, RITA))


def test_a_declined_reviewer_cannot_score(world, under_review):
    from reviews.services import review_decline

    assignment = review_assign(application=under_review, reviewer=world.reviewer, actor=world.lead)
    review_decline(assignment=assignment, actor=world.reviewer, reason="Away")
    with pytest.raises(NotPermitted, match="declined"):
        scores_save(application=under_review, reviewer=world.reviewer, entries=entries(world, RITA))


def test_a_program_without_rubric_cannot_be_scored(world):
    program = ProgramFactory()
    from tests.reviews.conftest import officer_on

    lead = officer_on(program, lead=True)
    application = application_in(program, Status.UNDER_REVIEW)
    review_assign(application=application, reviewer=lead, actor=lead)
    with pytest.raises(InvalidInput, match="no scoring rubric"):
        scores_submit(application=application, reviewer=lead)


def test_criteria_of_another_program_are_refused(world, under_review):
    review_assign(application=under_review, reviewer=world.reviewer, actor=world.lead)
    foreign = RubricCriterion.objects.create(
        program=world.other_program, code="x", label_en="X", label_ko="X", weight=1, scale_max=5
    )
    with pytest.raises(InvalidInput, match="not part of this program"):
        scores_save(application=under_review, reviewer=world.reviewer, entries={foreign.pk: ScoreEntry(value=1)})


# --- The weighted mean ------------------------------------------------------------------------


def test_weighted_mean_matches_the_hand_computation(world, under_review):
    scored(world, under_review, world.reviewer, RITA)
    scored(world, under_review, world.second_reviewer, SAM)
    # A draft of a third reviewer does not count.
    scored(world, under_review, world.lead, {"market": 0, "plan": 0, "capacity": 0}, submit=False)

    result = application_score(application=under_review)

    assert q2(result.score) == MEAN
    assert sorted(q2(card.score) for card in result.scorecards) == [SAM_SCORE, RITA_SCORE]
    assert result.reviewers_submitted == 2


def test_the_database_computes_the_same_score(world, under_review):
    scored(world, under_review, world.reviewer, RITA)
    scored(world, under_review, world.second_reviewer, SAM)
    unscored = application_in(world.program, Status.UNDER_REVIEW)

    rows = dict(
        application_list(user=world.manager)
        .filter(pk__in=[under_review.pk, unscored.pk])
        .annotate(score=score_expression())
        .values_list("pk", "score")
    )

    assert q2(rows[under_review.pk]) == MEAN
    assert rows[unscored.pk] is None
    assert q2(rows[under_review.pk]) == q2(application_score(application=under_review).score)


def test_one_reviewer_alone_gives_their_own_score(world, under_review):
    scored(world, under_review, world.reviewer, {"market": 5, "plan": 0, "capacity": 0})
    # (3·5/5) / 6 × 100 = 50: the weight, not the scale, decides how much a criterion counts.
    assert q2(application_score(application=under_review).score) == Decimal("50.00")


# --- Who sees scores --------------------------------------------------------------------------


def test_a_reviewer_sees_no_other_scores_until_their_own_are_submitted(world, under_review):
    scored(world, under_review, world.second_reviewer, SAM)
    review_assign(application=under_review, reviewer=world.reviewer, actor=world.lead)

    assert not scores_visible(user=world.reviewer, application=under_review)
    panel = review_panel(user=world.reviewer, application=under_review)
    assert panel.result is None
    page = text_of(client_for(world.reviewer).get(f"/en/officer/applications/{under_review.pk}/"))
    assert "stay hidden until you have submitted your own" in page
    assert "45.00" not in page

    scores_save(application=under_review, reviewer=world.reviewer, entries=entries(world, RITA))
    scores_submit(application=under_review, reviewer=world.reviewer)

    assert scores_visible(user=world.reviewer, application=under_review)
    page = text_of(client_for(world.reviewer).get(f"/en/officer/applications/{under_review.pk}/"))
    assert "60.83" in page
    assert "45.00" in page


@pytest.mark.parametrize("who", ["lead", "manager"])
def test_leads_and_managers_see_every_score(world, under_review, who):
    scored(world, under_review, world.second_reviewer, SAM)
    user = getattr(world, who)
    assert scores_visible(user=user, application=under_review)
    page = text_of(client_for(user).get(f"/en/officer/applications/{under_review.pk}/"))
    assert "45.00" in page


def test_an_officer_who_is_neither_lead_nor_reviewer_does_not_see_scores(world, under_review):
    scored(world, under_review, world.second_reviewer, SAM)
    assert not scores_visible(user=world.plain_officer, application=under_review)


def test_the_queue_hides_the_score_where_the_user_may_not_see_it(world, under_review):
    scored(world, under_review, world.second_reviewer, SAM)
    review_assign(application=under_review, reviewer=world.reviewer, actor=world.lead)

    def queue_score(user):
        return (
            application_list(user=user)
            .annotate(score=visible_score_expression(user=user))
            .values_list("score", flat=True)
            .get(pk=under_review.pk)
        )

    assert queue_score(world.reviewer) is None
    assert queue_score(world.plain_officer) is None
    assert q2(queue_score(world.lead)) == SAM_SCORE
    assert q2(queue_score(world.manager)) == SAM_SCORE
    assert q2(queue_score(world.second_reviewer)) == SAM_SCORE


# --- The pages --------------------------------------------------------------------------------


def test_save_a_draft_then_submit_through_the_form(world, under_review):
    review_assign(application=under_review, reviewer=world.reviewer, actor=world.lead)
    client = client_for(world.reviewer)
    url = f"/en/officer/applications/{under_review.pk}/score/"
    by_code = {c.code: c for c in world.criteria}
    data = {f"value_{by_code[code].pk}": value for code, value in RITA.items()}
    data[f"comment_{by_code['plan'].pk}"] = "Clear milestones"

    draft = client.post(url, {**data, "save": "1"})
    assert draft.status_code == 302
    assert under_review.review_assignments.get().status == AssignmentStatus.ASSIGNED
    assert Score.objects.get(criterion=by_code["plan"]).comment == "Clear milestones"

    submitted = client.post(url, {**data, "submit": "1"})
    assert submitted.status_code == 302
    assert under_review.review_assignments.get().status == AssignmentStatus.SUBMITTED

    again = client.post(url, {**data, "submit": "1"})
    assert again.status_code == 400
    assert "they are locked" in text_of(again)
    locked_page = client.get(url)
    assert "these scores are locked" in text_of(locked_page)


# --- The rubric -------------------------------------------------------------------------------


def test_managers_edit_the_rubric_until_scores_are_submitted(world, under_review):
    criterion = world.criteria[0]
    criterion.weight = Decimal("4")
    rubric_criterion_save(criterion=criterion, actor=world.manager)

    with pytest.raises(ValidationError, match="Only managers"):
        rubric_criterion_save(criterion=criterion, actor=world.lead)

    scored(world, under_review, world.reviewer, RITA)
    criterion.weight = Decimal("1")
    with pytest.raises(ValidationError, match="rubric is locked"):
        rubric_criterion_save(criterion=criterion, actor=world.manager)
    with pytest.raises(ValidationError, match="rubric is locked"):
        rubric_criterion_delete(criterion=criterion, actor=world.manager)
    criterion.refresh_from_db()
    assert criterion.weight == Decimal("4")


def test_a_weight_of_zero_is_refused(world):
    criterion = RubricCriterion(program=world.program, code="zero", label_en="Z", label_ko="Z", weight=0, scale_max=5)
    with pytest.raises(ValidationError):
        rubric_criterion_save(criterion=criterion, actor=world.manager)
