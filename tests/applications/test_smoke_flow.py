from __future__ import annotations

import pytest

from applications.casework.services import application_start_review
from applications.decisions.grants import application_withdraw
from applications.decisions.moves import application_approve
from applications.eligibility.screening import application_screen
from applications.intake.services import application_submit
from applications.workflow import Status
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def test_happy_path_from_draft_to_completed(firm, firm_staff, program, officer) -> None:
    app = ApplicationFactory(program=program, firm=firm)
    application_submit(application=app, actor=firm_staff)
    application_screen(application_id=app.pk)
    app.refresh_from_db()
    assert app.status == Status.ELIGIBLE, app.eligibility_results
    application_start_review(application=app, actor=officer)
    application_approve(application=app, actor=officer, units=5_000_000, reason="Strong plan")
    program.refresh_from_db()
    assert program.allocated == 5_000_000
    application_withdraw(application=app, actor=firm_staff)
    program.refresh_from_db()
    assert program.allocated == 0
    assert [h.to_status for h in app.history.all()] == [
        "submitted",
        "screening",
        "eligible",
        "under_review",
        "approved",
        "withdrawn",
    ]
