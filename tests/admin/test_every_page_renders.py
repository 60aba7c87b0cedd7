"""Every registered admin's changelist, add page and change page renders for a superuser, in
Korean (/admin/, the default language) and in English (/en/admin/)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from applications.models import (
    ApplicationDocument,
    DecisionPolicy,
    DecisionSignOff,
    Message,
    OutcomeReport,
    SelectionRun,
    WaitlistOffer,
)
from applications.workflow import Status
from firms.models import ExportProduct, FirmMembership, IPHolding
from notifications.models import Notification, UserPreference
from programs.models import Country
from tests.admin.conftest import application_in
from tests.factories import ProgramFactory, assign_officer

pytestmark = pytest.mark.django_db

# Models registered by this project's own admin modules: each must have a change page tested.
OWN_APPS = {"firms", "programs", "applications", "notifications"}


@pytest.fixture
def one_of_everything(settings, tmp_path, superuser, officer, program) -> None:
    settings.MEDIA_ROOT = tmp_path
    trade_show = ProgramFactory(trade_show=True)
    assign_officer(trade_show, officer)
    application = application_in(trade_show, Status.APPROVED, actor=superuser)
    application_in(program, Status.INFO_REQUESTED, actor=superuser)
    firm = application.firm
    staff = FirmMembership.objects.get(firm=firm).user
    IPHolding.objects.create(firm=firm, kind="trademark", country=Country.objects.get(pk="FR"), registration_number="1")
    ExportProduct.objects.create(firm=firm, hs_code="490199", description="Picture books")
    document = ApplicationDocument.objects.create(
        application=application,
        doc_type="export_plan",
        file=SimpleUploadedFile("plan.pdf", b"%PDF-1.4 plan", content_type="application/pdf"),
        original_name="plan.pdf",
        content_type="application/pdf",
        size=13,
        uploaded_by=staff,
    )
    Message.objects.create(application=application, author=staff, from_firm=True, body="Hello", attachment=document)
    report = OutcomeReport.objects.create(
        application=application,
        due_on=timezone.localdate() + dt.timedelta(days=30),
        status=OutcomeReport.ReportStatus.SUBMITTED,
        buyer_meetings=12,
        contracts_usd=50_000,
        submitted_at=timezone.now(),
    )
    report.new_countries.set(["FR", "DE"])
    UserPreference.objects.create(user=staff, language="en")
    Notification.objects.create(user=staff, kind="decision", title="Approved", application=application)
    # Decisions: a policy, a pending sign-off, a selection run, a waitlist place and an offer.
    now = timezone.now()
    DecisionPolicy.objects.create(program=program, sign_off_threshold_krw=5_000_000, requires_scores=True)
    DecisionSignOff.objects.create(
        application=application_in(program, Status.UNDER_REVIEW, actor=superuser),
        decision="approve",
        units=7_000_000,
        amount_krw=7_000_000,
        threshold_krw=5_000_000,
        reason="Large grant",
        requested_by=officer,
        requested_at=now,
    )
    SelectionRun.objects.create(
        program=trade_show,
        run_by=superuser,
        run_at=now,
        fingerprint="a" * 64,
        capacity=trade_show.capacity,
        allocated_before=0,
        approved=1,
        waitlisted=1,
    )
    waiting = application_in(trade_show, Status.WAITLISTED, actor=superuser)
    WaitlistOffer.objects.create(
        application=waiting, program=trade_show, units=1, offered_at=now, expires_at=now + dt.timedelta(days=5)
    )


def _admins():
    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


@pytest.mark.parametrize("language", ["ko", "en"])
def test_every_admin_page_renders_for_a_superuser(superuser, superuser_client, one_of_everything, language) -> None:
    request = RequestFactory().get("/admin/")
    request.user = superuser
    tested_change_pages = set()
    for model, model_admin in _admins():
        opts = model._meta
        with translation.override(language):
            changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
            add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
        assert changelist.startswith("/en/admin/" if language == "en" else "/admin/")

        response = superuser_client.get(changelist)
        assert response.status_code == 200, changelist
        active = response.wsgi_request.LANGUAGE_CODE
        assert active == language

        if model_admin.has_add_permission(request):
            assert superuser_client.get(add).status_code == 200, add

        obj = model_admin.get_queryset(request).first()
        if obj is None:
            continue
        with translation.override(language):
            change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[quote(obj.pk)])
        response = superuser_client.get(change)
        assert response.status_code == 200, change
        tested_change_pages.add(opts.label)

    own = {m._meta.label for m, _ in _admins() if m._meta.app_label in OWN_APPS}
    # Models added later by other modules may have no rows here; ours all do.
    mine = {
        "firms.Firm",
        "firms.SizeClassThreshold",
        "firms.ExportTierBand",
        "programs.Country",
        "programs.Program",
        "programs.ProgramOfficer",
        "applications.Application",
        "applications.StatusChange",
        "applications.Allocation",
        "applications.OutcomeReport",
        "applications.InfoRequest",
        "applications.Message",
        "applications.ApplicationDocument",
        "notifications.Notification",
        "notifications.UserPreference",
        "applications.DecisionPolicy",
        "applications.DecisionSignOff",
        "applications.SelectionRun",
        "applications.WaitlistEntry",
        "applications.WaitlistOffer",
    }
    assert mine <= own
    assert mine <= tested_change_pages


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_officer_pages_render_in_both_languages(officer_client, one_of_everything, prefix) -> None:
    for path in (
        "/admin/",
        "/admin/applications/application/",
        "/admin/applications/statuschange/",
        "/admin/applications/allocation/",
        "/admin/applications/outcomereport/",
        "/admin/programs/program/",
        "/admin/firms/firm/",
        "/admin/applications/decisionpolicy/",
        "/admin/applications/decisionsignoff/",
        "/admin/applications/selectionrun/",
        "/admin/applications/waitlistentry/",
        "/admin/applications/waitlistoffer/",
    ):
        assert officer_client.get(prefix + path).status_code == 200, prefix + path
