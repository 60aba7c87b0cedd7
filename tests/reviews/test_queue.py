"""The review queue: who gets in, what each officer sees, filters, sort, counts, pages, the
query budget, and "my work"."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from applications.casework.services import application_answer_info, application_request_info
from applications.models import Application
from applications.workflow import Status
from firms.models import Sector, SizeClass
from reviews.services import review_assign, scores_save, scores_submit
from tests.factories import ApplicationFactory, FirmFactory, firm_user
from tests.reviews.conftest import application_in, client_for, firm_staff_of, text_of
from tests.reviews.test_scoring import RITA, entries

pytestmark = pytest.mark.django_db

QUEUE = "/en/officer/"


def row_ids(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr data-application="(\d+)"', response.content.decode())]


def bare_application(program, *, status=Status.UNDER_REVIEW, days_waiting=1, **firm_fields):
    """An application put straight into ``status`` (no history): for lists and query counts."""
    now = timezone.now()
    return ApplicationFactory(
        program=program,
        firm=FirmFactory(**firm_fields),
        status=status,
        submitted_at=now - dt.timedelta(days=days_waiting + 1),
        status_changed_at=now - dt.timedelta(days=days_waiting),
    )


# --- Access -----------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert "/portal/login/" in response["Location"]
    assert "next=/en/officer/" in response["Location"]


def test_firm_users_are_refused_with_a_403(world):
    application = application_in(world.program, Status.UNDER_REVIEW)
    client = client_for(firm_staff_of(application))
    response = client.get(QUEUE)
    assert response.status_code == 403
    assert "for the agency's officers and managers" in text_of(response)
    assert client.get(f"/en/officer/applications/{application.pk}/").status_code == 403
    assert client.post(f"/en/officer/applications/{application.pk}/start-review/").status_code == 403


def test_a_user_without_any_role_is_refused(world):
    response = client_for(firm_user()).get(QUEUE)
    assert response.status_code == 403


def test_officers_see_only_their_programs(world):
    mine = bare_application(world.program)
    theirs = bare_application(world.other_program)

    assert row_ids(client_for(world.reviewer).get(QUEUE)) == [mine.pk]
    assert row_ids(client_for(world.outsider).get(QUEUE)) == [theirs.pk]
    assert set(row_ids(client_for(world.manager).get(QUEUE))) == {mine.pk, theirs.pk}


def test_an_officer_of_another_program_gets_404_on_the_detail_page(world):
    application = application_in(world.program, Status.UNDER_REVIEW)
    client = client_for(world.outsider)
    assert client.get(f"/en/officer/applications/{application.pk}/").status_code == 404
    assert client.get(f"/en/officer/applications/{application.pk}/score/").status_code == 404
    assert client.post(f"/en/officer/applications/{application.pk}/start-review/").status_code == 404
    assert client.get("/en/officer/applications/999999/").status_code == 404


def test_drafts_are_not_in_the_queue(world):
    bare_application(world.program, status=Status.DRAFT)
    assert row_ids(client_for(world.manager).get(QUEUE)) == []


# --- Filters ----------------------------------------------------------------------------------


@pytest.fixture
def spread(world):
    """Applications that differ in one thing each."""
    world.program.target_countries.add("JP")
    world.other_program.target_countries.add("FR")
    design = bare_application(world.program, sector=Sector.DESIGN, size_class=SizeClass.SMALL)
    games = bare_application(
        world.program, status=Status.ELIGIBLE, sector=Sector.GAMES, size_class=SizeClass.MICRO, days_waiting=30
    )
    french = bare_application(world.other_program, sector=Sector.MUSIC, size_class=SizeClass.MEDIUM)
    review_assign(application=design, reviewer=world.reviewer, actor=world.lead)
    return {"design": design, "games": games, "french": french}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"design", "games", "french"}),
        ("status=eligible", {"games"}),
        ("sector=design", {"design"}),
        ("size_class=micro", {"games"}),
        ("country=FR", {"french"}),
        ("country=JP", {"design", "games"}),
        ("overdue=on", {"games"}),
        ("status=under_review&sector=music", {"french"}),
    ],
)
def test_filters(world, spread, query, expected):
    response = client_for(world.manager).get(f"{QUEUE}?{query}")
    assert response.status_code == 200
    assert set(row_ids(response)) == {spread[name].pk for name in expected}


def test_filter_by_program_and_reviewer(world, spread):
    client = client_for(world.manager)
    assert set(row_ids(client.get(f"{QUEUE}?program={world.other_program.pk}"))) == {spread["french"].pk}
    assert row_ids(client.get(f"{QUEUE}?reviewer={world.reviewer.pk}")) == [spread["design"].pk]


def test_a_bad_filter_value_is_reported_and_ignored(world, spread):
    response = client_for(world.manager).get(f"{QUEUE}?status=nonsense&sector=design&sort=password")
    assert response.status_code == 200
    page = text_of(response)
    assert "Some filters were not understood" in page
    assert row_ids(response) == [spread["design"].pk]


def test_an_officer_cannot_filter_on_a_program_they_do_not_work_on(world, spread):
    response = client_for(world.reviewer).get(f"{QUEUE}?program={world.other_program.pk}")
    assert response.status_code == 200
    assert spread["french"].pk not in row_ids(response)


def test_counts_per_status_ignore_the_status_filter(world, spread):
    response = client_for(world.manager).get(f"{QUEUE}?status=eligible")
    page = response.content.decode()
    assert re.search(r'data-status="all">3<', page)
    assert re.search(r'data-status="under_review">2<', page)
    assert re.search(r'data-status="eligible">1<', page)


def test_counts_are_one_query(world, spread):
    from reviews.selectors import QueueFilters, status_counts
    from sme_support.roles import is_manager

    assert is_manager(world.manager)  # the role lookup is cached on the user, as in a request
    with CaptureQueriesContext(connection) as queries:
        counts = status_counts(user=world.manager, filters=QueueFilters())
    assert counts[Status.UNDER_REVIEW] == 2
    assert counts[Status.ELIGIBLE] == 1
    assert len(queries) == 1


# --- Sorting ----------------------------------------------------------------------------------


def test_sort_by_firm_name_and_dates(world):
    b = bare_application(world.program, name_en="Bravo", days_waiting=5)
    a = bare_application(world.program, name_en="Alpha", days_waiting=2)
    c = bare_application(world.program, name_en="Charlie", days_waiting=9)
    client = client_for(world.manager)
    assert row_ids(client.get(f"{QUEUE}?sort=firm")) == [a.pk, b.pk, c.pk]
    assert row_ids(client.get(f"{QUEUE}?sort=-firm")) == [c.pk, b.pk, a.pk]
    assert row_ids(client.get(f"{QUEUE}?sort=changed")) == [c.pk, b.pk, a.pk]
    assert row_ids(client.get(f"{QUEUE}?sort=-submitted")) == [a.pk, b.pk, c.pk]
    # Default: waiting longest first.
    assert row_ids(client.get(QUEUE)) == [c.pk, b.pk, a.pk]


def test_sort_by_score_puts_unscored_last(world):
    low = application_in(world.program, Status.UNDER_REVIEW)
    high = application_in(world.program, Status.UNDER_REVIEW)
    unscored = application_in(world.program, Status.UNDER_REVIEW)
    for application, values in ((low, {"market": 1, "plan": 1, "capacity": 1}), (high, RITA)):
        review_assign(application=application, reviewer=world.reviewer, actor=world.lead)
        scores_save(application=application, reviewer=world.reviewer, entries=entries(world, values))
        scores_submit(application=application, reviewer=world.reviewer)
    client = client_for(world.lead)
    assert row_ids(client.get(f"{QUEUE}?sort=-score")) == [high.pk, low.pk, unscored.pk]
    assert row_ids(client.get(f"{QUEUE}?sort=score")) == [low.pk, high.pk, unscored.pk]


# --- Pages and the query budget ---------------------------------------------------------------


def test_pages_of_fifty(world):
    for _ in range(51):
        bare_application(world.program)
    client = client_for(world.manager)
    first = client.get(QUEUE)
    assert len(row_ids(first)) == 50
    assert "Page 1 of 2" in text_of(first)
    second = client.get(f"{QUEUE}?page=2&sort=firm")
    assert len(row_ids(second)) == 1
    # A page number out of range shows the last page rather than failing.
    assert len(row_ids(client.get(f"{QUEUE}?page=99"))) == 1
    assert client.get(f"{QUEUE}?page=abc").status_code == 200


def _queue_queries(client, url=QUEUE) -> int:
    client.get(url)  # warm caches (session, content types) so both runs count alike
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("who", ["manager", "reviewer"])
def test_queue_query_count_does_not_grow_with_the_page(world, who):
    def add(n):
        for _ in range(n):
            application = bare_application(world.program)
            review_assign(application=application, reviewer=world.reviewer, actor=world.lead)

    user = getattr(world, who)
    client = client_for(user)
    add(1)
    world.program.target_countries.add("JP")
    url = f"{QUEUE}?overdue=&country=JP&sort=-score"
    one = _queue_queries(client, url)
    add(49)
    fifty = _queue_queries(client, url)
    assert len(row_ids(client.get(url))) == 50
    assert one == fifty, (one, fifty)


def test_my_work_query_count_does_not_grow_with_the_page(world):
    def add(n):
        for _ in range(n):
            application = bare_application(world.program)
            review_assign(application=application, reviewer=world.reviewer, actor=world.lead)

    client = client_for(world.reviewer)
    add(1)
    one = _queue_queries(client, "/en/officer/mine/")
    add(49)
    fifty = _queue_queries(client, "/en/officer/mine/")
    assert one == fifty, (one, fifty)


# --- My work ----------------------------------------------------------------------------------


def test_my_work_lists_what_waits_for_me_oldest_first(world):
    newer = bare_application(world.program, days_waiting=2)
    older = bare_application(world.program, days_waiting=10)
    someone_elses = bare_application(world.program, days_waiting=20)
    for application in (newer, older):
        review_assign(application=application, reviewer=world.reviewer, actor=world.lead)
    review_assign(application=someone_elses, reviewer=world.second_reviewer, actor=world.lead)

    response = client_for(world.reviewer).get("/en/officer/mine/")

    assert row_ids(response) == [older.pk, newer.pk]
    assert "Your scores are due" in text_of(response)


def test_scored_applications_leave_my_work(world):
    application = application_in(world.program, Status.UNDER_REVIEW)
    review_assign(application=application, reviewer=world.reviewer, actor=world.lead)
    client = client_for(world.reviewer)
    assert row_ids(client.get("/en/officer/mine/")) == [application.pk]
    scores_save(application=application, reviewer=world.reviewer, entries=entries(world, RITA))
    scores_submit(application=application, reviewer=world.reviewer)
    assert row_ids(client.get("/en/officer/mine/")) == []


def test_an_answered_information_request_comes_back_to_the_officer_who_asked(world):
    application = application_in(world.program, Status.UNDER_REVIEW)
    application_request_info(application=application, actor=world.plain_officer, message="Send the quotation")
    client = client_for(world.plain_officer)
    assert row_ids(client.get("/en/officer/mine/")) == []

    application_answer_info(application=application, actor=firm_staff_of(application), answer="Attached")

    response = client.get("/en/officer/mine/")
    assert row_ids(response) == [application.pk]
    assert "The firm answered your request" in text_of(response)
    # Not for another officer of the program.
    assert row_ids(client_for(world.reviewer).get("/en/officer/mine/")) == []


def test_the_lead_sees_reviews_to_start_and_decisions_to_take(world):
    waiting = application_in(world.program, Status.ELIGIBLE)
    ready = application_in(world.program, Status.UNDER_REVIEW)
    review_assign(application=ready, reviewer=world.reviewer, actor=world.lead)
    scores_save(application=ready, reviewer=world.reviewer, entries=entries(world, RITA))
    scores_submit(application=ready, reviewer=world.reviewer)
    in_progress = application_in(world.program, Status.UNDER_REVIEW)
    review_assign(application=in_progress, reviewer=world.second_reviewer, actor=world.lead)

    response = client_for(world.lead).get("/en/officer/mine/")

    assert set(row_ids(response)) == {waiting.pk, ready.pk}
    page = text_of(response)
    assert "Review to start (you lead)" in page
    assert "All scores in: decide (you lead)" in page
    # A plain officer of the program has none of that.
    assert row_ids(client_for(world.plain_officer).get("/en/officer/mine/")) == []


def test_queue_marks_overdue_rows(world):
    late = bare_application(world.program, status=Status.ELIGIBLE, days_waiting=world.program.review_target_days + 1)
    bare_application(world.program, status=Status.ELIGIBLE, days_waiting=1)
    page = client_for(world.manager).get(QUEUE).content.decode()
    assert f'<tr data-application="{late.pk}" class="overdue">' in page
    assert page.count('class="overdue"') == 1
    assert Application.objects.count() == 2
