"""Applications, their append-only history, allocations of capacity and outcome reports."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
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
    # Moved only by applications.services; never edited directly (admin shows it read-only).
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


class AppendOnlyQuerySet(models.QuerySet[Any]):
    """Refuses bulk UPDATE and DELETE of an append-only model's rows."""

    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError(self.model.append_only_message)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(self.model.append_only_message)


class AppendOnlyModel(models.Model):
    """A record: rows are inserted, never changed or deleted — by the ORM here, and on
    PostgreSQL by a trigger as well where a migration adds one (the status history)."""

    append_only_message = "These rows are append-only."

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError(self.append_only_message)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(self.append_only_message)


class StatusChange(AppendOnlyModel):
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

    append_only_message = "History rows are append-only."

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["application", "at"])]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


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

    class Meta:
        verbose_name = _("outcome follow-up")
        verbose_name_plural = _("outcome follow-ups")
        ordering = ["report", "months"]
        constraints = [models.UniqueConstraint(fields=["report", "months"], name="outcome_followup_unique_months")]

    def __str__(self) -> str:
        return _("%(months)s-month follow-up of %(report)s") % {"months": self.months, "report": self.report}


# --- Decisions: policy, sign-offs, selection runs and the waitlist ---------------------------


class DecisionPolicy(models.Model):
    """How a program's decisions are taken, set by a manager; a program without a row uses the
    defaults from settings (``applications.decisions.decision_policy_for`` resolves them)."""

    program = models.OneToOneField(
        "programs.Program",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="decision_policy",
        verbose_name=_("program"),
    )
    sign_off_threshold_krw = models.BigIntegerField(
        _("sign-off threshold (KRW)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_(
            "An approval granting more than this needs a manager's sign-off. Empty: the agency's default "
            "(DECISION_SIGN_OFF_THRESHOLD_KRW)."
        ),
    )
    value_per_unit_krw = models.BigIntegerField(
        _("value of one unit (KRW)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_(
            "What one booth or seat is worth when comparing a grant with the threshold. Empty: the subsidy "
            "per booth for trade shows, the agency's default seat value for delegations. Export funding is "
            "always counted in KRW."
        ),
    )
    requires_scores = models.BooleanField(
        _("decisions need review scores"),
        default=False,
        help_text=_("Refuse decisions on applications that reviewers have not scored yet."),
    )
    offer_days = models.PositiveSmallIntegerField(
        _("days to accept a waitlist offer"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Empty: the agency's default (WAITLIST_OFFER_DAYS)."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        verbose_name = _("decision policy")
        verbose_name_plural = _("decision policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(sign_off_threshold_krw__isnull=True) | Q(sign_off_threshold_krw__gte=0),
                name="decision_policy_threshold_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(value_per_unit_krw__isnull=True) | Q(value_per_unit_krw__gte=0),
                name="decision_policy_unit_value_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(offer_days__isnull=True) | Q(offer_days__gte=1), name="decision_policy_offer_days_positive"
            ),
        ]

    def __str__(self) -> str:
        return _("Decision policy of %(program)s") % {"program": self.program}


class DecisionSignOff(models.Model):
    """An approval above the program's threshold, waiting for a second person — a manager who
    did not ask for it — to sign it off or refuse it. Signing applies the decision."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for sign-off")
        SIGNED = "signed", _("Signed off")
        REFUSED = "refused", _("Refused")
        # The application was decided or withdrawn another way while the request waited.
        LAPSED = "lapsed", _("Lapsed")

    class Decision(models.TextChoices):
        APPROVE = "approve", _("Approve")
        WAITLIST = "waitlist", _("Waitlist")
        REJECT = "reject", _("Reject")

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="sign_offs", verbose_name=_("application")
    )
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices)
    units = models.BigIntegerField(_("units"), null=True, blank=True, validators=[MinValueValidator(1)])
    amount_krw = models.BigIntegerField(_("amount (KRW)"), null=True, blank=True)
    threshold_krw = models.BigIntegerField(_("threshold (KRW)"), null=True, blank=True)
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested"))
    status = models.CharField(_("status"), max_length=16, choices=State.choices, default=State.PENDING)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed off or refused by"),
    )
    signed_at = models.DateTimeField(_("signed off or refused"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("decision sign-off")
        verbose_name_plural = _("decision sign-offs")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # One open request per application: a second one would race the first at signing.
            models.UniqueConstraint(
                fields=["application"], condition=Q(status="pending"), name="uniq_pending_sign_off_per_application"
            ),
            # Four eyes, held by the database too: nobody signs off their own request.
            models.CheckConstraint(
                condition=Q(signed_by__isnull=True) | Q(requested_by__isnull=True) | ~Q(signed_by=F("requested_by")),
                name="sign_off_not_by_requester",
            ),
            models.CheckConstraint(
                condition=Q(status="pending", signed_at__isnull=True)
                | (~Q(status="pending") & Q(signed_at__isnull=False)),
                name="sign_off_closed_has_time",
            ),
        ]
        indexes = [models.Index(fields=["status", "requested_at"])]

    def __str__(self) -> str:
        return _("Sign-off of %(decision)s on %(application)s") % {
            "decision": self.get_decision_display(),
            "application": self.application,
        }


class SelectionRun(models.Model):
    """One committed ranked selection of a program: who ran it, on which preview, what it did.
    A program's waitlist starts offering freed places once a selection has run."""

    program = models.ForeignKey(
        "programs.Program", on_delete=models.PROTECT, related_name="selection_runs", verbose_name=_("program")
    )
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("run by")
    )
    run_at = models.DateTimeField(_("run"))
    fingerprint = models.CharField(_("preview fingerprint"), max_length=64)
    capacity = models.BigIntegerField(_("capacity"))
    allocated_before = models.BigIntegerField(_("allocated before"))
    approved = models.PositiveIntegerField(_("approved"))
    waitlisted = models.PositiveIntegerField(_("waitlisted"))

    class Meta:
        verbose_name = _("selection run")
        verbose_name_plural = _("selection runs")
        ordering = ["-run_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.program} · {self.run_at:%Y-%m-%d %H:%M}"


class WaitlistEntry(models.Model):
    """An application's place on its program's waitlist. ``rank`` grows as applications are
    waitlisted (selection waitlists in ranking order), so lower ranks are offered first."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="waitlist_entry", verbose_name=_("application")
    )
    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="waitlist_entries", verbose_name=_("program")
    )
    rank = models.PositiveIntegerField(_("waitlist rank"))
    created_at = models.DateTimeField(_("waitlisted"), auto_now_add=True)

    class Meta:
        verbose_name = _("waitlist entry")
        verbose_name_plural = _("waitlist entries")
        ordering = ["program", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["program", "rank"], name="uniq_waitlist_rank_per_program"),
            models.CheckConstraint(condition=Q(rank__gte=1), name="waitlist_rank_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.application} · #{self.rank}"


class WaitlistOfferQuerySet(models.QuerySet["WaitlistOffer"]):
    def live(self) -> WaitlistOfferQuerySet:
        return self.filter(status=WaitlistOffer.State.OFFERED)


class WaitlistOffer(models.Model):
    """A freed place offered to a waitlisted application. The units are allocated to it when
    the offer is made (so nobody else can take them) and released if it is declined, expires or
    is cancelled; accepting approves the application on that allocation."""

    class State(models.TextChoices):
        OFFERED = "offered", _("Offered")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")
        # The application left the waitlist another way (an officer rejected it).
        CANCELLED = "cancelled", _("Cancelled")

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="waitlist_offers", verbose_name=_("application")
    )
    program = models.ForeignKey(
        "programs.Program", on_delete=models.PROTECT, related_name="waitlist_offers", verbose_name=_("program")
    )
    units = models.BigIntegerField(_("units"), validators=[MinValueValidator(1)])
    offered_at = models.DateTimeField(_("offered"))
    expires_at = models.DateTimeField(_("answer by"))
    status = models.CharField(_("status"), max_length=16, choices=State.choices, default=State.OFFERED)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    objects = WaitlistOfferQuerySet.as_manager()

    class Meta:
        verbose_name = _("waitlist offer")
        verbose_name_plural = _("waitlist offers")
        ordering = ["-offered_at", "-pk"]
        constraints = [
            # One live offer per application: two promotions can never both offer it a place.
            models.UniqueConstraint(
                fields=["application"], condition=Q(status="offered"), name="uniq_live_offer_per_application"
            ),
            models.CheckConstraint(condition=Q(units__gte=1), name="waitlist_offer_units_positive"),
            models.CheckConstraint(condition=Q(expires_at__gt=F("offered_at")), name="waitlist_offer_expires_later"),
        ]
        indexes = [models.Index(fields=["status", "expires_at"])]

    def __str__(self) -> str:
        return _("Offer of %(units)s to %(application)s") % {"units": self.units, "application": self.application}

    @property
    def is_live(self) -> bool:
        return self.status == self.State.OFFERED
