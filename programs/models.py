"""Countries the agency works with, and the programs (calls) it opens each fiscal year."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from firms.models import Sector


class Country(models.Model):
    """An ISO 3166-1 country; the full list is loaded by a data migration."""

    iso2 = models.CharField(_("ISO code"), max_length=2, primary_key=True)
    iso3 = models.CharField(_("ISO alpha-3 code"), max_length=3, unique=True)
    numeric = models.CharField(_("ISO numeric code"), max_length=3)
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_ko = models.CharField(_("name (Korean)"), max_length=100)
    is_strategic_target = models.BooleanField(_("strategic target"), default=False)

    class Meta:
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        ordering = ["name_en"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_ko if (get_language() or "").startswith("ko") else self.name_en


class ProgramKind(models.TextChoices):
    EXPORT_FUNDING = "export_funding", _("Export funding")
    TRADE_SHOW = "trade_show", _("Trade show")
    BUSINESS_DELEGATION = "business_delegation", _("Business delegation")


class CapacityUnit(models.TextChoices):
    KRW = "krw", _("KRW")
    BOOTH = "booth", _("booths")
    SEAT = "seat", _("seats")


CAPACITY_UNIT_BY_KIND: dict[str, str] = {
    ProgramKind.EXPORT_FUNDING: CapacityUnit.KRW,
    ProgramKind.TRADE_SHOW: CapacityUnit.BOOTH,
    ProgramKind.BUSINESS_DELEGATION: CapacityUnit.SEAT,
}


class SelectionMode(models.TextChoices):
    RANKED = "ranked", _("Ranked after the window closes")
    FCFS = "fcfs", _("First come, first served")


class ExpenseCategory(models.TextChoices):
    MARKET_RESEARCH = "market_research", _("Market research")
    TRANSLATION = "translation", _("Translation and localisation")
    IP_REGISTRATION = "ip_registration", _("IP registration abroad")
    MARKETING_MATERIAL = "marketing_material", _("Marketing material")
    BOOTH_COSTS = "booth_costs", _("Booth costs")
    CERTIFICATION = "certification", _("Certification")
    TRAVEL = "travel", _("Travel")


class ProgramQuerySet(models.QuerySet["Program"]):
    def open_at(self, when: datetime | None = None) -> ProgramQuerySet:
        now = when or timezone.now()
        return self.filter(opens_at__lte=now, closes_at__gt=now)

    def assigned_to(self, user: User) -> ProgramQuerySet:
        return self.filter(officer_assignments__user=user)


class Program(models.Model):
    """One call for applications in one fiscal year.

    ``capacity`` is in the kind's unit (KRW, booths, seats). ``allocated`` is the sum of the
    live allocations; it only moves through a conditional UPDATE in
    ``applications.services.allocation`` and the check constraint below is the last line of
    defence: approved units can never exceed capacity, whatever the concurrency.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=24, choices=ProgramKind.choices)
    title_ko = models.CharField(_("title (Korean)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    description_ko = models.TextField(_("description (Korean)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    fiscal_year = models.PositiveSmallIntegerField(
        _("fiscal year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    opens_at = models.DateTimeField(_("applications open"))
    closes_at = models.DateTimeField(_("applications close"))
    capacity = models.BigIntegerField(_("capacity"), validators=[MinValueValidator(1)])
    allocated = models.BigIntegerField(_("allocated"), default=0, editable=False)
    per_firm_cap = models.BigIntegerField(
        _("per-firm cap"),
        validators=[MinValueValidator(1)],
        help_text=_("The most one firm may be granted, in the program's unit."),
    )
    selection_mode = models.CharField(
        _("selection mode"), max_length=8, choices=SelectionMode.choices, default=SelectionMode.RANKED
    )
    target_countries = models.ManyToManyField(
        Country, verbose_name=_("target countries"), blank=True, related_name="programs"
    )
    target_sectors = models.JSONField(
        _("target sectors"), default=list, blank=True, help_text=_("Empty means every creative sector.")
    )
    review_target_days = models.PositiveSmallIntegerField(
        _("review target (days)"), default=14, help_text=_("How long an application may wait for review.")
    )
    # Export funding.
    co_funding_share = models.DecimalField(
        _("firm's co-funding share (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    eligible_expenses = models.JSONField(_("eligible expense categories"), default=list, blank=True)
    # Trade shows and delegations.
    event_name = models.CharField(_("event"), max_length=200, blank=True)
    event_city = models.CharField(_("city"), max_length=100, blank=True)
    event_country = models.ForeignKey(
        Country,
        verbose_name=_("event country"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organiser = models.CharField(_("organiser"), max_length=200, blank=True)
    event_starts_on = models.DateField(_("event starts"), null=True, blank=True)
    event_ends_on = models.DateField(_("event ends"), null=True, blank=True)
    subsidy_per_booth_krw = models.BigIntegerField(_("subsidy per booth (KRW)"), null=True, blank=True)
    firm_fee_krw = models.BigIntegerField(_("firm's fee (KRW)"), null=True, blank=True)
    buyer_matchmaking = models.BooleanField(_("buyer matchmaking"), default=False)
    officers: models.ManyToManyField[User, ProgramOfficer] = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="ProgramOfficer",
        related_name="assigned_programs",
        verbose_name=_("officers"),
        blank=True,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ProgramQuerySet.as_manager()

    class Meta:
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        ordering = ["-fiscal_year", "closes_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(allocated__gte=0) & Q(allocated__lte=F("capacity")),
                name="program_allocated_within_capacity",
            ),
            models.CheckConstraint(condition=Q(closes_at__gt=F("opens_at")), name="program_window_order"),
        ]
        indexes = [models.Index(fields=["kind", "fiscal_year"])]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return self.title_ko if (get_language() or "").startswith("ko") else self.title_en

    @property
    def capacity_unit(self) -> str:
        return CAPACITY_UNIT_BY_KIND[self.kind]

    @property
    def capacity_remaining(self) -> int:
        return self.capacity - self.allocated

    def is_open(self, when: datetime | None = None) -> bool:
        now = when or timezone.now()
        return self.opens_at <= now < self.closes_at

    def clean(self) -> None:
        errors: dict[str, list[str | Promise]] = {}
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            errors.setdefault("closes_at", []).append(_("The call must close after it opens."))
        if self.capacity and self.per_firm_cap and self.per_firm_cap > self.capacity:
            errors.setdefault("per_firm_cap", []).append(_("The per-firm cap cannot exceed the capacity."))
        unknown = set(self.target_sectors or []) - set(Sector.values)
        if unknown:
            errors.setdefault("target_sectors", []).append(
                _("Unknown sectors: %(codes)s.") % {"codes": ", ".join(sorted(unknown))}
            )
        if self.kind == ProgramKind.EXPORT_FUNDING:
            if self.co_funding_share is None:
                errors.setdefault("co_funding_share", []).append(
                    _("Export funding needs the share the firm co-funds.")
                )
            bad = set(self.eligible_expenses or []) - set(ExpenseCategory.values)
            if bad:
                errors.setdefault("eligible_expenses", []).append(
                    _("Unknown expense categories: %(codes)s.") % {"codes": ", ".join(sorted(bad))}
                )
            if not self.eligible_expenses:
                errors.setdefault("eligible_expenses", []).append(
                    _("Choose at least one eligible expense category.")
                )
        elif self.kind in (ProgramKind.TRADE_SHOW, ProgramKind.BUSINESS_DELEGATION):
            for field in ("event_name", "event_city", "event_starts_on", "event_ends_on"):
                if not getattr(self, field):
                    errors.setdefault(field, []).append(_("Trade shows and delegations need this."))
            if self.event_country_id is None:
                errors.setdefault("event_country", []).append(_("Trade shows and delegations need this."))
            if self.event_starts_on and self.event_ends_on and self.event_ends_on < self.event_starts_on:
                errors.setdefault("event_ends_on", []).append(_("The event cannot end before it starts."))
            if self.kind == ProgramKind.TRADE_SHOW:
                if self.subsidy_per_booth_krw is None:
                    errors.setdefault("subsidy_per_booth_krw", []).append(_("A trade show needs the subsidy per booth."))
                if self.firm_fee_krw is None:
                    errors.setdefault("firm_fee_krw", []).append(_("A trade show needs the firm's fee."))
        if errors:
            raise ValidationError(errors)


class ProgramOfficer(models.Model):
    """An officer assigned to a program; the lead assigns reviewers and runs selection."""

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="officer_assignments", verbose_name=_("program")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="program_assignments",
        verbose_name=_("officer"),
    )
    is_lead = models.BooleanField(_("program lead"), default=False)

    class Meta:
        verbose_name = _("program officer")
        verbose_name_plural = _("program officers")
        constraints = [models.UniqueConstraint(fields=["program", "user"], name="uniq_program_officer")]

    def __str__(self) -> str:
        return f"{self.user} → {self.program}"
