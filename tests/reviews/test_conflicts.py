"""The conflict-of-interest register: a conflicted reviewer cannot be assigned to, open the
scoring form of, score, or decide the firm's applications."""

from __future__ import annotations

import pytest

from applications.decisions.services import decision_request
from applications.workflow import Status
from reviews.errors import ConflictOfInterestError
from reviews.models import AssignmentStatus, ConflictOfInterest, ReviewEvent, ReviewEventKind
from reviews.scoring import application_score
from reviews.services import ScoreEntry, conflict_declare, review_assign, review_decline, scores_save, scores_submit
from tests.reviews.conftest import application_in, client_for, text_of

pytestmark = pytest.mark.django_db


def _full_marks(world):
    return {c.pk: ScoreEntry(value=c.scale_max) for c in world.criteria}


def test_declining_for_a_conflict_records_it_everywhere(world):
    application = application_in(world.program, Status.UNDER_REVIEW)
    assignment = review_assign(application=application, reviewer=world.reviewer, actor=world.lead)

    review_decline(assignment=assignment, actor=world.reviewer, reason="I advised this firm last year", conflict=True)

    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.DECLINED
    conflict = ConflictOfInterest.objects.get(reviewer=world.reviewer, firm=application.firm)
    assert conflict.reason == "I advised this firm last year"
    kinds = list(ReviewEvent.objects.filter(application=application).values_list("kind", flat=True))
    assert kinds == [
        ReviewEventKind.REVIEWER_ASSIGNED,
        ReviewEventKind.REVIEW_DECLINED,
        ReviewEventKind.CONFLICT_DECLARED,
    ]
    declined = ReviewEvent.objects.get(application=application, kind=ReviewEventKind.REVIEW_DECLINED)
    assert "Conflict of interest" in declined.note


def test_a_declared_conflict_withdraws_the_reviewer_from_the_firms_open_reviews(world):
    first = application_in(world.program, Status.UNDER_REVIEW)
    second = application_in(world.other_program, Status.UNDER_REVIEW, firm=first.firm)
    review_assign(application=first, reviewer=world.reviewer, actor=world.lead)

    conflict_declare(reviewer=world.reviewer, firm=first.firm, reason="Shareholder")

    assignment = first.review_assignments.get(reviewer=world.reviewer)
    assert assignment.status == AssignmentStatus.DECLINED
    assert "Shareholder" in assignment.declined_reason
    assert ReviewEvent.objects.filter(application=first, kind=ReviewEventKind.CONFLICT_DECLARED).exists()
    # No assignment on the other application: nothing to note there.
    assert not ReviewEvent.objects.filter(application=second).exists()


def test_scores_submitted_before_a_conflict_was_declared_stop_counting(world):
    application = application_in(world.program, Status.UNDER_REVIEW)
    review_assign(application=application, reviewer=world.reviewer, actor=world.lead)
    scores_save(application=application, reviewer=world.reviewer, entries=_full_marks(world))
    scores_submit(application=application, reviewer=world.reviewer)
    assert application_score(application=application).score == 100

    conflict_declare(reviewer=world.reviewer, firm=application.firm, reason="Found out I hold shares")

    assert application_score(application=application).score is None


def test_declaring_the_same_conflict_twice_is_refused(world):
    application = application_in(world.program, Status.UNDER_REVIEW)
    conflict_declare(reviewer=world.reviewer, firm=application.firm, reason="Cousin")
    with pytest.raises(Exception, match="already"):
        conflict_declare(reviewer=world.reviewer, firm=application.firm, reason="Cousin again")
    assert ConflictOfInterest.objects.count() == 1


def test_a_conflicted_reviewer_cannot_open_the_scoring_form(world):
    application = application_in(world.program, Status.UNDER_REVIEW)
    review_assign(application=application, reviewer=world.reviewer, actor=world.lead)
    conflict_declare(reviewer=world.reviewer, firm=application.firm, reason="Former employer")

    response = client_for(world.reviewer).get(f"/en/officer/applications/{application.pk}/score/")

    assert response.status_code == 403
    assert "declared a conflict of interest with" in text_of(response)


def test_a_conflicted_reviewer_cannot_score_even_with_an_assignment_row(world):
    """The register is asked before the assignment: a row that escaped the decline (here
    forced back to ``assigned``) still does not let them score."""
    application = application_in(world.program, Status.UNDER_REVIEW)
    assignment = review_assign(application=application, reviewer=world.reviewer, actor=world.lead)
    conflict_declare(reviewer=world.reviewer, firm=application.firm, reason="Former employer")
    type(assignment).objects.filter(pk=assignment.pk).update(status=AssignmentStatus.ASSIGNED, declined_reason="")

    with pytest.raises(ConflictOfInterestError):
        scores_save(application=application, reviewer=world.reviewer, entries=_full_marks(world))
    with pytest.raises(ConflictOfInterestError):
        scores_submit(application=application, reviewer=world.reviewer)
    assert not assignment.scores.exists()

    posted = client_for(world.reviewer).post(
        f"/en/officer/applications/{application.pk}/score/",
        {f"value_{c.pk}": c.scale_max for c in world.criteria} | {"submit": "1"},
    )
    assert posted.status_code == 403
    assert not assignment.scores.exists()


def test_a_conflicted_officer_takes_no_decision_on_the_firm(world):
    application = application_in(world.program, Status.UNDER_REVIEW)
    conflict_declare(reviewer=world.lead, firm=application.firm, reason="Board member")
    with pytest.raises(ConflictOfInterestError):
        decision_request(application=application, actor=world.lead, decision="reject", reason="No")
    application.refresh_from_db()
    assert application.status == Status.UNDER_REVIEW


def test_conflict_register_page_declares_by_registration_number(world):
    application = application_in(world.program, Status.UNDER_REVIEW)
    client = client_for(world.reviewer)

    bad = client.post("/en/officer/conflicts/", {"brn": "123", "reason": "x"})
    assert bad.status_code == 400
    assert "not a valid business registration number" in text_of(bad)

    done = client.post("/en/officer/conflicts/", {"brn": application.firm.brn, "reason": "Spouse works there"})
    assert done.status_code == 302
    assert ConflictOfInterest.objects.filter(reviewer=world.reviewer, firm=application.firm).exists()

    again = client.post("/en/officer/conflicts/", {"brn": application.firm.brn, "reason": "Again"})
    assert again.status_code == 400
    assert "already" in text_of(again)


def test_register_shows_officers_their_own_and_managers_everything(world):
    application = application_in(world.program, Status.UNDER_REVIEW)
    conflict_declare(reviewer=world.reviewer, firm=application.firm, reason="Reason of Rita")
    conflict_declare(reviewer=world.second_reviewer, firm=application.firm, reason="Reason of Sam")

    own = text_of(client_for(world.reviewer).get("/en/officer/conflicts/"))
    assert "Reason of Rita" in own
    assert "Reason of Sam" not in own
    everything = text_of(client_for(world.manager).get("/en/officer/conflicts/"))
    assert "Reason of Rita" in everything
    assert "Reason of Sam" in everything


def test_declaring_from_the_application_page(world):
    application = application_in(world.program, Status.UNDER_REVIEW)
    review_assign(application=application, reviewer=world.reviewer, actor=world.lead)
    response = client_for(world.reviewer).post(
        f"/en/officer/applications/{application.pk}/conflict/", {"reason": "I mentor the founder"}
    )
    assert response.status_code == 302
    assert application.review_assignments.get().status == AssignmentStatus.DECLINED
    page = text_of(client_for(world.reviewer).get(f"/en/officer/applications/{application.pk}/"))
    assert "You have declared a conflict of interest with this firm" in page
    assert "I mentor the founder" in page
