"""Assigning reviewers: who may, whom, when; what it records and who hears about it."""

from __future__ import annotations

import pytest

from applications.errors import NotPermitted, TransitionNotAllowed
from applications.workflow import Status
from notifications.models import Notification
from reviews.errors import ConflictOfInterestError
from reviews.models import AssignmentStatus, ReviewAssignment, ReviewEvent, ReviewEventKind
from reviews.services import conflict_declare, review_assign, review_decline
from sme_support.roles import Role
from tests.factories import user_in_group
from tests.reviews.conftest import application_in, client_for, firm_staff_of, text_of

pytestmark = pytest.mark.django_db


def test_program_lead_assigns_an_officer_of_the_program(world):
    application = application_in(world.program, Status.UNDER_REVIEW)

    assignment = review_assign(application=application, reviewer=world.reviewer, actor=world.lead)

    assert assignment.status == AssignmentStatus.ASSIGNED
    assert assignment.assigned_by == world.lead
    event = ReviewEvent.objects.get(application=application)
    assert (event.kind, event.actor, event.reviewer) == (ReviewEventKind.REVIEWER_ASSIGNED, world.lead, world.reviewer)
    note = Notification.objects.get(user=world.reviewer, kind="review_assigned")
    assert note.url == f"/officer/applications/{application.pk}/"


def test_manager_assigns_without_being_on_the_program(world):
    application = application_in(world.program, Status.ELIGIBLE)
    review_assign(application=application, reviewer=world.reviewer, actor=world.manager)
    assert ReviewAssignment.objects.filter(application=application, reviewer=world.reviewer).exists()


def test_an_officer_who_is_not_the_lead_cannot_assign(world):
    application = application_in(world.program, Status.UNDER_REVIEW)
    with pytest.raises(NotPermitted, match="lead or a manager"):
        review_assign(application=application, reviewer=world.reviewer, actor=world.plain_officer)
    assert not ReviewAssignment.objects.exists()


def test_an_officer_of_another_program_cannot_be_assigned(world):
    application = application_in(world.program, Status.UNDER_REVIEW)
    with pytest.raises(NotPermitted, match="not an officer of this program"):
        review_assign(application=application, reviewer=world.outsider, actor=world.lead)
    assert not ReviewAssignment.objects.exists()


def test_a_manager_not_on_the_program_cannot_be_assigned_as_reviewer(world):
    application = application_in(world.program, Status.UNDER_REVIEW)
    with pytest.raises(NotPermitted, match="not an officer of this program"):
        review_assign(application=application, reviewer=world.manager, actor=world.lead)


def test_a_firm_user_cannot_be_assigned(world):
    application = application_in(world.program, Status.UNDER_REVIEW)
    with pytest.raises(NotPermitted):
        review_assign(application=application, reviewer=firm_staff_of(application), actor=world.lead)


def test_a_conflicted_reviewer_is_never_assigned(world):
    application = application_in(world.program, Status.UNDER_REVIEW)
    conflict_declare(reviewer=world.reviewer, firm=application.firm, reason="My brother runs it")

    with pytest.raises(ConflictOfInterestError, match="conflict of interest"):
        review_assign(application=application, reviewer=world.reviewer, actor=world.lead)
    assert not ReviewAssignment.objects.filter(reviewer=world.reviewer).exists()


def test_assigning_twice_is_refused(world):
    application = application_in(world.program, Status.UNDER_REVIEW)
    review_assign(application=application, reviewer=world.reviewer, actor=world.lead)
    with pytest.raises(TransitionNotAllowed, match="already a reviewer"):
        review_assign(application=application, reviewer=world.reviewer, actor=world.lead)
    assert ReviewAssignment.objects.filter(application=application).count() == 1


def test_a_reviewer_who_declined_is_not_assigned_again(world):
    application = application_in(world.program, Status.UNDER_REVIEW)
    assignment = review_assign(application=application, reviewer=world.reviewer, actor=world.lead)
    review_decline(assignment=assignment, actor=world.reviewer, reason="On leave until March")
    with pytest.raises(TransitionNotAllowed, match="On leave until March"):
        review_assign(application=application, reviewer=world.reviewer, actor=world.lead)


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.REJECTED, Status.APPROVED])
def test_reviewers_are_assigned_only_around_the_review(world, status):
    application = application_in(world.program, status)
    with pytest.raises(TransitionNotAllowed, match="can be assigned while"):
        review_assign(application=application, reviewer=world.reviewer, actor=world.lead)


def test_declining_records_the_reason_in_the_history(world):
    application = application_in(world.program, Status.UNDER_REVIEW)
    assignment = review_assign(application=application, reviewer=world.reviewer, actor=world.lead)

    review_decline(assignment=assignment, actor=world.reviewer, reason="Too much work this month")

    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.DECLINED
    assert assignment.declined_reason == "Too much work this month"
    event = ReviewEvent.objects.get(application=application, kind=ReviewEventKind.REVIEW_DECLINED)
    assert event.note == "Too much work this month"


def test_declining_needs_a_reason_and_the_reviewer_themself(world):
    application = application_in(world.program, Status.UNDER_REVIEW)
    assignment = review_assign(application=application, reviewer=world.reviewer, actor=world.lead)
    with pytest.raises(NotPermitted):
        review_decline(assignment=assignment, actor=world.lead, reason="not yours")
    with pytest.raises(Exception, match="say why"):
        review_decline(assignment=assignment, actor=world.reviewer, reason="   ")
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.ASSIGNED


def test_assign_page_for_the_lead_and_refusal_shown_for_others(world):
    application = application_in(world.program, Status.UNDER_REVIEW)
    url = f"/en/officer/applications/{application.pk}/assign/"

    refused = client_for(world.plain_officer).post(url, {"reviewer": world.reviewer.pk})
    assert refused.status_code == 400
    assert "Only the program's lead or a manager can assign reviewers." in text_of(refused)

    conflict_declare(reviewer=world.second_reviewer, firm=application.firm, reason="Former employer")
    conflicted = client_for(world.lead).post(url, {"reviewer": world.second_reviewer.pk})
    assert conflicted.status_code == 400
    assert "has declared a conflict of interest" in text_of(conflicted)

    done = client_for(world.lead).post(url, {"reviewer": world.reviewer.pk})
    assert done.status_code == 302
    assert ReviewAssignment.objects.filter(application=application, reviewer=world.reviewer).exists()


def test_assign_page_refuses_a_user_outside_the_program_choices(world):
    application = application_in(world.program, Status.UNDER_REVIEW)
    stranger = user_in_group(Role.OFFICER)
    response = client_for(world.lead).post(
        f"/en/officer/applications/{application.pk}/assign/", {"reviewer": stranger.pk}
    )
    assert response.status_code == 400
    assert not ReviewAssignment.objects.exists()
