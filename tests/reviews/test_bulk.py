"""Bulk actions: the confirmation page predicts each application's fate (refusals and their
reasons included) without changing anything; applying goes through the services one by one."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from applications.models import InfoRequest, StatusChange
from applications.workflow import Status
from notifications.models import Notification
from reviews.bulk import BulkAction, BulkParams, bulk_apply, bulk_preview, bulk_selection
from reviews.models import ReviewAssignment, ReviewEvent
from reviews.services import conflict_declare
from tests.reviews.conftest import application_in, client_for, firm_staff_of, ineligible_application, text_of

pytestmark = pytest.mark.django_db

BULK = "/en/officer/bulk/"


def lines_of(response) -> dict[int, str]:
    page = text_of(response)
    rows = re.findall(r'<tr class="([\w-]+)" data-application="(\d+)">', page)
    return {int(pk): css for css, pk in rows}


def snapshot():
    return (
        StatusChange.objects.count(),
        ReviewAssignment.objects.count(),
        ReviewEvent.objects.count(),
        InfoRequest.objects.count(),
        Notification.objects.count(),
    )


@pytest.fixture
def mixed(world):
    under_review = application_in(world.program, Status.UNDER_REVIEW)
    eligible = application_in(world.program, Status.ELIGIBLE)
    conflicted = application_in(world.program, Status.UNDER_REVIEW)
    rejected = application_in(world.program, Status.REJECTED)
    conflict_declare(reviewer=world.reviewer, firm=conflicted.firm, reason="Co-founder is my sister")
    return {"under_review": under_review, "eligible": eligible, "conflicted": conflicted, "rejected": rejected}


def test_assign_confirmation_lists_who_will_be_refused_and_why_and_changes_nothing(world, mixed):
    ids = [a.pk for a in mixed.values()]
    client = client_for(world.lead)
    before = snapshot()

    chosen = client.post(BULK, {"stage": "choose", "action": "assign", "ids": ids})
    assert chosen.status_code == 200
    preview = client.post(BULK, {"stage": "preview", "action": "assign", "reviewer": world.reviewer.pk, "ids": ids})

    assert preview.status_code == 200
    lines = lines_of(preview)
    assert lines == {
        mixed["under_review"].pk: "will-apply",
        mixed["eligible"].pk: "will-apply",
        mixed["conflicted"].pk: "refused",
        mixed["rejected"].pk: "refused",
    }
    page = text_of(preview)
    assert "Rita Reviewer will be assigned as a reviewer and notified." in page
    assert "has declared a conflict of interest" in page
    assert "this one is “Rejected”" in page
    assert "2 of 4 applications will be changed" in page
    assert snapshot() == before


def test_applying_reports_successes_and_per_application_errors(world, mixed):
    ids = [a.pk for a in mixed.values()]
    response = client_for(world.lead).post(
        BULK, {"stage": "apply", "action": "assign", "reviewer": world.reviewer.pk, "ids": ids}
    )
    assert response.status_code == 200
    lines = lines_of(response)
    assert [pk for pk, css in lines.items() if css == "applied"] == [mixed["under_review"].pk, mixed["eligible"].pk]
    assert "2 of 4 applications were changed" in text_of(response)
    assigned = set(ReviewAssignment.objects.filter(reviewer=world.reviewer).values_list("application_id", flat=True))
    assert assigned == {mixed["under_review"].pk, mixed["eligible"].pk}


def test_bulk_request_information(world, mixed):
    due = timezone.localdate() + dt.timedelta(days=7)
    targets = [mixed["under_review"], mixed["eligible"]]
    applications, _missing = bulk_selection(user=world.reviewer, ids=[a.pk for a in targets])
    params = BulkParams(message="Please send your latest financial statement", due_on=due)

    preview = bulk_preview(
        action=BulkAction.REQUEST_INFO, applications=applications, actor=world.reviewer, params=params
    )
    assert [line.ok for line in preview] == [True, False]
    assert "answer by " + due.isoformat() in preview[0].message
    assert "cannot be moved by “Request information”" in preview[1].message
    mixed["under_review"].refresh_from_db()
    assert mixed["under_review"].status == Status.UNDER_REVIEW

    applied = bulk_apply(action=BulkAction.REQUEST_INFO, applications=applications, actor=world.reviewer, params=params)
    assert [line.ok for line in applied] == [True, False]
    mixed["under_review"].refresh_from_db()
    assert mixed["under_review"].status == Status.INFO_REQUESTED
    assert Notification.objects.filter(user=firm_staff_of(mixed["under_review"]), kind="info_requested").exists()


def test_bulk_reject(world, mixed):
    screened_out = ineligible_application(world.program)
    ids = [mixed["under_review"].pk, screened_out.pk]
    client = client_for(world.lead)
    preview = client.post(BULK, {"stage": "preview", "action": "reject", "reason": "Not a creative firm", "ids": ids})
    lines = lines_of(preview)
    # Both close out: one after review, one that failed screening ("reject ineligible").
    assert lines == {mixed["under_review"].pk: "will-apply", screened_out.pk: "will-apply"}
    assert "Will be rejected; the firm will be notified with your reason." in text_of(preview)

    done = client.post(BULK, {"stage": "apply", "action": "reject", "reason": "Not a creative firm", "ids": ids})
    assert done.status_code == 200
    mixed["under_review"].refresh_from_db()
    assert mixed["under_review"].status == Status.REJECTED
    assert mixed["under_review"].decision_reason == "Not a creative firm"
    assert Notification.objects.filter(user=firm_staff_of(mixed["under_review"]), kind="decision_reject").count() == 1
    screened_out.refresh_from_db()
    assert screened_out.status == Status.REJECTED
    assert screened_out.history.last().from_status == Status.INELIGIBLE


def test_the_parameters_are_required_per_action(world, mixed):
    response = client_for(world.lead).post(
        BULK, {"stage": "preview", "action": "request_info", "message": "", "ids": [mixed["under_review"].pk]}
    )
    assert response.status_code == 400
    assert "Say what you need from the firms." in text_of(response)


def test_applications_outside_the_users_scope_are_left_out(world, mixed):
    foreign = application_in(world.other_program, Status.UNDER_REVIEW)
    response = client_for(world.lead).post(
        BULK,
        {
            "stage": "preview",
            "action": "reject",
            "reason": "No",
            "ids": [mixed["under_review"].pk, foreign.pk, "99999", "abc"],
        },
    )
    assert response.status_code == 200
    assert set(lines_of(response)) == {mixed["under_review"].pk}
    page = text_of(response)
    assert "2 selected applications are not ones you can act on" in page
    assert "Some of the selection was not understood" in page
    foreign.refresh_from_db()
    assert foreign.status == Status.UNDER_REVIEW


def test_nothing_selected(world):
    response = client_for(world.lead).post(BULK, {"stage": "choose", "action": "assign"})
    assert response.status_code == 400
    assert "Select at least one application" in text_of(response)


def test_bulk_needs_an_officer(world, mixed):
    staff = firm_staff_of(mixed["under_review"])
    response = client_for(staff).post(BULK, {"stage": "apply", "action": "reject", "reason": "x", "ids": [1]})
    assert response.status_code == 403
