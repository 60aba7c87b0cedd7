from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from applications.casework.services import application_start_review
from applications.eligibility.screening import application_screen
from applications.intake.services import application_create, application_submit
from tests.factories import ApplicationFactory, FirmFactory, ProgramFactory, firm_user

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def office_bytes(member: str) -> bytes:
    """A minimal but real OOXML package: a ZIP holding the part that names its kind."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr(member, '<?xml version="1.0"?><root/>')
    return buffer.getvalue()


def pdf_upload(name: str = "plan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


@pytest.fixture(autouse=True)
def _portal_settings(settings: Any, tmp_path: Any) -> Any:
    settings.AXES_ENABLED = True
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    # Tests read the English pages: reverse() then gives /en/… URLs. Korean pages are
    # requested by their unprefixed URLs where a test is about them.
    with translation.override("en"):
        yield


@pytest.fixture
def portal_client(client: Any, firm_staff: Any) -> Any:
    client.force_login(firm_staff)
    return client


@pytest.fixture
def other_firm() -> Any:
    return FirmFactory()


@pytest.fixture
def other_staff(other_firm: Any) -> Any:
    return firm_user(other_firm)


@pytest.fixture
def draft(firm: Any, program: Any, firm_staff: Any) -> Any:
    return application_create(
        program=program,
        firm=firm,
        actor=firm_staff,
        requested_units=7_000_000,
        answers={
            "kind": "export_funding",
            "expenses": {"market_research": 10_000_000},
            "total_cost_krw": 10_000_000,
            "co_funding_share": "30",
            "support_krw": 7_000_000,
            "firm_share_krw": 3_000_000,
            "plan": "Enter the Japanese market with our design catalogue.",
        },
    )


@pytest.fixture
def other_application(other_firm: Any, program: Any) -> Any:
    return ApplicationFactory(firm=other_firm, program=program)


@pytest.fixture
def trade_show() -> Any:
    return ProgramFactory(trade_show=True)


def under_review(application: Any, firm_staff: Any, officer: Any) -> Any:
    application_submit(application=application, actor=firm_staff)
    application_screen(application_id=application.pk)
    application.refresh_from_db()
    application_start_review(application=application, actor=officer)
    return application


def past_event(program: Any) -> None:
    program.event_starts_on = timezone.localdate() - dt.timedelta(days=5)
    program.event_ends_on = timezone.localdate() - dt.timedelta(days=2)
    program.save(update_fields=["event_starts_on", "event_ends_on"])
