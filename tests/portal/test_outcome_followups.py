"""The outcome report's buyer-meeting rows and the 6- and 12-month follow-ups, as the firm sees them."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from applications.decisions.moves import application_approve
from applications.intake.services import application_create
from applications.models import BuyerMeeting, OutcomeFollowUp, OutcomeReport
from applications.outcomes import services as outcomes
from tests.factories import ApplicationFactory
from tests.portal.conftest import past_event, under_review

pytestmark = pytest.mark.django_db

REPORT = {
    "buyer_meetings": "0",
    "consultation_usd": "0",
    "contracts_usd": "80000",
    "ip_filed": "0",
    "narrative": "Met distributors.",
}


@pytest.fixture
def officer_of_show(trade_show: Any) -> Any:
    from sme_support.roles import Role
    from tests.factories import assign_officer, user_in_group

    user = user_in_group(Role.OFFICER)
    assign_officer(trade_show, user, lead=True)
    return user


@pytest.fixture
def approved_show(firm: Any, firm_staff: Any, trade_show: Any, officer_of_show: Any) -> Any:
    application = application_create(
        program=trade_show, firm=firm, actor=firm_staff, requested_units=2, answers={"booths": 2, "products": "Lamps"}
    )
    under_review(application, firm_staff, officer_of_show)
    application_approve(application=application, actor=officer_of_show, units=2, reason="Strong portfolio")
    application.refresh_from_db()
    return application


def meeting_rows(*rows: dict[str, str], total: int | None = None, initial: int = 0) -> dict[str, str]:
    data = {
        "meetings-TOTAL_FORMS": str(total if total is not None else len(rows)),
        "meetings-INITIAL_FORMS": str(initial),
        "meetings-MIN_NUM_FORMS": "0",
        "meetings-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data.update({f"meetings-{i}-{key}": value for key, value in row.items()})
    return data


def outcome_url(application: Any) -> str:
    return reverse("portal:outcome_report", kwargs={"pk": application.pk})


def test_the_form_offers_empty_meeting_rows(portal_client: Any, approved_show: Any) -> None:
    body = portal_client.get(outcome_url(approved_show)).content.decode()
    assert 'name="meetings-TOTAL_FORMS"' in body
    assert 'name="meetings-2-buyer_name"' in body
    assert 'name="meetings-0-country"' in body


def test_saving_meeting_rows_recomputes_the_totals(portal_client: Any, approved_show: Any) -> None:
    data = {
        **REPORT,
        **meeting_rows(
            {"buyer_name": "Maison Lumière", "country": "FR", "held": "on", "consultation_usd": "120000"},
            {
                "buyer_name": "Berlin Licht",
                "country": "DE",
                "held": "on",
                "consultation_usd": "30000",
                "note": "Samples",
            },
            {"buyer_name": "No Show GmbH", "country": "DE", "consultation_usd": ""},
            {"buyer_name": "", "country": "", "held": "on", "consultation_usd": ""},
            total=4,
        ),
        "action": "save",
    }
    response = portal_client.post(outcome_url(approved_show), data)
    assert response.status_code == 302
    report = OutcomeReport.objects.get(application=approved_show)
    assert report.buyer_meetings == 2
    assert report.consultation_usd == 150000
    assert report.contracts_usd == 80000
    assert list(report.meetings.values_list("buyer_name", "held")) == [
        ("Maison Lumière", True),
        ("Berlin Licht", True),
        ("No Show GmbH", False),
    ]
    # The saved rows come back on the page, followed by empty ones.
    body = portal_client.get(outcome_url(approved_show)).content.decode()
    assert 'value="Maison Lumière"' in body
    assert 'name="meetings-INITIAL_FORMS" value="3"' in body
    # Removing a row recomputes again.
    data = {
        **REPORT,
        **meeting_rows(
            {"buyer_name": "Maison Lumière", "country": "FR", "held": "on", "consultation_usd": "120000"},
            {"buyer_name": "Berlin Licht", "country": "DE", "held": "on", "consultation_usd": "30000", "DELETE": "on"},
            {"buyer_name": "No Show GmbH", "country": "DE", "consultation_usd": ""},
            initial=3,
        ),
        "action": "save",
    }
    assert portal_client.post(outcome_url(approved_show), data).status_code == 302
    report.refresh_from_db()
    assert (report.buyer_meetings, report.consultation_usd) == (1, 120000)
    assert report.meetings.count() == 2


def test_a_no_show_with_an_amount_is_refused_and_the_input_stays(portal_client: Any, approved_show: Any) -> None:
    data = {
        **REPORT,
        **meeting_rows({"buyer_name": "Ghost Buyer Ltd", "country": "FR", "consultation_usd": "5000"}),
        "action": "save",
    }
    response = portal_client.post(outcome_url(approved_show), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "A buyer who did not show up cannot have a consultation amount." in body
    assert 'value="Ghost Buyer Ltd"' in body
    assert not BuyerMeeting.objects.exists()


def test_a_bad_row_keeps_every_input(portal_client: Any, approved_show: Any) -> None:
    data = {
        **REPORT,
        **meeting_rows({"buyer_name": "Keep Me Co", "country": "", "held": "on", "consultation_usd": "-3"}),
        "action": "save",
    }
    response = portal_client.post(outcome_url(approved_show), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="Keep Me Co"' in body
    assert "Met distributors." in body
    assert not OutcomeReport.objects.exists()


def test_submitted_report_lists_its_meetings(portal_client: Any, approved_show: Any) -> None:
    past_event(approved_show.program)
    data = {
        **REPORT,
        **meeting_rows({"buyer_name": "Maison Lumière", "country": "FR", "held": "on", "consultation_usd": "10"}),
        "action": "submit",
    }
    portal_client.post(outcome_url(approved_show), data)
    body = portal_client.get(outcome_url(approved_show)).content.decode()
    assert "Maison Lumière" in body
    assert 'name="meetings-TOTAL_FORMS"' not in body


def test_another_firms_outcome_report_is_404(client: Any, other_staff: Any, approved_show: Any) -> None:
    client.force_login(other_staff)
    assert client.get(outcome_url(approved_show)).status_code == 404
    data = {**REPORT, **meeting_rows({"buyer_name": "X", "country": "FR", "held": "on"}), "action": "save"}
    assert client.post(outcome_url(approved_show), data).status_code == 404
    assert not OutcomeReport.objects.exists()


# --- Follow-ups ---------------------------------------------------------------------------------


@pytest.fixture
def accepted_report(approved_show: Any, firm_staff: Any, officer_of_show: Any) -> OutcomeReport:
    past_event(approved_show.program)
    report = outcomes.outcome_report_submit(application=approved_show, actor=firm_staff, contracts_usd=100)
    return outcomes.outcome_report_accept(report=report, actor=officer_of_show)


def followup_url(application: Any, months: int) -> str:
    return reverse("portal:outcome_followup", kwargs={"pk": application.pk, "months": months})


def detail(client: Any, application: Any) -> str:
    return client.get(reverse("portal:application_detail", kwargs={"pk": application.pk})).content.decode()


def test_no_followups_before_the_report_is_accepted(portal_client: Any, approved_show: Any) -> None:
    assert "Follow-up reports" not in detail(portal_client, approved_show)
    assert portal_client.post(followup_url(approved_show, 6), {"followup-6-contracts_usd": "1"}).status_code == 404


def test_followups_show_with_due_dates_and_can_be_submitted(
    portal_client: Any, approved_show: Any, accepted_report: OutcomeReport
) -> None:
    six = accepted_report.followups.get(months=6)
    body = detail(portal_client, approved_show)
    assert "Follow-up reports" in body
    assert "6 months" in body and "12 months" in body
    assert 'name="followup-6-contracts_usd"' in body
    response = portal_client.post(
        followup_url(approved_show, 6), {"followup-6-contracts_usd": "250000", "followup-6-note": "Two orders"}
    )
    assert response.status_code == 302
    six.refresh_from_db()
    assert six.status == OutcomeFollowUp.FollowUpStatus.SUBMITTED
    assert (six.contracts_usd, six.note) == (250000, "Two orders")
    assert accepted_report.followups.get(months=12).status == OutcomeFollowUp.FollowUpStatus.DRAFT


def test_followup_errors_are_shown_and_keep_input(
    portal_client: Any, approved_show: Any, accepted_report: OutcomeReport
) -> None:
    response = portal_client.post(
        followup_url(approved_show, 12), {"followup-12-contracts_usd": "-1", "followup-12-note": "Keep this note"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Keep this note" in body
    assert "greater than or equal to 0" in body
    assert accepted_report.followups.get(months=12).status == OutcomeFollowUp.FollowUpStatus.DRAFT


def test_an_accepted_followup_is_read_only(
    portal_client: Any, approved_show: Any, accepted_report: OutcomeReport, firm_staff: Any, officer_of_show: Any
) -> None:
    six = accepted_report.followups.get(months=6)
    outcomes.outcome_followup_submit(followup=six, actor=firm_staff, contracts_usd=10)
    outcomes.outcome_followup_accept(followup=six, actor=officer_of_show)
    assert 'name="followup-6-contracts_usd"' not in detail(portal_client, approved_show)
    response = portal_client.post(followup_url(approved_show, 6), {"followup-6-contracts_usd": "99"}, follow=True)
    assert "can no longer be changed" in response.content.decode()
    six.refresh_from_db()
    assert six.contracts_usd == 10


def test_followups_are_scoped_to_the_firm(
    client: Any, other_staff: Any, approved_show: Any, accepted_report: OutcomeReport
) -> None:
    client.force_login(other_staff)
    assert client.post(followup_url(approved_show, 6), {"followup-6-contracts_usd": "5"}).status_code == 404
    assert accepted_report.followups.get(months=6).status == OutcomeFollowUp.FollowUpStatus.DRAFT


def test_followup_needs_post_and_csrf(
    portal_client: Any, firm_staff: Any, approved_show: Any, accepted_report: OutcomeReport
) -> None:
    from django.test import Client

    assert portal_client.get(followup_url(approved_show, 6)).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(firm_staff)
    assert strict.post(followup_url(approved_show, 6), {"followup-6-contracts_usd": "5"}).status_code == 403


def test_other_firms_application_ids_do_not_leak(portal_client: Any, other_firm: Any, trade_show: Any) -> None:
    theirs = ApplicationFactory(firm=other_firm, program=trade_show)
    assert portal_client.post(followup_url(theirs, 6), {"followup-6-contracts_usd": "5"}).status_code == 404
