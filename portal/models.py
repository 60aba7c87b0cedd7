"""Portal-only records: invitations to join a firm and requests to join one."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Invitation(models.Model):
    """A member asks someone, by email, to join their firm. The link carries a signed id;
    accepting it (signed in as that email address) makes the person a member."""

    firm = models.ForeignKey("firms.Firm", on_delete=models.CASCADE, related_name="invitations", verbose_name=_("firm"))
    email = models.EmailField(_("email"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("invited by")
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One open invitation per address and firm: re-inviting re-sends the same one.
            models.UniqueConstraint(
                fields=["firm", "email"],
                condition=Q(accepted_at=None, revoked_at=None),
                name="uniq_open_invitation_per_firm_email",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.firm}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()


class JoinRequest(models.Model):
    """A signed-up user asks to join a firm that is already registered; a member decides."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")

    firm = models.ForeignKey(
        "firms.Firm", on_delete=models.CASCADE, related_name="join_requests", verbose_name=_("firm")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="join_requests", verbose_name=_("user")
    )
    message = models.TextField(_("message to the firm"), blank=True, max_length=1000)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("join request")
        verbose_name_plural = _("join requests")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # A user waits on at most one firm at a time.
            models.UniqueConstraint(
                fields=["user"], condition=Q(status="pending"), name="uniq_pending_join_request_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.firm} ({self.status})"
