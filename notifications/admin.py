"""Admin for notifications and language preferences: support staff look, services write."""

from __future__ import annotations

from django.contrib import admin

from notifications.models import Notification, UserPreference
from sme_support.admin_tools import ReadOnlyAdminMixin


@admin.register(UserPreference)
class UserPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "language")
    list_filter = ("language",)
    search_fields = ("user__username", "user__email")
    list_select_related = ("user",)
    autocomplete_fields = ("user",)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Written by ``notifications.services.notify`` only; shown here to answer "did they get it?"."""

    list_display = ("created_at", "user", "kind", "title", "application", "read_at")
    list_filter = ("kind", ("read_at", admin.EmptyFieldListFilter))
    search_fields = ("title", "user__username", "user__email", "application__receipt_number")
    date_hierarchy = "created_at"
    list_select_related = ("user", "application")
    fields = ("user", "kind", "title", "body", "url", "application", "created_at", "read_at")
    readonly_fields = fields


from notifications import admin_reminders  # noqa: E402, F401
