"""An application, its documents, and the information requests and messages about it."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from applications.workflow import Status
from programs.choices import DocumentType


class ApplicationQuerySet(models.QuerySet["Application"]):
    def for_firm_user(self, user: User) -> ApplicationQuerySet:
        return self.filter(firm__memberships__user=user)

    def for_officer(self, user: User) -> ApplicationQuerySet:
        return self.filter(program__officer_assignments__user=user)

    def with_status(self, *statuses: str) -> ApplicationQuerySet:
        return self.filter(status__in=statuses)


class Application(models.Model):
    # No index of their own: the (program, status) and (firm, status) indexes below lead with
    # these columns and serve every lookup by program or firm; a third and fourth copy would
    # only make each write to an application update two more indexes.
    program = models.ForeignKey(
        "programs.Program",
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("program"),
        db_index=False,
    )
    firm = models.ForeignKey(
        "firms.Firm", on_delete=models.PROTECT, related_name="applications", verbose_name=_("firm"), db_index=False
    )
    # Moved only by applications.transitions; never edited directly (admin shows it read-only).
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, editable=False)
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
            # The lists' default order (newest first, id as tie-break): without it a manager's
            # first page sorts every application (bench/RESULTS.md, 1M rows: 1.4 s).
            models.Index(fields=["-created_at", "id"], name="application_newest_first"),
        ]

    def __str__(self) -> str:
        return self.receipt_number or _("Draft #%(pk)s") % {"pk": self.pk}


class ApplicationDocument(models.Model):
    # The program's vocabulary: what a program may require is what a firm can attach.
    DocType = DocumentType

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
