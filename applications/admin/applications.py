"""Admin for applications.

Nothing here moves an application: the change page is read-only for everyone, and the only
way to change a status is a workflow action (``applications.admin_actions``), which calls
the same service functions as the officer workspace, the API and the workers. Officers see
the applications of the programs they are assigned to (``application_list``); managers see
all. The application's record listed on its own is in ``applications.admin_records``;
decision policies, sign-off requests, selection runs and the waitlist in
``applications.admin_decisions``.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from applications.admin.actions import WorkflowActionsMixin
from applications.admin.records import ProgramFilter, transition_label, units_with_unit
from applications.models import Allocation, Application, ApplicationDocument, InfoRequest, Message, StatusChange
from applications.selectors import application_list
from firms.validators import is_valid_brn, normalize_brn
from sme_support.admin_tools import NotFoundOutsideScopeMixin, ReadOnlyInline

# --- Inlines: the application's record, all read-only ------------------------------------------


class StatusChangeInline(ReadOnlyInline):
    model = StatusChange
    verbose_name_plural = _("history")
    fields = ("at", "transition_label", "from_status", "to_status", "actor", "actor_kind", "note")
    readonly_fields = fields

    @admin.display(description=_("transition"))
    def transition_label(self, obj: StatusChange) -> str:
        return transition_label(obj.transition)

    def get_queryset(self, request: HttpRequest) -> QuerySet[StatusChange]:
        return super().get_queryset(request).select_related("actor")


class InfoRequestInline(ReadOnlyInline):
    model = InfoRequest
    fields = ("requested_at", "requested_by", "message", "due_on", "answer", "answered_by", "answered_at")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[InfoRequest]:
        return super().get_queryset(request).select_related("requested_by", "answered_by")


class MessageInline(ReadOnlyInline):
    model = Message
    fields = ("created_at", "author", "from_firm", "body", "info_request")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Message]:
        return super().get_queryset(request).select_related("author", "info_request")


class DocumentInline(ReadOnlyInline):
    model = ApplicationDocument
    # The file itself is never served by URL (uploads sit outside the web root), so the
    # admin shows what it is, not a link.
    fields = ("doc_type", "original_name", "content_type", "size", "uploaded_by", "uploaded_at")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[ApplicationDocument]:
        return super().get_queryset(request).select_related("uploaded_by")


class AllocationInline(ReadOnlyInline):
    model = Allocation
    fields = ("units", "granted_by", "granted_at", "released_at")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Allocation]:
        return super().get_queryset(request).select_related("granted_by")


# --- Applications ------------------------------------------------------------------------------


@admin.register(Application)
class ApplicationAdmin(WorkflowActionsMixin, NotFoundOutsideScopeMixin, admin.ModelAdmin):
    list_display = (
        "receipt_column",
        "firm",
        "program",
        "status",
        "requested_column",
        "submitted_at",
        "status_changed_at",
    )
    list_filter = (
        "status",
        ProgramFilter,
        "program__kind",
        "program__fiscal_year",
        "firm__sector",
        "firm__size_class",
        "firm__region",
    )
    search_fields = (
        "receipt_number",
        "firm__name_ko",
        "firm__name_en",
        "=firm__brn",
        "program__code",
        "program__title_ko",
        "program__title_en",
    )
    date_hierarchy = "submitted_at"
    list_select_related = ("program", "firm")
    inlines = (StatusChangeInline, InfoRequestInline, MessageInline, DocumentInline, AllocationInline)
    fieldsets = (
        (None, {"fields": ("receipt_number", "status", "program", "firm", "requested_column", "created_by")}),
        (_("Workflow"), {"fields": ("submitted_at", "status_changed_at", "decided_at", "decision_reason")}),
        (
            _("Eligibility"),
            {"fields": ("eligibility_column", "eligibility_rules_version", "eligibility_checked_at")},
        ),
        (_("Answers"), {"fields": ("answers_column",)}),
        (_("Record"), {"fields": ("created_at", "updated_at")}),
    )
    readonly_fields = (
        "receipt_number",
        "status",
        "program",
        "firm",
        "requested_column",
        "created_by",
        "submitted_at",
        "status_changed_at",
        "decided_at",
        "decision_reason",
        "eligibility_column",
        "eligibility_rules_version",
        "eligibility_checked_at",
        "answers_column",
        "created_at",
        "updated_at",
    )
    change_form_template = "admin/applications/application/change_form.html"

    # The change page is view-only for everyone, superusers included: an application's
    # fields belong to the firm, its status to the workflow. ``change`` permission (asked
    # with no object) is what the workflow actions require.

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if obj is not None:
            return False
        return super().has_change_permission(request)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Application], search_term: str
    ) -> tuple[QuerySet[Application], bool]:
        # A registration number pasted as printed (123-45-67890); the column has no dashes.
        if is_valid_brn(search_term):
            search_term = normalize_brn(search_term)
        return super().get_search_results(request, queryset, search_term)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Application]:
        queryset = application_list(user=request.user)
        ordering = self.get_ordering(request)
        return queryset.order_by(*ordering) if ordering else queryset

    @admin.display(description=_("receipt number"), ordering="receipt_number")
    def receipt_column(self, obj: Application) -> str:
        return str(obj)

    @admin.display(description=_("requested units"), ordering="requested_units")
    def requested_column(self, obj: Application) -> str:
        return units_with_unit(obj.requested_units, obj.program)

    @admin.display(description=_("eligibility results"))
    def eligibility_column(self, obj: Application) -> SafeString | str:
        if not obj.eligibility_results:
            return gettext("Not checked yet.")
        language = (get_language() or "ko")[:2]
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li><strong>{}</strong> {}: {}</li>",
                (
                    (
                        gettext("passed") if result.get("passed") else gettext("failed"),
                        result.get("rule", ""),
                        _reason_in(result.get("reason"), language),
                    )
                    for result in obj.eligibility_results
                ),
            ),
        )

    @admin.display(description=_("answers"))
    def answers_column(self, obj: Application) -> SafeString:
        return format_html("<pre>{}</pre>", json.dumps(obj.answers, ensure_ascii=False, indent=2))


def _reason_in(reason: Any, language: str) -> str:
    if isinstance(reason, dict):
        return str(reason.get(language) or reason.get("en") or next(iter(reason.values()), ""))
    return str(reason or "")
