"""Decisions and what they hold: allocations of a program's capacity, each program's decision
policy, four-eyes sign-offs, ranked selection runs, and the waitlist with its offers."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from applications.models.application import Application


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
