"""The rubric in Django admin: managers edit it (through the service), officers look."""

from __future__ import annotations

from decimal import Decimal

import pytest

from applications.workflow import Status
from reviews.models import RubricCriterion
from reviews.services import ScoreEntry, review_assign, scores_save, scores_submit
from tests.reviews.conftest import application_in, client_for, text_of

pytestmark = pytest.mark.django_db

ADD = "/en/admin/reviews/rubriccriterion/add/"


def criterion_data(program, **overrides):
    data = {
        "program": program.pk,
        "position": 4,
        "code": "ip",
        "label_ko": "지식재산",
        "label_en": "IP readiness",
        "weight": "1.5",
        "scale_max": 5,
    }
    return data | overrides


def test_a_manager_adds_a_criterion(world):
    response = client_for(world.manager).post(ADD, criterion_data(world.program))
    assert response.status_code == 302
    criterion = RubricCriterion.objects.get(code="ip")
    assert criterion.weight == Decimal("1.5")


def test_a_zero_weight_is_refused_on_the_form(world):
    response = client_for(world.manager).post(ADD, criterion_data(world.program, weight="0"))
    assert response.status_code == 200
    assert not RubricCriterion.objects.filter(code="ip").exists()


def test_officers_see_the_rubric_but_cannot_change_it(world):
    client = client_for(world.lead)
    assert client.get("/en/admin/reviews/rubriccriterion/").status_code == 200
    assert client.get(ADD).status_code == 403
    assert client.post(ADD, criterion_data(world.program)).status_code == 403
    assert not RubricCriterion.objects.filter(code="ip").exists()


def test_the_rubric_is_locked_once_scores_are_submitted(world):
    application = application_in(world.program, Status.UNDER_REVIEW)
    review_assign(application=application, reviewer=world.reviewer, actor=world.lead)
    scores_save(
        application=application,
        reviewer=world.reviewer,
        entries={c.pk: ScoreEntry(value=1) for c in world.criteria},
    )
    scores_submit(application=application, reviewer=world.reviewer)

    response = client_for(world.manager).post(ADD, criterion_data(world.program))

    assert response.status_code == 200
    assert "its rubric is locked" in text_of(response)
    assert not RubricCriterion.objects.filter(code="ip").exists()


def test_review_records_are_read_only_and_scoped(world):
    application = application_in(world.program, Status.UNDER_REVIEW)
    assignment = review_assign(application=application, reviewer=world.reviewer, actor=world.lead)
    url = f"/en/admin/reviews/reviewassignment/{assignment.pk}/change/"
    assert client_for(world.manager).get(url).status_code == 200
    assert client_for(world.reviewer).get(url).status_code == 200
    assert client_for(world.outsider).get(url).status_code == 404
    assert client_for(world.manager).post(url, {}).status_code == 403
