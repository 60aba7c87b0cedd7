"""Browser journeys through the portal: Playwright driving Debian's Chromium against
pytest-django's live server.

Never run ``playwright install``: the browser is /usr/bin/chromium from ``apt-get install
chromium``. On CI (CI=true) a missing Chromium fails these tests instead of skipping them.
A failing test leaves a full-page screenshot in test-artifacts/screenshots/; with
BROWSER_SCREENSHOTS=1 every journey also saves one per step.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core import mail

from applications.casework.services import application_request_info
from applications.decisions.grants import application_withdraw
from applications.decisions.moves import application_approve, application_waitlist
from applications.eligibility.screening import application_screen
from applications.intake.services import application_create, application_submit
from applications.models import Application
from applications.workflow import Status
from notifications.models import UserPreference
from sme_support.roles import Role
from tests.factories import FirmFactory, ProgramFactory, assign_officer, firm_user, make_brn, user_in_group
from tests.portal.conftest import PDF_BYTES, under_review

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Sunflower-Harbour-42"


@pytest.fixture
def pdf_file(tmp_path: Path) -> Path:
    path = tmp_path / "export-plan.pdf"
    path.write_bytes(PDF_BYTES)
    return path


def login(page: Any, email: str, password: str = PASSWORD, prefix: str = "/en") -> None:
    page.goto(f"{prefix}/portal/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()


def status_text(page: Any) -> str:
    return page.locator("#application-status").inner_text().strip()


def open_programs() -> tuple[Any, Any]:
    voucher = ProgramFactory(title_en="Design export voucher", title_ko="디자인 수출바우처")
    games = ProgramFactory(title_en="Games market entry", title_ko="게임 해외진출", target_sectors=["games"])
    return voucher, games


def test_a_sign_up_to_submission_and_screening(page: Any, pdf_file: Path) -> None:
    open_programs()

    # Sign up.
    page.goto("/en/portal/signup/")
    page.fill("#id_email", "minji@example.test")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.click("main button[type=submit]")
    page.get_by_role("heading", name="Check your email").wait_for()
    page.snap("1-signup-sent")

    # Verify with the link from the mail.
    link = re.search(r"https?://\S+/portal/verify/\S+", mail.outbox[-1].body).group(0)
    page.goto(link)
    assert "Your email address is verified" in page.content()
    login(page, "minji@example.test")
    page.get_by_role("link", name="Register your firm").first.click()

    # Register the firm.
    page.fill("#id_brn", make_brn(424242))
    page.fill("#id_name_ko", "민지 스튜디오")
    page.fill("#id_name_en", "Minji Studio")
    page.select_option("#id_region", "busan")
    page.fill("#id_founded_on", "2020-05-04")
    page.select_option("#id_sector", "design")
    page.fill("#id_employees", "6")
    page.fill("#id_annual_revenue_krw", "900000000")
    page.fill("#id_exports_last_year_usd", "40000")
    page.get_by_label("Japan", exact=True).check()
    page.snap("2-register-firm")
    page.get_by_role("button", name="Register the firm").click()
    assert "Your firm is registered" in page.content()
    page.snap("3-firm-profile")

    # The catalogue with eligibility badges.
    page.get_by_role("navigation", name="Portal").get_by_role("link", name="Programs").click()
    voucher_card = page.locator(".program-card", has_text="Design export voucher")
    games_card = page.locator(".program-card", has_text="Games market entry")
    assert "Your firm looks eligible" in voucher_card.inner_text()
    assert "does not look eligible" in games_card.inner_text()
    assert "Games" in games_card.inner_text()
    page.snap("4-catalogue")

    # Start an application, upload a document, save the draft.
    voucher_card.get_by_role("link", name="Design export voucher").click()
    page.get_by_role("link", name="Start an application").click()
    page.fill("#id_expense_market_research", "8000000")
    page.fill("#id_expense_translation", "2000000")
    page.fill("#id_plan", "Trade fairs in Tokyo and Osaka; Japanese catalogue.")
    page.get_by_role("button", name="Save draft").click()
    assert "Your draft was saved" in page.content()
    assert "₩7,000,000" in page.content()
    page.select_option("#id_doc_type", "export_plan")
    page.set_input_files("#id_file", str(pdf_file))
    page.get_by_role("button", name="Upload").click()
    assert "export-plan.pdf" in page.locator("#documents").inner_text()
    page.snap("5-draft-with-document")

    # Log out and back in; the draft is there.
    page.locator(".site-header").get_by_role("button", name="Log out").click()
    assert "You have logged out" in page.content()
    login(page, "minji@example.test")
    page.get_by_role("link", name="Design export voucher").first.click()
    page.get_by_role("link", name="Review and submit").click()

    # Submit with the confirmation step.
    page.get_by_label(re.compile("I confirm that this application")).check()
    page.snap("6-review")
    page.get_by_role("button", name="Submit the application").click()
    receipt = page.locator("#receipt-number").inner_text()
    assert re.fullmatch(r"R\d{4}-\d{7}", receipt)
    assert status_text(page) == "Submitted"

    # Screening (the worker's job; its wiring is tested with a real worker elsewhere).
    application = Application.objects.get(receipt_number=receipt)
    application_screen(application_id=application.pk)
    page.reload()
    assert status_text(page) == "Eligible"
    assert "Screening" in page.locator(".timeline").inner_text()
    page.snap("7-eligible")


@pytest.fixture
def firm_member() -> Any:
    firm = FirmFactory(name_en="Seoul Lamps", name_ko="서울 램프")
    user = firm_user(firm, username="staff@example.test", email="staff@example.test", password=PASSWORD)
    return firm, user


def test_b_answer_an_information_request(page: Any, firm_member: Any, pdf_file: Path) -> None:
    firm, user = firm_member
    program = ProgramFactory(title_en="Lighting fair voucher")
    officer = user_in_group(Role.OFFICER)
    assign_officer(program, officer, lead=True)
    application = application_create(
        program=program, firm=firm, actor=user, requested_units=5_000_000, answers={"plan": "Milan"}
    )
    under_review(application, user, officer)
    application_request_info(application=application, actor=officer, message="Please send last year's export record.")

    login(page, "staff@example.test")
    assert "Officers are waiting for your answer" in page.content()
    page.get_by_role("link", name="Lighting fair voucher").first.click()
    assert status_text(page) == "Information requested"
    assert "Please send last year's export record." in page.locator("#info-request").inner_text()
    page.fill("#id_answer", "Attached is our 2025 export record.")
    page.select_option("#id_doc_type", "export_record")
    page.set_input_files("#id_file", str(pdf_file))
    page.snap("1-answer")
    page.get_by_role("button", name="Send the answer").click()
    assert "Your answer was sent" in page.content()
    assert status_text(page) == "Under review"
    thread = page.locator(".thread").inner_text()
    assert "Attached is our 2025 export record." in thread
    assert "export-plan.pdf" in thread
    page.snap("2-answered")


def test_c_withdraw(page: Any, firm_member: Any) -> None:
    firm, user = firm_member
    program = ProgramFactory(title_en="Withdrawable voucher")
    application = application_create(
        program=program, firm=firm, actor=user, requested_units=5_000_000, answers={"plan": "x"}
    )
    application_submit(application=application, actor=user)

    login(page, "staff@example.test")
    page.goto(f"/en/portal/applications/{application.pk}/")
    page.get_by_role("link", name="Withdraw this application").click()
    page.get_by_label(re.compile("Yes, withdraw")).check()
    page.snap("1-confirm")
    page.get_by_role("button", name="Withdraw").click()
    assert status_text(page) == "Withdrawn"
    application.refresh_from_db()
    assert application.status == Status.WITHDRAWN


def test_d_submit_in_korean(page: Any, firm_member: Any) -> None:
    firm, user = firm_member
    program = ProgramFactory(title_en="Korean journey voucher", title_ko="한국어 여정 바우처")
    application = application_create(
        program=program,
        firm=firm,
        actor=user,
        requested_units=7_000_000,
        answers={"expenses": {"market_research": 10_000_000}, "total_cost_krw": 10_000_000, "plan": "도쿄 진출"},
    )
    login(page, "staff@example.test")
    # Switch to Korean with the header's switcher.
    page.select_option("#language-select", "ko")
    with page.expect_navigation():
        page.locator("form[action='/i18n/setlang/'] button").click()
    assert "/en/" not in page.url
    assert page.locator("html").get_attribute("lang") == "ko"
    assert UserPreference.objects.get(user=user).language == "ko"

    page.goto(f"/portal/applications/{application.pk}/submit/")
    assert page.locator("html").get_attribute("lang") == "ko"
    assert "한국어 여정 바우처" in page.content()
    page.check("#id_confirm")
    with page.expect_navigation():
        page.locator("main form button.primary").click()
    assert "/en/" not in page.url
    assert page.locator("html").get_attribute("lang") == "ko"
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert page.locator("#receipt-number").inner_text() == application.receipt_number
    assert "10,000,000원" in page.content() or "7,000,000원" in page.content()
    page.snap("1-korean-submitted")

    # The choice is remembered: after logging out and in again the portal is in Korean.
    with page.expect_navigation():
        page.locator(".site-header form[action*='logout'] button").click()
    login(page, "staff@example.test")
    assert "/en/" not in page.url
    assert page.locator("html").get_attribute("lang") == "ko"


def test_e_unsaved_typing_survives_in_this_browser_until_saved(page: Any, firm_member: Any) -> None:
    firm, user = firm_member
    program = ProgramFactory(title_en="Autosave voucher")
    application = application_create(
        program=program,
        firm=firm,
        actor=user,
        requested_units=7_000_000,
        answers={"expenses": {"market_research": 10_000_000}, "total_cost_krw": 10_000_000, "plan": "Saved plan"},
    )
    edit = f"/en/portal/applications/{application.pk}/edit/"
    login(page, "staff@example.test")
    page.goto(edit)
    page.fill("#id_plan", "Unsaved plan the browser must keep")
    # The tab is left before "Save draft" (closed, crashed, network gone): come back.
    page.goto(f"/en/portal/applications/{application.pk}/")
    page.goto(edit)
    assert page.input_value("#id_plan") == "Unsaved plan the browser must keep"
    assert page.locator(".autosave-notice").is_visible()
    page.snap("1-restored")
    # Saving on the server drops the browser's copy.
    page.get_by_role("button", name="Save draft").click()
    assert "Your draft was saved" in page.content()
    assert page.locator(".autosave-notice").count() == 0
    kept = page.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith('sme-support:autosave:'))")
    assert kept == []
    application.refresh_from_db()
    assert application.answers["plan"] == "Unsaved plan the browser must keep"
    # A copy older than the server's last save is not restored over it.
    page.fill("#id_plan", "Old typing")
    application.answers = {**application.answers, "plan": "A colleague's newer plan"}
    application.save()
    page.goto(edit)
    assert page.input_value("#id_plan") == "A colleague's newer plan"


def test_f_answer_a_place_offered_from_the_waitlist(page: Any, firm_member: Any) -> None:
    from applications.models import WaitlistOffer
    from programs.models import SelectionMode

    firm, user = firm_member
    show = ProgramFactory(
        trade_show=True, capacity=2, per_firm_cap=2, selection_mode=SelectionMode.FCFS, title_en="Lighting pavilion"
    )
    officer = user_in_group(Role.OFFICER)
    assign_officer(show, officer, lead=True)
    other = FirmFactory()
    other_user = firm_user(other)
    holder = application_create(program=show, firm=other, actor=other_user, requested_units=2, answers={"booths": 2})
    ours = application_create(program=show, firm=firm, actor=user, requested_units=2, answers={"booths": 2})
    for application in (holder, ours):
        Application.objects.filter(pk=application.pk).update(status=Status.UNDER_REVIEW)
        application.refresh_from_db()
    application_approve(application=holder, actor=officer, units=2, reason="First in")
    application_waitlist(application=ours, actor=officer, reason="The pavilion is full")
    application_withdraw(application=holder, actor=other_user)
    offer = WaitlistOffer.objects.get(application=ours, status=WaitlistOffer.State.OFFERED)

    login(page, "staff@example.test")
    assert "A place is offered to you" in page.content()
    page.locator("#offers a").first.click()
    assert status_text(page) == "Waitlisted"
    card = page.locator("#offer").inner_text()
    assert "A place of 2 booths has freed up" in card
    page.snap("1-offer")

    # Decline asks first; the firm changes its mind and keeps the offer.
    page.get_by_role("link", name="Decline…").click()
    page.get_by_role("heading", name="Decline the offered place").wait_for()
    page.snap("2-decline-confirm")
    page.get_by_role("link", name="Keep the offer").click()
    assert status_text(page) == "Waitlisted"

    page.get_by_role("button", name="Accept the place").click()
    assert "You accepted the place" in page.content()
    assert status_text(page) == "Approved"
    assert page.locator("#offer").count() == 0
    timeline = page.locator(".timeline").inner_text()
    assert "A place was offered from the waitlist" in timeline
    assert "Approved: you accepted the offered place" in timeline
    page.snap("3-accepted")
    offer.refresh_from_db()
    assert offer.status == WaitlistOffer.State.ACCEPTED


def test_g_an_officer_logging_in_at_the_portal_lands_in_the_workspace(page: Any) -> None:
    user_in_group(Role.OFFICER, username="officer@example.test", email="officer@example.test", password=PASSWORD)
    login(page, "officer@example.test")
    assert page.url.endswith("/en/officer/")
    # A portal page sends them back to the workspace with a link.
    page.goto("/en/portal/")
    page.locator("#officer-workspace-link").click()
    assert page.url.endswith("/en/officer/")
