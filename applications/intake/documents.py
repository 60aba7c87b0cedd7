"""Application documents: what may be uploaded, where it is kept, and who may read it back.

An upload is accepted only for what its bytes are, never for its name or the browser's
claimed content type: a PDF starts with ``%PDF-``, a JPEG with ``FF D8 FF``, a PNG with its
8-byte signature, and XLSX/DOCX are ZIP archives holding ``xl/workbook.xml`` or
``word/document.xml``. Files are stored under ``MEDIA_ROOT`` with a random name and the
extension of the detected type, and are served only through ``applications.views`` after the
caller has fetched the row with ``document_get`` (``applications.selectors``, scoped to the user).
"""

from __future__ import annotations

import os
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from applications.errors import InvalidInput, TransitionNotAllowed
from applications.models import Application, ApplicationDocument
from applications.transitions import firm_member_of, lock_application
from applications.workflow import Status


class DocumentRejected(InvalidInput):
    code = "document_rejected"


@dataclass(frozen=True)
class DocumentKind:
    name: str
    content_type: str
    extension: str
    # Browsers may show these in a tab; everything else is always a download.
    inline_safe: bool


PDF = DocumentKind("pdf", "application/pdf", ".pdf", True)
JPEG = DocumentKind("jpeg", "image/jpeg", ".jpg", True)
PNG = DocumentKind("png", "image/png", ".png", True)
XLSX = DocumentKind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx", False)
DOCX = DocumentKind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx", False)
KINDS = {k.name: k for k in (PDF, JPEG, PNG, XLSX, DOCX)}
KIND_BY_CONTENT_TYPE = {k.content_type: k for k in KINDS.values()}

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_ZIP_SIGNATURE = b"PK\x03\x04"

# Statuses in which the firm may add documents: while drafting, and while answering an
# officer's information request. A submitted application's file set is what was reviewed.
UPLOAD_STATUSES = frozenset({Status.DRAFT, Status.INFO_REQUESTED})


def accepted_formats_label() -> str:
    return "PDF, JPEG, PNG, XLSX, DOCX"


def detect_kind(stream: IO[bytes]) -> DocumentKind | None:
    """Recognise the file by its content; ``None`` when it is none of the accepted kinds.

    Leaves the stream positioned at its start.
    """
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(_PNG_SIGNATURE):
        return PNG
    if head.startswith(_ZIP_SIGNATURE):
        return _detect_office(stream)
    return None


def _detect_office(stream: IO[bytes]) -> DocumentKind | None:
    # Only the central directory is read (namelist); nothing is decompressed, so a zip bomb
    # costs nothing here.
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        return None
    finally:
        stream.seek(0)
    if "xl/workbook.xml" in names:
        return XLSX
    if "word/document.xml" in names:
        return DOCX
    return None


def validate_upload(upload: UploadedFile) -> DocumentKind:
    """The kind of an acceptable upload, or ``DocumentRejected`` with a reason a person can act on."""
    limit = settings.DOCUMENT_MAX_BYTES
    size = upload.size or 0
    if size == 0:
        raise DocumentRejected(_("The file is empty."))
    if size > limit:
        raise DocumentRejected(
            _("The file is %(size)s; the largest accepted is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
        )
    kind = detect_kind(upload.file) if upload.file is not None else None
    if kind is None:
        raise DocumentRejected(
            _(
                "This file's content is not one of the accepted formats (%(formats)s). "
                "Renaming a file does not change its format: export or save it as one of these."
            )
            % {"formats": accepted_formats_label()}
        )
    return kind


def clean_original_name(name: str, kind: DocumentKind) -> str:
    """A display name safe to put in a header or a page: no path, no control characters,
    and the extension of what the file really is."""
    base = os.path.basename(name.replace("\\", "/")).strip()
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C")
    stem = os.path.splitext(base)[0][:200] or "document"
    return f"{stem}{kind.extension}"


def _firm_may_upload(*, application: Application, actor: User) -> None:
    firm_member_of(
        actor=actor,
        application=application,
        refusal=_("Only the firm's own staff can add documents to its application."),
    )
    if application.status not in UPLOAD_STATUSES:
        raise TransitionNotAllowed(
            _("Documents can be added only to a draft or while answering an information request.")
        )


@transaction.atomic
def document_store(
    *, application: Application, actor: User, doc_type: str, upload: UploadedFile
) -> ApplicationDocument:
    """Check an upload by content and keep it for ``application``."""
    locked = lock_application(application.pk)
    _firm_may_upload(application=locked, actor=actor)
    if doc_type not in ApplicationDocument.DocType.values:
        raise DocumentRejected(_("Choose what kind of document this is."))
    kind = validate_upload(upload)
    document = ApplicationDocument(
        application=locked,
        doc_type=doc_type,
        original_name=clean_original_name(upload.name or "", kind),
        content_type=kind.content_type,
        size=upload.size or 0,
        uploaded_by=actor,
    )
    # A random stored name: the firm's file name never reaches the file system.
    document.file.save(f"{uuid.uuid4().hex}{kind.extension}", upload, save=False)
    stored_name = document.file.name
    try:
        document.full_clean()
        document.save()
    except Exception:
        # The row was refused: don't leave an orphan file behind.
        document.file.storage.delete(stored_name)
        raise
    return document


@transaction.atomic
def document_delete(*, document: ApplicationDocument, actor: User) -> None:
    locked = lock_application(document.application_id)
    _firm_may_upload(application=locked, actor=actor)
    if locked.status != Status.DRAFT:
        raise TransitionNotAllowed(_("Documents can be removed only while the application is a draft."))
    name = document.file.name
    storage = document.file.storage
    document.delete()
    transaction.on_commit(lambda: storage.delete(name))
