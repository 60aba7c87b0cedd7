from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications.intake.documents import (
    DocumentRejected,
    clean_original_name,
    detect_kind,
    document_store,
    validate_upload,
)
from applications.models import ApplicationDocument
from sme_support.roles import Role
from tests.factories import assign_officer, user_in_group
from tests.portal.conftest import JPEG_BYTES, PDF_BYTES, PNG_BYTES, office_bytes, pdf_upload

pytestmark = pytest.mark.django_db

EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200
HTML_BYTES = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def real_xlsx() -> bytes:
    """A workbook as Excel writes it, down to the parts a spreadsheet needs."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            "</Types>",
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        z.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Budget" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>",
        )
        z.writestr(
            "xl/worksheets/sheet1.xml",
            '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Booth</t></is></c><c r="B1"><v>8000000</v></c></row></sheetData></worksheet>',
        )
    return buffer.getvalue()


# --- Content checks -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "content,kind",
    [
        (PDF_BYTES, "pdf"),
        (JPEG_BYTES, "jpeg"),
        (PNG_BYTES, "png"),
        (office_bytes("word/document.xml"), "docx"),
        (office_bytes("xl/workbook.xml"), "xlsx"),
    ],
)
def test_accepted_formats_are_recognised_by_content(content, kind) -> None:
    assert detect_kind(io.BytesIO(content)).name == kind


def test_a_real_xlsx_built_with_zipfile_is_accepted() -> None:
    kind = validate_upload(upload("budget.xlsx", real_xlsx(), XLSX_TYPE))
    assert kind.name == "xlsx"
    assert kind.content_type == XLSX_TYPE


def test_a_renamed_exe_is_refused() -> None:
    with pytest.raises(DocumentRejected, match="not one of the accepted formats"):
        validate_upload(upload("plan.pdf", EXE_BYTES, "application/pdf"))


def test_an_html_file_is_refused_whatever_it_is_called() -> None:
    for name in ("page.html", "page.pdf", "photo.png"):
        with pytest.raises(DocumentRejected):
            validate_upload(upload(name, HTML_BYTES, "image/png"))


def test_a_zip_that_is_not_an_office_document_is_refused() -> None:
    with pytest.raises(DocumentRejected):
        validate_upload(upload("data.xlsx", office_bytes("something/else.xml"), XLSX_TYPE))


def test_a_broken_zip_is_refused() -> None:
    with pytest.raises(DocumentRejected):
        validate_upload(upload("data.docx", b"PK\x03\x04" + b"\x00" * 50))


def test_an_oversized_file_is_refused(settings) -> None:
    settings.DOCUMENT_MAX_BYTES = 1024
    with pytest.raises(DocumentRejected, match=r"largest accepted is 1\.0"):
        validate_upload(upload("big.pdf", PDF_BYTES + b"0" * 2000))


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(DocumentRejected, match="empty"):
        validate_upload(upload("empty.pdf", b""))


def test_display_names_lose_paths_and_control_characters_and_take_the_real_extension() -> None:
    from applications.intake.documents import PDF

    assert clean_original_name("..\\..\\evil\r\n.exe", PDF) == "evil.pdf"
    assert clean_original_name("사업계획서.PDF", PDF) == "사업계획서.pdf"
    assert clean_original_name("", PDF) == "document.pdf"


# --- Upload through the portal ------------------------------------------------------------------


def _upload(portal_client, draft, name: str, content: bytes, doc_type: str = "export_plan"):
    return portal_client.post(
        reverse("portal:document_upload", kwargs={"pk": draft.pk}),
        {"doc_type": doc_type, "file": upload(name, content)},
    )


def test_a_valid_pdf_is_stored_under_media_root_with_a_random_name(portal_client, draft) -> None:
    response = _upload(portal_client, draft, "사업계획서.pdf", PDF_BYTES)
    assert response.status_code == 302
    document = ApplicationDocument.objects.get(application=draft)
    assert document.original_name == "사업계획서.pdf"
    assert document.content_type == "application/pdf"
    assert document.size == len(PDF_BYTES)
    path = Path(document.file.path)
    assert path.is_file()
    assert Path(settings.MEDIA_ROOT) in path.parents
    assert "사업계획서" not in path.name and path.suffix == ".pdf"


def test_a_real_xlsx_upload_is_accepted(portal_client, draft) -> None:
    assert _upload(portal_client, draft, "budget.xlsx", real_xlsx(), "quotation").status_code == 302
    assert ApplicationDocument.objects.get(application=draft).content_type == XLSX_TYPE


@pytest.mark.parametrize(
    "name,content", [("setup.pdf", EXE_BYTES), ("page.html", HTML_BYTES), ("page.pdf", HTML_BYTES)]
)
def test_refused_uploads_show_why_and_store_nothing(portal_client, draft, name, content) -> None:
    response = _upload(portal_client, draft, name, content)
    assert response.status_code == 400
    assert "not one of the accepted formats" in response.content.decode()
    assert not ApplicationDocument.objects.exists()
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_an_oversized_upload_is_refused_on_the_page(portal_client, draft, settings) -> None:
    settings.DOCUMENT_MAX_BYTES = 100
    response = _upload(portal_client, draft, "big.pdf", PDF_BYTES + b"0" * 500)
    assert response.status_code == 400
    assert "largest accepted" in response.content.decode()


def test_uploads_after_submission_are_refused(portal_client, draft, firm_staff) -> None:
    from applications.intake.services import application_submit

    application_submit(application=draft, actor=firm_staff)
    response = _upload(portal_client, draft, "late.pdf", PDF_BYTES)
    assert response.status_code == 302
    assert not ApplicationDocument.objects.exists()


def test_a_document_can_be_removed_from_a_draft(
    portal_client, draft, firm_staff, django_capture_on_commit_callbacks
) -> None:
    document = document_store(application=draft, actor=firm_staff, doc_type="other", upload=pdf_upload())
    path = Path(document.file.path)
    with django_capture_on_commit_callbacks(execute=True):
        portal_client.post(reverse("portal:document_delete", kwargs={"pk": draft.pk, "document_pk": document.pk}))
    assert not ApplicationDocument.objects.exists()
    assert not path.exists()


# --- Serving --------------------------------------------------------------------------------------


@pytest.fixture
def stored(draft, firm_staff):
    return document_store(application=draft, actor=firm_staff, doc_type="export_plan", upload=pdf_upload("plan.pdf"))


def test_the_firm_downloads_its_document_as_an_attachment(portal_client, stored) -> None:
    response = portal_client.get(reverse("portal:document_download", kwargs={"document_pk": stored.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_pdf_can_be_shown_inline_but_office_files_cannot(portal_client, draft, firm_staff, stored) -> None:
    inline = portal_client.get(reverse("portal:document_download", kwargs={"document_pk": stored.pk}), {"inline": "1"})
    assert inline["Content-Disposition"].startswith("inline")
    sheet = document_store(
        application=draft, actor=firm_staff, doc_type="quotation", upload=upload("b.xlsx", real_xlsx(), XLSX_TYPE)
    )
    response = portal_client.get(reverse("portal:document_download", kwargs={"document_pk": sheet.pk}), {"inline": "1"})
    assert response["Content-Disposition"].startswith("attachment")


def test_another_firms_document_is_404(client, other_staff, stored) -> None:
    client.force_login(other_staff)
    assert client.get(reverse("portal:document_download", kwargs={"document_pk": stored.pk})).status_code == 404


def test_the_programs_officer_and_a_manager_can_download(client, stored, officer) -> None:
    client.force_login(officer)
    assert client.get(reverse("portal:document_download", kwargs={"document_pk": stored.pk})).status_code == 200
    client.force_login(user_in_group(Role.MANAGER))
    assert client.get(reverse("portal:document_download", kwargs={"document_pk": stored.pk})).status_code == 200


def test_an_officer_of_another_program_gets_404(client, stored) -> None:
    from tests.factories import ProgramFactory

    stranger = user_in_group(Role.OFFICER)
    assign_officer(ProgramFactory(), stranger)
    client.force_login(stranger)
    assert client.get(reverse("portal:document_download", kwargs={"document_pk": stored.pk})).status_code == 404


def test_anonymous_download_goes_to_login(client, stored) -> None:
    response = client.get(reverse("portal:document_download", kwargs={"document_pk": stored.pk}))
    assert response.status_code == 302
    assert reverse("portal:login") in response["Location"]


def test_uploads_are_not_reachable_by_url(client, stored) -> None:
    assert client.get(f"{settings.MEDIA_URL}{stored.file.name}").status_code == 404
    assert client.get(f"/static/{stored.file.name}").status_code == 404


def test_a_missing_file_is_404_not_500(portal_client, stored) -> None:
    Path(stored.file.path).unlink()
    assert portal_client.get(reverse("portal:document_download", kwargs={"document_pk": stored.pk})).status_code == 404
