"""The application admin: scoped to the officer's programs, read-only, history untouchable."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from applications.admin.records import ProgramFilter
from applications.models import Allocation, Application, OutcomeReport, StatusChange
from applications.workflow import Status
from tests.admin.conftest import application_in, client_for
from tests.factories import FirmFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/applications/application/"


def _change_url(application: Application) -> str:
    return f"{CHANGELIST}{application.pk}/change/"


@pytest.fixture
def mine(program) -> Application:
    return application_in(program, Status.UNDER_REVIEW)


@pytest.fixture
def theirs(other_program) -> Application:
    return application_in(other_program, Status.APPROVED)


def _listed(response) -> set[int]:
    assert response.status_code == 200
    return {application.pk for application in response.context["cl"].result_list}


def test_officer_sees_only_applications_of_their_programs(officer_client, mine, theirs) -> None:
    assert _listed(officer_client.get(CHANGELIST)) == {mine.pk}


def test_manager_sees_every_application(manager_client, mine, theirs) -> None:
    assert _listed(manager_client.get(CHANGELIST)) == {mine.pk, theirs.pk}


def test_another_programs_application_is_not_found_for_an_officer(officer_client, mine, theirs) -> None:
    assert officer_client.get(_change_url(mine)).status_code == 200
    assert officer_client.get(_change_url(theirs)).status_code == 404
    assert officer_client.get(f"{CHANGELIST}{theirs.pk}/history/").status_code == 404
    assert officer_client.get(f"{CHANGELIST}999999/change/").status_code == 404


def test_history_and_allocations_lists_are_scoped_the_same_way(officer_client, manager_client, mine, theirs) -> None:
    history = officer_client.get("/admin/applications/statuschange/")
    assert {row.application_id for row in history.context["cl"].result_list} == {mine.pk}
    assert officer_client.get("/admin/applications/allocation/").context["cl"].result_list.count() == 0
    their_allocation = Allocation.objects.get(application=theirs)
    assert officer_client.get(f"/admin/applications/allocation/{their_allocation.pk}/change/").status_code == 404
    their_change = StatusChange.objects.filter(application=theirs).first()
    assert officer_client.get(f"/admin/applications/statuschange/{their_change.pk}/change/").status_code == 404
    assert manager_client.get(f"/admin/applications/allocation/{their_allocation.pk}/change/").status_code == 200
    assert officer_client.get("/admin/applications/inforequest/").status_code == 200
    assert officer_client.get("/admin/applications/message/").status_code == 200
    assert officer_client.get("/admin/applications/applicationdocument/").status_code == 200
    assert officer_client.get("/admin/applications/outcomereport/").status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "?status=under_review",
        "?status=approved",
        "?program__kind=export_funding",
        "?program__fiscal_year=2026",
        "?firm__sector=design",
        "?firm__size_class=small",
        "?firm__region=seoul",
        "?program=abc",
        "?program=%C2%B2",
        "?q=Creative",
        "?q=R2026",
        "?o=4",
        "?submitted_at__year=2026",
    ],
)
def test_filters_and_search_answer(officer_client, mine, query) -> None:
    assert officer_client.get(CHANGELIST + query).status_code == 200


def test_program_filter_offers_only_the_officers_programs_and_filters(officer_client, mine, theirs, program) -> None:
    response = officer_client.get(f"{CHANGELIST}?program={program.pk}")
    assert _listed(response) == {mine.pk}
    program_filter = next(f for f in response.context["cl"].filter_specs if isinstance(f, ProgramFilter))
    assert [choice[0] for choice in program_filter.lookup_choices] == [str(program.pk)]
    assert _listed(officer_client.get(f"{CHANGELIST}?status=approved")) == set()


def test_search_finds_by_receipt_number_and_firm_name(officer_client, program, mine) -> None:
    other = application_in(program, Status.SUBMITTED)
    assert _listed(officer_client.get(f"{CHANGELIST}?q={mine.receipt_number}")) == {mine.pk}
    # Quoted: the name's words together, not each word anywhere (a "2" is in every receipt number).
    assert _listed(officer_client.get(f'{CHANGELIST}?q="{other.firm.name_en}"')) == {other.pk}
    assert _listed(officer_client.get(f"{CHANGELIST}?q={other.firm.brn}")) == {other.pk}
    assert _listed(officer_client.get(f"{CHANGELIST}?q={other.firm.brn_display}")) == {other.pk}


def test_status_cannot_be_changed_through_the_change_form(officer_client, superuser_client, mine) -> None:
    page = officer_client.get(_change_url(mine))
    assert page.status_code == 200
    assert 'name="status"' not in page.content.decode()
    for client in (officer_client, superuser_client):
        response = client.post(
            _change_url(mine),
            {"status": Status.APPROVED, "requested_units": 1, "_save": "Save"},
        )
        assert response.status_code == 403
    mine.refresh_from_db()
    assert mine.status == Status.UNDER_REVIEW
    assert mine.requested_units == 10_000_000
    assert not mine.history.filter(to_status=Status.APPROVED).exists()


def test_applications_cannot_be_added_or_deleted_in_admin(superuser_client, mine) -> None:
    assert superuser_client.get(f"{CHANGELIST}add/").status_code == 403
    assert superuser_client.get(f"{CHANGELIST}{mine.pk}/delete/").status_code == 403
    response = superuser_client.post(CHANGELIST, {"action": "delete_selected", "_selected_action": [mine.pk]})
    assert Application.objects.filter(pk=mine.pk).exists()
    assert response.status_code in (200, 302)


def test_history_inline_is_read_only(officer_client, superuser_client, mine) -> None:
    for client in (officer_client, superuser_client):
        response = client.get(_change_url(mine))
        inlines = {formset.opts.model: formset for formset in response.context["inline_admin_formsets"]}
        history = inlines[StatusChange]
        assert not history.has_add_permission
        assert not history.has_change_permission
        assert not history.has_delete_permission
        assert len(history.formset.forms) == mine.history.count() == 4
        assert 'name="history-0-note"' not in response.content.decode()
        for model, formset in inlines.items():
            assert not formset.has_add_permission, model
            assert not formset.has_delete_permission, model


def test_history_admin_is_read_only_even_for_a_superuser(superuser_client, mine) -> None:
    change = mine.history.first()
    assert superuser_client.get("/admin/applications/statuschange/add/").status_code == 403
    assert superuser_client.get(f"/admin/applications/statuschange/{change.pk}/delete/").status_code == 403
    response = superuser_client.post(
        f"/admin/applications/statuschange/{change.pk}/change/", {"note": "rewritten", "to_status": "approved"}
    )
    assert response.status_code == 403
    change.refresh_from_db()
    assert change.note != "rewritten"


def test_change_page_offers_the_actions_possible_from_the_status(officer_client, mine) -> None:
    response = officer_client.get(_change_url(mine))
    offered = [name for name, _label in response.context["workflow_actions"]]
    assert offered == ["request_info", "approve", "waitlist", "reject"]


def test_changelist_queries_do_not_grow_with_rows(officer_client, program) -> None:
    application_in(program, Status.UNDER_REVIEW)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert officer_client.get(CHANGELIST).status_code == 200
        return len(queries)

    one = count()
    for _ in range(4):
        application_in(program, Status.APPROVED)
    assert count() == one


def test_history_list_queries_do_not_grow_with_rows(manager_client, program, other_program) -> None:
    application_in(program, Status.UNDER_REVIEW)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert manager_client.get("/admin/applications/statuschange/").status_code == 200
        return len(queries)

    one = count()
    for _ in range(3):
        application_in(other_program, Status.APPROVED)
    assert count() == one


def test_officer_sees_the_firm_registry(officer_client, mine) -> None:
    FirmFactory()
    response = officer_client.get("/admin/firms/firm/")
    assert response.status_code == 200
    assert officer_client.get(f"/admin/firms/firm/{mine.firm_id}/change/").status_code == 200


def test_officer_change_page_of_own_application_shows_history_in_korean_and_english(officer, mine) -> None:
    client = client_for(officer)
    assert client.get(_change_url(mine)).status_code == 200
    assert client.get("/en" + _change_url(mine)).status_code == 200


def test_outcome_reports_are_shown_but_not_edited_in_admin(officer_client, program) -> None:
    application = application_in(program, Status.APPROVED)
    report = OutcomeReport.objects.create(
        application=application, due_on=timezone.localdate() + dt.timedelta(days=30), buyer_meetings=3
    )
    url = f"/admin/applications/outcomereport/{report.pk}/change/"
    assert officer_client.get(url).status_code == 200
    response = officer_client.post(url, {"status": "accepted", "buyer_meetings": "99", "officer_note": "ok"})
    assert response.status_code == 403
    report.refresh_from_db()
    assert (report.status, report.buyer_meetings) == (OutcomeReport.ReportStatus.DRAFT, 3)
