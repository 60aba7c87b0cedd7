"""What a supported firm achieved: the outcome report, its buyer meetings and the 6- and
12-month follow-ups."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from applications.models.application import Application


class OutcomeReport(models.Model):
    """What a supported firm achieved, reported after the event."""

    class ReportStatus(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", _("Accepted")
        RETURNED = "returned", _("Returned for changes")

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="outcome_report", verbose_name=_("application")
    )
    status = models.CharField(_("status"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    due_on = models.DateField(_("due"))
    buyer_meetings = models.PositiveIntegerField(_("buyer meetings held"), default=0)
    consultation_usd = models.BigIntegerField(
        _("consultation amount (USD)"), default=0, validators=[MinValueValidator(0)]
    )
    contracts_usd = models.BigIntegerField(_("contracts signed (USD)"), default=0, validators=[MinValueValidator(0)])
    ip_filed = models.PositiveIntegerField(_("IP filings abroad"), default=0)
    new_countries = models.ManyToManyField(
        "programs.Country", blank=True, related_name="+", verbose_name=_("new countries entered")
    )
    narrative = models.TextField(_("comments"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    officer_note = models.TextField(_("officer's note"), blank=True)

    class Meta:
        verbose_name = _("outcome report")
        verbose_name_plural = _("outcome reports")
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return _("Outcome report for %(application)s") % {"application": self.application}


class BuyerMeeting(models.Model):
    """One buyer meeting behind an outcome report. When a report has meeting records, its
    ``buyer_meetings`` and ``consultation_usd`` are the totals of the held ones (the outcome
    services recompute them in the same transaction)."""

    report = models.ForeignKey(
        OutcomeReport, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("outcome report")
    )
    buyer_name = models.CharField(_("buyer"), max_length=200)
    country = models.ForeignKey(
        "programs.Country", on_delete=models.PROTECT, related_name="+", verbose_name=_("buyer's country")
    )
    held = models.BooleanField(_("held"), default=True, help_text=_("Unticked: the buyer did not show up."))
    consultation_usd = models.BigIntegerField(
        _("consultation amount (USD)"), default=0, validators=[MinValueValidator(0)]
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("buyer meeting")
        verbose_name_plural = _("buyer meetings")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.buyer_name


class OutcomeFollowUp(models.Model):
    """Contracts signed in the 6 or 12 months after an accepted outcome report; created when
    the report is accepted, filed by the firm and accepted by an officer."""

    class Months(models.IntegerChoices):
        SIX = 6, _("6 months")
        TWELVE = 12, _("12 months")

    class FollowUpStatus(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned for changes")
        ACCEPTED = "accepted", _("Accepted")

    report = models.ForeignKey(
        OutcomeReport, on_delete=models.CASCADE, related_name="followups", verbose_name=_("outcome report")
    )
    months = models.PositiveSmallIntegerField(_("months after the report"), choices=Months.choices)
    due_on = models.DateField(_("due"))
    contracts_usd = models.BigIntegerField(_("contracts signed (USD)"), default=0, validators=[MinValueValidator(0)])
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=FollowUpStatus.choices, default=FollowUpStatus.DRAFT)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    officer_note = models.TextField(_("officer's note"), blank=True)

    class Meta:
        verbose_name = _("outcome follow-up")
        verbose_name_plural = _("outcome follow-ups")
        ordering = ["report", "months"]
        constraints = [models.UniqueConstraint(fields=["report", "months"], name="outcome_followup_unique_months")]

    def __str__(self) -> str:
        return _("%(months)s-month follow-up of %(report)s") % {"months": self.months, "report": self.report}
