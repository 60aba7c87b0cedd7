"""An officer's day in a real browser: Playwright driving Debian's Chromium against
pytest-django's live server.

Never run ``playwright install``: the browser is /usr/bin/chromium from ``apt-get install
chromium``. On CI (CI=true) a missing Chromium fails this test instead of skipping it. A
failing test leaves a full-page screenshot in test-artifacts/screenshots/; with
BROWSER_SCREENSHOTS=1 the journey also saves one per step.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from applications.casework.services import application_answer_info
from applications.workflow import Status
from notifications.models import Notification
from reviews.models import AssignmentStatus, ReviewAssignment, RubricCriterion
from reviews.services import review_assign
from sme_support.roles import Role
from tests.factories import FirmFactory, ProgramFactory, assign_officer, user_in_group
from tests.reviews.conftest import application_in, firm_staff_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Sunflower-Harbour-42"


def status_text(page: Any) -> str:
    return page.locator("#application-status").inner_text().strip()


def test_officer_filters_scores_asks_for_information_and_approves(page: Any) -> None:
    voucher = ProgramFactory(title_en="Design export voucher", title_ko="디자인 수출바우처")
    games = ProgramFactory(title_en="Games market entry", title_ko="게임 해외진출")
    for code, label, weight, scale in (("market", "Market potential", "3", 5), ("plan", "Export plan", "1", 10)):
        RubricCriterion.objects.create(
            program=voucher, code=code, label_en=label, label_ko=label, weight=Decimal(weight), scale_max=scale
        )
    officer = user_in_group(Role.OFFICER, username="lena@agency.test", password=PASSWORD, first_name="Lena")
    assign_officer(voucher, officer, lead=True)
    assign_officer(games, officer, lead=True)
    application = application_in(
        voucher, Status.UNDER_REVIEW, firm=FirmFactory(name_en="Hanok Design Studio"), requested_units=8_000_000
    )
    other = application_in(games, Status.UNDER_REVIEW, firm=FirmFactory(name_en="Pixel Tiger Games"))
    review_assign(application=application, reviewer=officer, actor=officer)

    # Log in; the workspace is where the login sends the officer back to.
    page.goto("/en/officer/")
    page.fill("#id_username", "lena@agency.test")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    page.get_by_role("heading", name="Review queue").wait_for()
    assert page.locator(f'tr[data-application="{other.pk}"]').count() == 1
    page.snap("1-queue")

    # Filter by program.
    page.get_by_text("Filter and sort").click()
    page.get_by_label("Program").select_option(label="Design export voucher")
    with page.expect_navigation():
        page.get_by_role("button", name="Apply").click()
    assert page.locator(f'tr[data-application="{application.pk}"]').count() == 1
    assert page.locator(f'tr[data-application="{other.pk}"]').count() == 0
    page.snap("2-filtered")

    # Open the application and score it.
    page.get_by_role("link", name=str(application)).click()
    page.get_by_role("heading", name="Review", exact=True).wait_for()
    assert status_text(page) == "Under review"
    page.get_by_role("link", name="Score this application").click()
    page.get_by_label("Score for “Market potential”").fill("4")
    page.get_by_label("Comment on “Market potential”").fill("Strong demand in Japan")
    page.get_by_label("Score for “Export plan”").fill("7")
    page.snap("3-score-form")
    with page.expect_navigation():
        page.get_by_role("button", name="Submit and lock my scores").click()
    assert "Your scores are submitted and locked." in page.content()
    # (3·4/5 + 1·7/10) / 4 × 100 = 77.5
    assert "77.50" in page.locator("#application-score").inner_text()
    assert ReviewAssignment.objects.get(application=application).status == AssignmentStatus.SUBMITTED

    # Ask the firm for more information.
    page.get_by_text("Request information from the firm").click()
    page.get_by_label("What do you need from the firm?").fill("Please send the quotation from the booth builder.")
    with page.expect_navigation():
        page.get_by_role("button", name="Send the request").click()
    assert status_text(page) == "Information requested"
    assert Notification.objects.filter(user=firm_staff_of(application), kind="info_requested").exists()
    page.snap("4-info-requested")

    # The firm answers in the portal (its service), and the application is back.
    application_answer_info(
        application=application, actor=firm_staff_of(application), answer="The quotation is attached: 7.8M KRW."
    )
    page.reload()
    assert status_text(page) == "Under review"
    assert "The quotation is attached: 7.8M KRW." in page.locator("#info-requests").inner_text()

    # Approve.
    page.get_by_text("Decide", exact=True).click()
    page.get_by_label("Decision").select_option("approve")
    assert page.get_by_label("Units to grant").input_value() == "8000000"
    page.get_by_label("Reason (the firm reads it)").fill("A clear plan for a market we target.")
    with page.expect_navigation():
        page.get_by_role("button", name="Record the decision").click()
    assert status_text(page) == "Approved"
    assert "Decision recorded: Approved." in page.content()
    page.snap("5-approved")
    application.refresh_from_db()
    assert application.status == Status.APPROVED
    assert application.allocation.units == 8_000_000
