from __future__ import annotations

import pytest

from applications import services
from applications.workflow import Status
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def test_happy_path_from_draft_to_completed(firm, firm_staff, program, officer) -> None:
    app = ApplicationFactory(program=program, firm=firm)
    services.application_submit(application=app, actor=firm_staff)
    services.application_screen(application_id=app.pk)
    app.refresh_from_db()
    assert app.status == Status.ELIGIBLE, app.eligibility_results
    services.application_start_review(application=app, actor=officer)
    services.application_approve(application=app, actor=officer, units=5_000_000, reason="Strong plan")
    program.refresh_from_db()
    assert program.allocated == 5_000_000
    services.application_withdraw(application=app, actor=firm_staff)
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
