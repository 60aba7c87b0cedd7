"""In-app notifications, each user's language preference for mail and pages, and the
sent-log of reminders."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserPreference(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preference", verbose_name=_("user")
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="ko")

    class Meta:
        verbose_name = _("user preference")
        verbose_name_plural = _("user preferences")

    def __str__(self) -> str:
        return f"{self.user} · {self.language}"


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    kind = models.CharField(_("kind"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    application = models.ForeignKey(
        "applications.Application",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("application"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.title


# --- Reminders: the sent-log that makes each reminder go out at most once ------------------


class ReminderKind(models.TextChoices):
    CALL_CLOSING = "call_closing", _("Call closing soon")
    INFO_DUE = "info_due", _("Information request due soon")
    INFO_OVERDUE = "info_overdue", _("Information request overdue")
    OUTCOME_DUE = "outcome_due", _("Outcome report due soon")
    OUTCOME_OVERDUE = "outcome_overdue", _("Outcome report overdue")
    REVIEW_OVERDUE = "review_overdue", _("Review past its target")
    OFFICER_DIGEST = "officer_digest", _("Officer's daily digest")


class ReminderState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Reminder(models.Model):
    """One reminder to one person, and the proof of whether it went out.

    The unique key (recipient, kind, subject, deadline, offset) is what makes a reminder
    at-most-once: the sweep inserts with ON CONFLICT DO NOTHING, so a second sweep, a
    concurrent sweep or a re-delivered sweep task finds the row already there and queues
    nothing. ``state`` then moves QUEUED → SENDING → SENT (or FAILED after the last attempt),
    each step a conditional UPDATE, so two workers holding the same task never both send.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("recipient")
    )
    kind = models.CharField(_("kind"), max_length=24, choices=ReminderKind.choices)
    subject_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+", verbose_name=_("about (type)")
    )
    subject_id = models.PositiveBigIntegerField(_("about (id)"))
    subject = GenericForeignKey("subject_type", "subject_id")
    deadline = models.DateTimeField(_("deadline"))
    # Days before the deadline (7, 3, 1 …); for an overdue notice, minus the days it had been
    # late when that notice's period began (-1 for the first notice).
    offset_days = models.SmallIntegerField(_("days before the deadline"))
    state = models.CharField(_("state"), max_length=8, choices=ReminderState.choices, default=ReminderState.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    # The sweep that inserted the row; lets that sweep find exactly the rows it inserted.
    sweep_id = models.UUIDField(_("sweep"), editable=False)
    created_at = models.DateTimeField(_("queued"), default=timezone.now)
    # When the row is due to be (re)tried: its queuing, or the end of a retry's backoff. The
    # requeue sweeper counts a QUEUED row as stuck from here.
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    subject_line = models.CharField(_("email subject"), max_length=200, blank=True)
    notification = models.OneToOneField(
        Notification,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reminder",
        verbose_name=_("in-app notification"),
    )

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "subject_type", "subject_id", "deadline", "offset_days"],
                name="uniq_reminder_once",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"]),
            models.Index(fields=["sweep_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient} ({self.get_state_display()})"
