"""Applications, their append-only history, allocations of capacity and outcome reports."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from applications.workflow import Status


class ApplicationQuerySet(models.QuerySet["Application"]):
    def for_firm_user(self, user: User) -> ApplicationQuerySet:
        return self.filter(firm__memberships__user=user)

    def for_officer(self, user: User) -> ApplicationQuerySet:
        return self.filter(program__officer_assignments__user=user)

    def with_status(self, *statuses: str) -> ApplicationQuerySet:
        return self.filter(status__in=statuses)


class Application(models.Model):
    program = models.ForeignKey(
        "programs.Program", on_delete=models.PROTECT, related_name="applications", verbose_name=_("program")
    )
    firm = models.ForeignKey(
        "firms.Firm", on_delete=models.PROTECT, related_name="applications", verbose_name=_("firm")
    )
    # Moved only by applications.services; never edited directly (admin shows it read-only).
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    requested_units = models.BigIntegerField(
        _("requested units"),
        validators=[MinValueValidator(1)],
        help_text=_("In the program's unit: KRW for export funding, booths, or seats."),
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    receipt_number = models.CharField(
        _("receipt number"), max_length=20, unique=True, null=True, blank=True, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True, editable=False)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True, editable=False)
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True, editable=False)
    decision_reason = models.TextField(_("decision reason"), blank=True, editable=False)
    eligibility_results = models.JSONField(_("eligibility results"), default=list, blank=True, editable=False)
    eligibility_rules_version = models.PositiveIntegerField(
        _("eligibility rules version"), null=True, blank=True, editable=False
    )
    eligibility_checked_at = models.DateTimeField(_("eligibility checked"), null=True, blank=True, editable=False)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One live application per firm and call; a withdrawn one does not block a new try.
            models.UniqueConstraint(
                fields=["program", "firm"],
                condition=~Q(status="withdrawn"),
                name="uniq_live_application_per_firm_program",
            ),
            models.CheckConstraint(condition=Q(requested_units__gte=1), name="application_requested_positive"),
        ]
        indexes = [
            models.Index(fields=["program", "status"]),
            models.Index(fields=["status", "status_changed_at"]),
            models.Index(fields=["firm", "status"]),
            models.Index(fields=["submitted_at"]),
        ]

    def __str__(self) -> str:
        return self.receipt_number or _("Draft #%(pk)s") % {"pk": self.pk}


class ApplicationDocument(models.Model):
    class DocType(models.TextChoices):
        BUSINESS_REGISTRATION = "business_registration", _("Business registration certificate")
        FINANCIAL_STATEMENT = "financial_statement", _("Financial statement")
        EXPORT_RECORD = "export_record", _("Export record")
        EXPORT_PLAN = "export_plan", _("Export plan")
        PORTFOLIO = "portfolio", _("Portfolio")
        QUOTATION = "quotation", _("Quotation")
        IP_CERTIFICATE = "ip_certificate", _("IP registration certificate")
        OTHER = "other", _("Other")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="documents", verbose_name=_("application")
    )
    doc_type = models.CharField(_("document type"), max_length=32, choices=DocType.choices)
    file = models.FileField(_("file"), upload_to="applications/%Y/%m/")
    original_name = models.CharField(_("original file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class InfoRequest(models.Model):
    """An officer's request for more information, answered by the firm before ``due_on``."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="info_requests", verbose_name=_("application")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("requested by")
    )
    message = models.TextField(_("what is needed"))
    due_on = models.DateField(_("answer due"))
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("information request")
        verbose_name_plural = _("information requests")
        ordering = ["requested_at", "pk"]
        indexes = [models.Index(fields=["answered_at", "due_on"])]

    def __str__(self) -> str:
        return _("Information request on %(application)s") % {"application": self.application}

    @property
    def is_open(self) -> bool:
        return self.answered_at is None


class Message(models.Model):
    """A message between the firm and the program's officers about one application."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="messages", verbose_name=_("application")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("author")
    )
    from_firm = models.BooleanField(_("from the firm"))
    body = models.TextField(_("message"))
    info_request = models.ForeignKey(
        InfoRequest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("information request"),
    )
    attachment = models.ForeignKey(
        ApplicationDocument,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("attachment"),
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.body[:60]


class AppendOnlyError(Exception):
    pass


class StatusChangeQuerySet(models.QuerySet["StatusChange"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("History rows are append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("History rows are append-only.")


class StatusChange(models.Model):
    """The application's history: one row per transition, written by the workflow service
    and never changed or deleted afterwards."""

    # PROTECT: an application with a history is never deleted, so neither is its history.
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="history", verbose_name=_("application")
    )
    transition = models.CharField(_("transition"), max_length=32)
    from_status = models.CharField(_("from"), max_length=16, choices=Status.choices)
    to_status = models.CharField(_("to"), max_length=16, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_kind = models.CharField(_("acting as"), max_length=16)
    at = models.DateTimeField(_("at"))
    note = models.TextField(_("note"), blank=True)

    objects = StatusChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["application", "at"])]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("History rows are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("History rows are append-only.")


class Allocation(models.Model):
    """Capacity granted to an approved application. ``released_at`` is set when the units go
    back to the pool (withdrawal, cancellation); the program's ``allocated`` counter always
    equals the sum of unreleased allocations."""

    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="allocation", verbose_name=_("application")
    )
    program = models.ForeignKey(
        "programs.Program", on_delete=models.PROTECT, related_name="allocations", verbose_name=_("program")
    )
    units = models.BigIntegerField(_("units"), validators=[MinValueValidator(1)])
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("granted by"),
    )
    granted_at = models.DateTimeField(_("granted"))
    released_at = models.DateTimeField(_("released"), null=True, blank=True)

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [models.CheckConstraint(condition=Q(units__gte=1), name="allocation_units_positive")]

    def __str__(self) -> str:
        return f"{self.application} · {self.units}"

    @property
    def is_live(self) -> bool:
        return self.released_at is None


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
    status = models.CharField(
        _("status"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    due_on = models.DateField(_("due"))
    buyer_meetings = models.PositiveIntegerField(_("buyer meetings held"), default=0)
    consultation_usd = models.BigIntegerField(_("consultation amount (USD)"), default=0, validators=[MinValueValidator(0)])
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
