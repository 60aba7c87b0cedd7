"""Decisions and selection from the workspace, through ``applications.decisions`` and
``applications.decisions``: the sign-off of large approvals, and ranked selection on the
review scores computed here."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from applications.models import DecisionSignOff
from applications.workflow import Status
from notifications.models import Notification
from programs.models import SelectionMode
from reviews.selectors import application_scores
from reviews.services import review_assign, scores_save, scores_submit
from sme_support.roles import Role
from tests.factories import user_in_group
from tests.reviews.conftest import application_in, client_for, firm_staff_of, text_of
from tests.reviews.test_scoring import MEAN, RITA, SAM, entries, q2

pytestmark = pytest.mark.django_db


def score(world, application, reviewer, values):
    review_assign(application=application, reviewer=reviewer, actor=world.lead)
    scores_save(application=application, reviewer=reviewer, entries=entries(world, values))
    scores_submit(application=application, reviewer=reviewer)


def test_application_scores_feed_the_ranking(world):
    scored = application_in(world.program, Status.UNDER_REVIEW)
    unscored = application_in(world.program, Status.UNDER_REVIEW)
    score(world, scored, world.reviewer, RITA)
    score(world, scored, world.second_reviewer, SAM)

    scores = application_scores(program_id=world.program.pk)

    assert set(scores) == {scored.pk}
    assert unscored.pk not in scores
    assert q2(scores[scored.pk]) == MEAN


def test_a_decision_is_recorded_once_and_the_firm_told_once(world):
    application = application_in(world.program, Status.UNDER_REVIEW, requested_units=8_000_000)
    response = client_for(world.reviewer).post(
        f"/en/officer/applications/{application.pk}/decide/", {"decision": "reject", "reason": "Outside the scope"}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.REJECTED
    assert Notification.objects.filter(user=firm_staff_of(application), kind="decision_reject").count() == 1


def test_large_approvals_wait_for_another_managers_sign_off(world, settings):
    settings.DECISION_SIGN_OFF_THRESHOLD_KRW = 5_000_000
    application = application_in(world.program, Status.UNDER_REVIEW, requested_units=8_000_000)
    url = f"/en/officer/applications/{application.pk}/"

    lead = client_for(world.lead)
    asked = lead.post(url + "decide/", {"decision": "approve", "units": "8000000", "reason": "Best plan of the call"})
    assert asked.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.UNDER_REVIEW
    assert "a manager must sign this approval off" in text_of(lead.get(url))

    # The lead cannot sign; a manager can.
    lead_page = text_of(client_for(world.lead).get(url))
    assert 'id="sign-off-form"' not in lead_page
    refused = client_for(world.lead).post(url + "sign-off/", {"verdict": "sign"})
    assert refused.status_code == 400
    assert "Only a manager can sign off" in text_of(refused)

    manager_page = text_of(client_for(world.manager).get(url))
    assert 'id="sign-off-form"' in manager_page
    needs_note = client_for(world.manager).post(url + "sign-off/", {"verdict": "refuse", "note": ""})
    assert needs_note.status_code == 400

    signed = client_for(world.manager).post(url + "sign-off/", {"verdict": "sign"})
    assert signed.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.APPROVED
    assert DecisionSignOff.objects.get(application=application).status == DecisionSignOff.State.SIGNED


def test_the_manager_who_asked_cannot_sign_their_own_request(world, settings):
    settings.DECISION_SIGN_OFF_THRESHOLD_KRW = 5_000_000
    application = application_in(world.program, Status.UNDER_REVIEW, requested_units=8_000_000)
    url = f"/en/officer/applications/{application.pk}/"
    client_for(world.manager).post(url + "decide/", {"decision": "approve", "units": "8000000", "reason": "Good"})
    assert 'id="sign-off-form"' not in text_of(client_for(world.manager).get(url))
    response = client_for(world.manager).post(url + "sign-off/", {"verdict": "sign"})
    assert response.status_code == 400
    assert "four-eyes" in text_of(response)
    other_manager = user_in_group(Role.MANAGER)
    assert client_for(other_manager).post(url + "sign-off/", {"verdict": "sign"}).status_code == 302


# --- Ranked selection -------------------------------------------------------------------------


@pytest.fixture
def closed_call(world):
    """Three applications under review, two scored, and the ranked call closed."""
    world.program.capacity = 20_000_000
    world.program.selection_mode = SelectionMode.RANKED
    world.program.save(update_fields=["capacity", "selection_mode"])
    low = application_in(world.program, Status.UNDER_REVIEW, requested_units=10_000_000)
    high = application_in(world.program, Status.UNDER_REVIEW, requested_units=10_000_000)
    unscored = application_in(world.program, Status.UNDER_REVIEW, requested_units=10_000_000)
    score(world, low, world.reviewer, SAM)
    score(world, high, world.reviewer, RITA)
    now = timezone.now()
    type(world.program).objects.filter(pk=world.program.pk).update(
        opens_at=now - dt.timedelta(days=30), closes_at=now - dt.timedelta(hours=1)
    )
    return {"low": low, "high": high, "unscored": unscored}


def preview_rows(response):
    return [int(pk) for pk in re.findall(r'<tr data-application="(\d+)"', response.content.decode())]


def test_selection_preview_ranks_by_the_review_scores(world, closed_call):
    response = client_for(world.plain_officer).get(f"/en/officer/programs/{world.program.pk}/selection/")
    assert response.status_code == 200
    assert preview_rows(response) == [closed_call["high"].pk, closed_call["low"].pk, closed_call["unscored"].pk]
    page = text_of(response)
    assert "76.67" in page
    assert "Waitlist (place 1)" in page
    # A plain officer sees the preview but is not offered the commit.
    assert 'id="selection-commit"' not in page
    assert (
        client_for(world.plain_officer)
        .post(f"/en/officer/programs/{world.program.pk}/selection/", {"fingerprint": "x"})
        .status_code
        == 403
    )


def test_the_lead_commits_the_selection(world, closed_call):
    url = f"/en/officer/programs/{world.program.pk}/selection/"
    client = client_for(world.lead)
    page = client.get(url).content.decode()
    fingerprint = re.search(r'name="fingerprint" value="([^"]+)"', page).group(1)

    stale = client.post(url, {"fingerprint": "not-the-preview"})
    assert stale.status_code == 400
    assert "changed since this preview" in text_of(stale)

    done = client.post(url, {"fingerprint": fingerprint})
    assert done.status_code == 302
    statuses = {name: type(app).objects.get(pk=app.pk).status for name, app in closed_call.items()}
    assert statuses == {"high": Status.APPROVED, "low": Status.APPROVED, "unscored": Status.WAITLISTED}


def test_selection_of_another_program_is_404(world, closed_call):
    assert client_for(world.outsider).get(f"/en/officer/programs/{world.program.pk}/selection/").status_code == 404


def test_an_open_call_shows_what_blocks_selection(world):
    application_in(world.program, Status.UNDER_REVIEW)
    page = text_of(client_for(world.lead).get(f"/en/officer/programs/{world.program.pk}/selection/"))
    assert "Selection cannot be committed yet" in page
    assert 'id="selection-commit"' not in page


def test_programs_page_lists_the_officers_programs(world):
    page = text_of(client_for(world.reviewer).get("/en/officer/programs/"))
    assert world.program.title_en in page
    assert world.other_program.title_en not in page


def test_my_work_lists_sign_offs_waiting_for_a_manager(world, settings):
    settings.DECISION_SIGN_OFF_THRESHOLD_KRW = 5_000_000
    application = application_in(world.program, Status.UNDER_REVIEW, requested_units=8_000_000)
    client_for(world.lead).post(
        f"/en/officer/applications/{application.pk}/decide/",
        {"decision": "approve", "units": "8000000", "reason": "Good"},
    )
    page = text_of(client_for(world.manager).get("/en/officer/mine/"))
    assert "Decisions waiting for your sign-off" in page
    assert str(application) in page
    assert "Decisions waiting for your sign-off" not in text_of(client_for(world.lead).get("/en/officer/mine/"))
