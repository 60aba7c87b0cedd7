"""Admin for the reminder sent-log: what went out, what is stuck, what failed and why.

Rows are written only by the sweeps and the send task; the admin reads them and offers one
action, giving failed reminders a fresh set of attempts once the cause is fixed.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from notifications.delivery import reminders_retry_failed
from notifications.models import Reminder


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "recipient", "deadline", "offset_days", "state", "attempts", "sent_at")
    list_filter = ("state", "kind", "language")
    search_fields = ("recipient__username", "recipient__email", "subject_line", "last_error")
    date_hierarchy = "created_at"
    list_select_related = ("recipient",)
    ordering = ("-created_at", "-pk")
    actions = ("retry_failed",)
    fields = (
        "recipient",
        "kind",
        "subject_type",
        "subject_id",
        "deadline",
        "offset_days",
        "state",
        "attempts",
        "last_error",
        "created_at",
        "next_attempt_at",
        "claimed_at",
        "sent_at",
        "failed_at",
        "language",
        "subject_line",
        "notification",
        "sweep_id",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Reminder | None = None) -> bool:
        # Viewable, never editable: a hand-edited state would break the at-most-once claim.
        return False

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("notifications.change_reminder")

    @admin.action(description=_("Retry the selected failed reminders"), permissions=["retry"])
    def retry_failed(self, request: HttpRequest, queryset: QuerySet[Reminder]) -> None:
        selected = queryset.count()
        ids = reminders_retry_failed(reminder_ids=queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext("%(count)d reminder queued again.", "%(count)d reminders queued again.", len(ids))
            % {"count": len(ids)},
            messages.SUCCESS,
        )
        if selected > len(ids):
            skipped = selected - len(ids)
            self.message_user(
                request,
                ngettext(
                    "%(count)d selected reminder had not failed and was left alone.",
                    "%(count)d selected reminders had not failed and were left alone.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )
