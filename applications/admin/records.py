"""Admin for an application's record listed on its own (history, allocations, outcome
reports, information requests, messages, documents), and the scoping they share with the
application admin: an officer sees the rows of the programs assigned to them."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.humanize.templatetags.humanize import intcomma
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from applications.models import (
    Allocation,
    ApplicationDocument,
    InfoRequest,
    Message,
    StatusChange,
)
from applications.selectors import application_list
from applications.workflow import TRANSITIONS
from programs.models import CapacityUnit, Program
from programs.selectors import program_assigned_list
from sme_support.admin_tools import NotFoundOutsideScopeMixin, ReadOnlyAdminMixin
from sme_support.roles import is_manager

# --- Scoping ---------------------------------------------------------------------------------


def scope_to_user(request: HttpRequest, queryset: QuerySet[Any], application_path: str) -> QuerySet[Any]:
    """Rows whose application the user may see, by the same rule as the application list."""
    if is_manager(request.user):
        return queryset
    visible = application_list(user=request.user).values("pk")
    return queryset.filter(**{f"{application_path}__in": visible})


class ProgramFilter(admin.SimpleListFilter):
    """Offers only the programs the user works on, and ignores a malformed value."""

    title = _("program")
    parameter_name = "program"
    program_path = "program"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        programs = program_assigned_list(user=request.user).order_by("-fiscal_year", "code")
        return [(str(program.pk), f"{program.fiscal_year} · {program}") for program in programs]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        try:
            program_id = int(self.value() or "")
        except ValueError:
            return queryset
        return queryset.filter(**{self.program_path: program_id})


class ApplicationProgramFilter(ProgramFilter):
    program_path = "application__program"


def units_with_unit(value: int | None, program: Program) -> str:
    if value is None:
        return "—"
    return f"{intcomma(value)} {CapacityUnit(program.capacity_unit).label}"


def transition_label(name: str) -> str:
    transition = TRANSITIONS.get(name)
    return str(transition.label) if transition else name


# --- The application's record, listed on its own -----------------------------------------------


@admin.register(StatusChange)
class StatusChangeAdmin(NotFoundOutsideScopeMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "at",
        "application",
        "program_column",
        "transition_column",
        "from_status",
        "to_status",
        "actor",
        "actor_kind",
    )
    list_filter = ("to_status", "from_status", "actor_kind", ApplicationProgramFilter)
    search_fields = ("application__receipt_number", "application__firm__name_ko", "application__firm__name_en", "note")
    date_hierarchy = "at"
    list_select_related = ("application__program", "actor")
    fields = ("application", "transition_column", "from_status", "to_status", "actor", "actor_kind", "at", "note")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[StatusChange]:
        return scope_to_user(request, super().get_queryset(request), "application")

    @admin.display(description=_("program"), ordering="application__program")
    def program_column(self, obj: StatusChange) -> Program:
        return obj.application.program

    @admin.display(description=_("transition"), ordering="transition")
    def transition_column(self, obj: StatusChange) -> str:
        return transition_label(obj.transition)


@admin.register(Allocation)
class AllocationAdmin(NotFoundOutsideScopeMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("application", "firm_column", "program", "units_column", "granted_by", "granted_at", "released_at")
    list_filter = (ProgramFilter, ("released_at", admin.EmptyFieldListFilter))
    search_fields = ("application__receipt_number", "application__firm__name_ko", "application__firm__name_en")
    date_hierarchy = "granted_at"
    list_select_related = ("application__firm", "program", "granted_by")
    fields = ("application", "program", "units_column", "granted_by", "granted_at", "released_at")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Allocation]:
        return scope_to_user(request, super().get_queryset(request), "application")

    @admin.display(description=_("firm"), ordering="application__firm__name_en")
    def firm_column(self, obj: Allocation) -> Any:
        return obj.application.firm

    @admin.display(description=_("units"), ordering="units")
    def units_column(self, obj: Allocation) -> str:
        return units_with_unit(obj.units, obj.program)


@admin.register(InfoRequest)
class InfoRequestAdmin(NotFoundOutsideScopeMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("application", "requested_by", "requested_at", "due_on", "answered_at", "is_open_column")
    list_filter = (ApplicationProgramFilter, ("answered_at", admin.EmptyFieldListFilter))
    search_fields = ("application__receipt_number", "message", "answer")
    date_hierarchy = "requested_at"
    list_select_related = ("application", "requested_by")
    fields = (
        "application",
        "requested_by",
        "requested_at",
        "message",
        "due_on",
        "answer",
        "answered_by",
        "answered_at",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[InfoRequest]:
        return scope_to_user(request, super().get_queryset(request), "application")

    @admin.display(description=_("open"), boolean=True)
    def is_open_column(self, obj: InfoRequest) -> bool:
        return obj.is_open


@admin.register(Message)
class MessageAdmin(NotFoundOutsideScopeMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "application", "author", "from_firm", "body_column")
    list_filter = ("from_firm", ApplicationProgramFilter)
    search_fields = ("application__receipt_number", "body")
    date_hierarchy = "created_at"
    list_select_related = ("application", "author")
    fields = ("application", "author", "from_firm", "body", "info_request", "attachment", "created_at")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Message]:
        return scope_to_user(request, super().get_queryset(request), "application")

    @admin.display(description=_("message"))
    def body_column(self, obj: Message) -> str:
        return obj.body if len(obj.body) <= 80 else obj.body[:79] + "…"


@admin.register(ApplicationDocument)
class ApplicationDocumentAdmin(NotFoundOutsideScopeMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("original_name", "application", "doc_type", "size", "uploaded_by", "uploaded_at")
    list_filter = ("doc_type", ApplicationProgramFilter)
    search_fields = ("application__receipt_number", "original_name")
    date_hierarchy = "uploaded_at"
    list_select_related = ("application", "uploaded_by")
    fields = ("application", "doc_type", "original_name", "content_type", "size", "uploaded_by", "uploaded_at")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[ApplicationDocument]:
        return scope_to_user(request, super().get_queryset(request), "application")
