"""Admin for the review: managers edit programs' rubrics; assignments, scores, the conflict
register and review events are shown read-only (only ``reviews.services`` writes them).

Access is by role rather than by model permissions: officers and managers view, managers
edit rubrics (through ``rubric_criterion_save``, which refuses once scores are submitted).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from applications.selectors import application_list
from reviews.models import ConflictOfInterest, ReviewAssignment, ReviewEvent, RubricCriterion, Score
from reviews.selectors import conflict_list
from reviews.services import rubric_criterion_delete, rubric_criterion_save, rubric_locked
from sme_support.admin_tools import NotFoundOutsideScopeMixin, ReadOnlyAdminMixin, ServiceSaveMixin
from sme_support.roles import is_manager, is_officer


class _RoleViewMixin:
    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_officer(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return is_officer(request.user)


@admin.register(RubricCriterion)
class RubricCriterionAdmin(_RoleViewMixin, ServiceSaveMixin, admin.ModelAdmin):
    list_display = ("program", "position", "code", "label_en", "label_ko", "weight", "scale_max")
    list_display_links = ("code",)
    list_filter = ("program__fiscal_year", "program")
    search_fields = ("code", "label_en", "label_ko", "program__title_en", "program__title_ko", "program__code")
    ordering = ("program", "position", "pk")
    autocomplete_fields = ("program",)
    fields = ("program", "position", "code", "label_ko", "label_en", "weight", "scale_max")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_manager(request.user)

    def has_change_permission(self, request: HttpRequest, obj: RubricCriterion | None = None) -> bool:
        return is_manager(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: RubricCriterion | None = None) -> bool:
        if not is_manager(request.user):
            return False
        return obj is None or not rubric_locked(program_id=obj.program_id)

    def get_queryset(self, request: HttpRequest) -> QuerySet[RubricCriterion]:
        return super().get_queryset(request).select_related("program")

    def save_model(self, request: HttpRequest, obj: RubricCriterion, form: Any, change: bool) -> None:
        rubric_criterion_save(criterion=obj, actor=request.user)  # type: ignore[arg-type]

    def delete_model(self, request: HttpRequest, obj: RubricCriterion) -> None:
        rubric_criterion_delete(criterion=obj, actor=request.user)  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[RubricCriterion]) -> None:
        for criterion in queryset:
            rubric_criterion_delete(criterion=criterion, actor=request.user)  # type: ignore[arg-type]


class ScoreInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Score
    extra = 0
    can_delete = False
    fields = ("criterion", "value", "comment", "updated_at")
    readonly_fields = fields

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return is_officer(request.user)


@admin.register(ReviewAssignment)
class ReviewAssignmentAdmin(_RoleViewMixin, NotFoundOutsideScopeMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("application", "reviewer", "status", "assigned_by", "assigned_at", "submitted_at")
    list_filter = ("status",)
    search_fields = ("application__receipt_number", "reviewer__username", "application__firm__name_en")
    readonly_fields = (
        "application",
        "reviewer",
        "assigned_by",
        "assigned_at",
        "status",
        "declined_reason",
        "declined_at",
        "submitted_at",
    )
    fields = readonly_fields
    inlines = [ScoreInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReviewAssignment]:
        # A manager sees everything; an officer the reviews of their programs. Scores inside
        # are visible here only to those who may see them on the workspace: managers.
        scoped = application_list(user=request.user).values("pk")
        return super().get_queryset(request).filter(application__in=scoped).select_related("application", "reviewer")

    def get_inlines(self, request: HttpRequest, obj: Model | None = None) -> list[Any]:
        return [ScoreInline] if is_manager(request.user) else []


@admin.register(ConflictOfInterest)
class ConflictOfInterestAdmin(_RoleViewMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("reviewer", "firm", "declared_at")
    search_fields = ("reviewer__username", "firm__name_en", "firm__name_ko", "firm__brn")
    readonly_fields = ("reviewer", "firm", "declared_at", "reason")
    fields = readonly_fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[ConflictOfInterest]:
        return conflict_list(user=request.user)


@admin.register(ReviewEvent)
class ReviewEventAdmin(_RoleViewMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("at", "application", "kind", "actor", "reviewer")
    list_filter = ("kind",)
    readonly_fields = ("application", "kind", "actor", "reviewer", "note", "at")
    fields = readonly_fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReviewEvent]:
        scoped = application_list(user=request.user).values("pk")
        return super().get_queryset(request).filter(application__in=scoped).select_related("application", "actor")
