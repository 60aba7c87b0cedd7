"""Officers accept or return outcome reports; buyer meetings as records; 6- and 12-month follow-ups."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from applications.errors import InvalidInput, NotPermitted, TransitionNotAllowed
from applications.models import Application, OutcomeFollowUp, OutcomeReport
from applications.outcomes import services as outcomes
from applications.workflow import Status
from notifications.models import Notification
from sme_support.roles import Role
from tests.factories import ApplicationFactory, ProgramFactory, assign_officer, firm_user, user_in_group

pytestmark = pytest.mark.django_db


@pytest.fixture
def show() -> Any:
    program = ProgramFactory(trade_show=True)
    program.event_starts_on = timezone.localdate() - dt.timedelta(days=5)
    program.event_ends_on = timezone.localdate() - dt.timedelta(days=2)
    program.save(update_fields=["event_starts_on", "event_ends_on"])
    return program


@pytest.fixture
def application(show: Any) -> Application:
    application = ApplicationFactory(program=show, requested_units=1)
    Application.objects.filter(pk=application.pk).update(
        status=Status.APPROVED, submitted_at=timezone.now(), decided_at=timezone.now()
    )
    application.refresh_from_db()
    return application


@pytest.fixture
def staff(application: Application) -> Any:
    return firm_user(application.firm)


@pytest.fixture
def officer(show: Any) -> Any:
    user = user_in_group(Role.OFFICER)
    assign_officer(show, user)
    return user


@pytest.fixture
def submitted(application: Application, staff: Any) -> OutcomeReport:
    return outcomes.outcome_report_submit(application=application, actor=staff, buyer_meetings=3, contracts_usd=900)


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- Accept and return ----------------------------------------------------------------------


def test_accepting_completes_the_application_opens_follow_ups_and_tells_the_firm(
    submitted: OutcomeReport, officer: Any, staff: Any
) -> None:
    report = outcomes.outcome_report_accept(report=submitted, actor=officer, note="Thorough.")
    assert report.status == OutcomeReport.ReportStatus.ACCEPTED
    assert report.reviewed_by == officer and report.reviewed_at is not None and report.officer_note == "Thorough."
    report.application.refresh_from_db()
    assert report.application.status == Status.COMPLETED
    today = timezone.localdate()
    due = {f.months: f.due_on for f in report.followups.all()}
    assert due == {6: outcomes.add_months(today, 6), 12: outcomes.add_months(today, 12)}
    assert Notification.objects.filter(user=staff, kind="outcome_report_accepted").exists()


def test_returning_needs_a_note_and_lets_the_firm_resubmit(
    submitted: OutcomeReport, officer: Any, staff: Any, application: Application
) -> None:
    with pytest.raises(InvalidInput):
        outcomes.outcome_report_return(report=submitted, actor=officer, note="  ")
    report = outcomes.outcome_report_return(report=submitted, actor=officer, note="Add the Paris contracts.")
    assert report.status == OutcomeReport.ReportStatus.RETURNED
    assert Notification.objects.filter(user=staff, kind="outcome_report_returned").exists()
    application.refresh_from_db()
    assert application.status == Status.APPROVED
    outcomes.outcome_report_save_draft(application=application, actor=staff, contracts_usd=1500)
    again = outcomes.outcome_report_submit(application=application, actor=staff, contracts_usd=1500)
    assert again.status == OutcomeReport.ReportStatus.SUBMITTED and again.contracts_usd == 1500
    assert outcomes.outcome_report_accept(report=again, actor=officer).status == OutcomeReport.ReportStatus.ACCEPTED


def test_only_a_submitted_report_can_be_reviewed(application: Application, staff: Any, officer: Any) -> None:
    draft = outcomes.outcome_report_save_draft(application=application, actor=staff, buyer_meetings=1)
    with pytest.raises(TransitionNotAllowed):
        outcomes.outcome_report_accept(report=draft, actor=officer)
    with pytest.raises(TransitionNotAllowed):
        outcomes.outcome_report_return(report=draft, actor=officer, note="no")
    draft = outcomes.outcome_report_submit(application=application, actor=staff)
    accepted = outcomes.outcome_report_accept(report=draft, actor=officer)
    with pytest.raises(TransitionNotAllowed):
        outcomes.outcome_report_accept(report=accepted, actor=officer)
    with pytest.raises(TransitionNotAllowed):
        outcomes.outcome_report_return(report=accepted, actor=officer, note="too late")


def test_accepting_a_report_of_an_already_completed_application_keeps_it_completed(
    submitted: OutcomeReport, officer: Any, application: Application
) -> None:
    Application.objects.filter(pk=application.pk).update(status=Status.COMPLETED)
    outcomes.outcome_report_accept(report=submitted, actor=officer)
    application.refresh_from_db()
    assert application.status == Status.COMPLETED


def test_only_the_programs_officers_and_managers_review(submitted: OutcomeReport, staff: Any) -> None:
    stranger = user_in_group(Role.OFFICER)
    assign_officer(ProgramFactory(), stranger)
    with pytest.raises(NotPermitted):
        outcomes.outcome_report_accept(report=submitted, actor=stranger)
    with pytest.raises(NotPermitted):
        outcomes.outcome_report_accept(report=submitted, actor=staff)
    submitted.refresh_from_db()
    assert submitted.status == OutcomeReport.ReportStatus.SUBMITTED
    manager = user_in_group(Role.MANAGER)
    assert outcomes.outcome_report_accept(report=submitted, actor=manager).reviewed_by == manager


# --- The officer page -------------------------------------------------------------------------


def test_the_officer_page_offers_the_review_and_accepts(submitted: OutcomeReport, officer: Any) -> None:
    client = logged_in(officer)
    page = client.get(reverse("reviews:application_detail", kwargs={"pk": submitted.application_id}))
    assert page.status_code == 200
    assert 'id="outcome-review-form"' in page.content.decode()
    url = reverse("reviews:outcome_review", kwargs={"pk": submitted.application_id})
    response = client.post(url, {"decision": "accept", "note": ""})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == OutcomeReport.ReportStatus.ACCEPTED
    page = client.get(reverse("reviews:application_detail", kwargs={"pk": submitted.application_id}))
    assert 'id="outcome-review-form"' not in page.content.decode()


def test_returning_from_the_page_without_a_note_shows_the_error(submitted: OutcomeReport, officer: Any) -> None:
    url = reverse("reviews:outcome_review", kwargs={"pk": submitted.application_id})
    response = logged_in(officer).post(url, {"decision": "return", "note": ""})
    assert response.status_code == 400
    assert "what to change" in response.content.decode()
    response = logged_in(officer).post(url, {"decision": "return", "note": "Add the invoices."})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == OutcomeReport.ReportStatus.RETURNED


def test_the_page_refuses_bad_input_and_other_programs_officers(submitted: OutcomeReport, officer: Any) -> None:
    url = reverse("reviews:outcome_review", kwargs={"pk": submitted.application_id})
    assert logged_in(officer).post(url, {"decision": "maybe"}).status_code == 400
    stranger = user_in_group(Role.OFFICER)
    assign_officer(ProgramFactory(), stranger)
    assert logged_in(stranger).post(url, {"decision": "accept"}).status_code == 404
    submitted.refresh_from_db()
    assert submitted.status == OutcomeReport.ReportStatus.SUBMITTED


def test_the_page_refuses_a_review_when_there_is_no_report(application: Application, officer: Any) -> None:
    url = reverse("reviews:outcome_review", kwargs={"pk": application.pk})
    response = logged_in(officer).post(url, {"decision": "accept"})
    assert response.status_code == 400
    assert "has not written an outcome report" in response.content.decode()


# --- Buyer meetings -----------------------------------------------------------------------------


def test_meeting_records_set_the_totals(application: Application, staff: Any) -> None:
    meetings = [
        outcomes.MeetingInput(buyer_name="Galeries Lafayette", country="FR", consultation_usd=50_000),
        outcomes.MeetingInput(buyer_name="Muji", country="JP", consultation_usd=20_000, note="samples sent"),
        outcomes.MeetingInput(buyer_name="Target", country="US", held=False),
    ]
    report = outcomes.outcome_report_save_draft(
        application=application, actor=staff, buyer_meetings=99, consultation_usd=1, meetings=meetings
    )
    assert (report.buyer_meetings, report.consultation_usd) == (2, 70_000)
    assert report.meetings.count() == 3
    # Saving again without meetings keeps the records, and their totals win over typed figures.
    report = outcomes.outcome_report_submit(application=application, actor=staff, buyer_meetings=7)
    report.refresh_from_db()
    assert (report.buyer_meetings, report.consultation_usd) == (2, 70_000)


def test_meetings_are_replaced_and_bad_ones_refused(application: Application, staff: Any) -> None:
    outcomes.outcome_report_save_draft(
        application=application, actor=staff, meetings=[outcomes.MeetingInput(buyer_name="A", country="FR")]
    )
    with pytest.raises(InvalidInput):
        outcomes.outcome_report_save_draft(
            application=application,
            actor=staff,
            meetings=[outcomes.MeetingInput(buyer_name="B", country="DE", held=False, consultation_usd=10)],
        )
    with pytest.raises(InvalidInput):
        outcomes.outcome_report_save_draft(
            application=application, actor=staff, meetings=[outcomes.MeetingInput(buyer_name=" ", country="DE")]
        )
    report = outcomes.outcome_report_save_draft(
        application=application,
        actor=staff,
        meetings=[outcomes.MeetingInput(buyer_name="C", country="DE", consultation_usd=5)],
    )
    assert [m.buyer_name for m in report.meetings.all()] == ["C"]
    assert (report.buyer_meetings, report.consultation_usd) == (1, 5)


# --- Follow-ups ---------------------------------------------------------------------------------


def test_follow_ups_are_filed_by_the_firm_and_accepted_by_an_officer(
    submitted: OutcomeReport, officer: Any, staff: Any
) -> None:
    outcomes.outcome_report_accept(report=submitted, actor=officer)
    six = OutcomeFollowUp.objects.get(report=submitted, months=6)
    with pytest.raises(TransitionNotAllowed):
        outcomes.outcome_followup_accept(followup=six, actor=officer)
    with pytest.raises(NotPermitted):
        outcomes.outcome_followup_submit(followup=six, actor=officer, contracts_usd=10)
    with pytest.raises(InvalidInput):
        outcomes.outcome_followup_submit(followup=six, actor=staff, contracts_usd=-1)
    six = outcomes.outcome_followup_submit(followup=six, actor=staff, contracts_usd=4_000, note="two more")
    assert six.status == OutcomeFollowUp.FollowUpStatus.SUBMITTED and six.submitted_at is not None
    with pytest.raises(NotPermitted):
        outcomes.outcome_followup_accept(followup=six, actor=staff)
    six = outcomes.outcome_followup_accept(followup=six, actor=officer)
    assert six.status == OutcomeFollowUp.FollowUpStatus.ACCEPTED and six.reviewed_by == officer
    with pytest.raises(TransitionNotAllowed):
        outcomes.outcome_followup_submit(followup=six, actor=staff, contracts_usd=1)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 8, 31), 6, dt.date(2027, 2, 28)),
        (dt.date(2027, 8, 31), 6, dt.date(2028, 2, 29)),
        (dt.date(2026, 1, 15), 12, dt.date(2027, 1, 15)),
        (dt.date(2026, 7, 1), 6, dt.date(2027, 1, 1)),
    ],
)
def test_add_months_clamps_to_the_end_of_the_month(day: dt.date, months: int, expected: dt.date) -> None:
    assert outcomes.add_months(day, months) == expected


def test_statistics_count_new_countries_first_time_exporters_and_accepted_follow_ups(
    submitted: OutcomeReport, officer: Any, staff: Any, application: Application
) -> None:
    from applications.statistics.aggregates import outcome_statistics

    application.firm.exports_last_year_usd = 0
    application.firm.save(update_fields=["exports_last_year_usd"])
    application.program.target_countries.set(["FR", "DE"])
    submitted.new_countries.set(["JP", "US", "VN"])
    outcomes.outcome_report_accept(report=submitted, actor=officer)
    six, twelve = OutcomeFollowUp.objects.filter(report=submitted).order_by("months")
    outcomes.outcome_followup_accept(
        followup=outcomes.outcome_followup_submit(followup=six, actor=staff, contracts_usd=2_000), actor=officer
    )
    outcomes.outcome_followup_submit(followup=twelve, actor=staff, contracts_usd=9_000)  # not accepted yet
    rows = list(outcome_statistics(applications=Application.objects.all(), group_by=["country"]).rows())
    assert [(r["country"], r["reports"], r["contracts_usd"]) for r in rows] == [("DE", 1, 900), ("FR", 1, 900)]
    assert {(r["new_countries"], r["first_time_exporters"], r["followup_contracts_usd"]) for r in rows} == {
        (3, 1, 2_000)
    }
    outcomes.outcome_followup_accept(followup=twelve, actor=officer)
    (total,) = outcome_statistics(applications=Application.objects.all(), group_by=[]).rows()
    assert (total["new_countries"], total["followup_contracts_usd"]) == (3, 9_000)
