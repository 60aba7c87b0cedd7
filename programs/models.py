"""Countries the agency works with, and the programs (calls) it opens each fiscal year."""

from __future__ import annotations

from datetime import date, datetime
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
from programs.choices import EligibilityRuleType
from programs.eligibility.specs import validate_params


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


# Kinds whose support ends in an event the firm files an outcome report on; accepting that
# report is what completes an approved application of these kinds.
OUTCOME_REPORTING_KINDS = frozenset({ProgramKind.TRADE_SHOW, ProgramKind.BUSINESS_DELEGATION})


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
    """How a call's applications are decided (README, "Selection modes"): by a ranked
    selection once the call has closed; automatically in order of arrival while capacity
    lasts; or by the officers one by one as applications are reviewed."""

    RANKED = "ranked", _("Ranked after the window closes")
    FCFS = "fcfs", _("First come, first served")
    ROLLING = "rolling", _("Decided by officers as applications arrive")


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
    ``applications.decisions.capacity`` and the check constraint below is the last line of
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
                errors.setdefault("co_funding_share", []).append(_("Export funding needs the share the firm co-funds."))
            bad = set(self.eligible_expenses or []) - set(ExpenseCategory.values)
            if bad:
                errors.setdefault("eligible_expenses", []).append(
                    _("Unknown expense categories: %(codes)s.") % {"codes": ", ".join(sorted(bad))}
                )
            if not self.eligible_expenses:
                errors.setdefault("eligible_expenses", []).append(_("Choose at least one eligible expense category."))
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
                    errors.setdefault("subsidy_per_booth_krw", []).append(
                        _("A trade show needs the subsidy per booth.")
                    )
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


# --- Eligibility rules ------------------------------------------------------------------------


class EligibilityRuleSet(models.Model):
    """The version of a program's eligibility rules.

    ``programs.services`` bumps ``version`` in the same transaction as any change to the
    program's rules (and locks this row while doing it, so two edits never interleave). Each
    application stores the version it was checked under; a program without a row is on
    version 0, its baseline rules.
    """

    program = models.OneToOneField(
        Program,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="eligibility_rule_set",
        verbose_name=_("program"),
    )
    version = models.PositiveIntegerField(_("rules version"), default=0, editable=False)
    changed_at = models.DateTimeField(_("rules changed"), null=True, blank=True, editable=False)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rules changed by"),
        editable=False,
    )

    class Meta:
        verbose_name = _("eligibility rule set")
        verbose_name_plural = _("eligibility rule sets")

    def __str__(self) -> str:
        return f"{self.program} · v{self.version}"


class EligibilityRule(models.Model):
    """One condition a firm must meet to be eligible for a program; the parameters are data
    that managers edit, validated per rule type."""

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="eligibility_rules", verbose_name=_("program")
    )
    rule_type = models.CharField(_("rule"), max_length=32, choices=EligibilityRuleType.choices)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("eligibility rule")
        verbose_name_plural = _("eligibility rules")
        ordering = ["program", "position", "pk"]
        constraints = [
            # One rule per type and program: a type's parameters already express any set or range.
            models.UniqueConstraint(fields=["program", "rule_type"], name="uniq_eligibility_rule_type_per_program"),
        ]

    def __str__(self) -> str:
        return f"{self.program} · {self.get_rule_type_display()}"

    def clean(self) -> None:
        if self.rule_type not in EligibilityRuleType.values:
            return  # the field's own choices validation reports it
        program = self.program if self.program_id is not None else None
        try:
            self.params = validate_params(self.rule_type, self.params, program=program)
        except ValidationError as error:
            raise ValidationError({"params": error.messages}) from error


# --- Target markets ---------------------------------------------------------------------------


class IndicatorCode(models.TextChoices):
    """The figures kept per country; the priority score (``programs.markets.priority``) is built on them."""

    GDP_USD = "gdp_usd", _("GDP (current USD)")
    GDP_GROWTH_PCT = "gdp_growth_pct", _("Real GDP growth (annual %)")
    TRADE_VOLUME_USD = "trade_volume_usd", _("Bilateral trade volume (USD)")
    CULTURAL_INTIMACY = "cultural_intimacy", _("Cultural intimacy (index 0–100)")
    IP_PROTECTION = "ip_protection", _("IP protection (index 0–100)")


# Indices the agency keeps on a 0–100 scale, and amounts that cannot be negative.
INDEX_INDICATORS = (IndicatorCode.CULTURAL_INTIMACY, IndicatorCode.IP_PROTECTION)
POSITIVE_INDICATORS = (IndicatorCode.GDP_USD,)
NON_NEGATIVE_INDICATORS = (IndicatorCode.TRADE_VOLUME_USD,)


class CountryIndicator(models.Model):
    """The latest known value of one indicator for one country, with the year it describes and
    where it came from. Re-imports overwrite the row: one row per (country, indicator)."""

    country = models.ForeignKey(Country, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("country"))
    indicator = models.CharField(_("indicator"), max_length=24, choices=IndicatorCode.choices)
    value = models.DecimalField(_("value"), max_digits=24, decimal_places=4)
    year = models.PositiveSmallIntegerField(
        _("year"),
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
        help_text=_("The year the value describes."),
    )
    source = models.CharField(_("source"), max_length=200)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("country indicator")
        verbose_name_plural = _("country indicators")
        ordering = ["country", "indicator"]
        constraints = [
            models.UniqueConstraint(fields=["country", "indicator"], name="uniq_country_indicator"),
            models.CheckConstraint(
                condition=~Q(indicator__in=INDEX_INDICATORS) | Q(value__gte=0, value__lte=100),
                name="country_indicator_index_0_100",
            ),
            models.CheckConstraint(
                condition=~Q(indicator__in=POSITIVE_INDICATORS) | Q(value__gt=0),
                name="country_indicator_gdp_positive",
            ),
            models.CheckConstraint(
                condition=~Q(indicator__in=NON_NEGATIVE_INDICATORS) | Q(value__gte=0),
                name="country_indicator_trade_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.country_id} · {self.get_indicator_display()} {self.year}"

    def clean(self) -> None:
        if self.value is None:
            return
        if self.indicator in INDEX_INDICATORS and not Decimal(0) <= self.value <= Decimal(100):
            raise ValidationError({"value": _("An index runs from 0 to 100.")})
        if self.indicator in POSITIVE_INDICATORS and self.value <= 0:
            raise ValidationError({"value": _("GDP must be above zero.")})
        if self.indicator in NON_NEGATIVE_INDICATORS and self.value < 0:
            raise ValidationError({"value": _("A trade volume cannot be negative.")})


class CountryRelationship(models.Model):
    """Whether Korea has a free trade agreement in force with the country, and since when.

    No row means "not recorded" (the FTA status is unknown), which the priority score treats
    as missing, not as "no FTA".
    """

    country = models.OneToOneField(
        Country, on_delete=models.CASCADE, primary_key=True, related_name="relationship", verbose_name=_("country")
    )
    fta_in_force = models.BooleanField(_("FTA in force"), default=False)
    fta_name = models.CharField(_("FTA"), max_length=200, blank=True, help_text=_("e.g. Korea–EU FTA."))
    fta_since = models.DateField(_("FTA in force since"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=200)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("bilateral relationship")
        verbose_name_plural = _("bilateral relationships")
        ordering = ["country"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fta_in_force=True) | Q(fta_since__isnull=True), name="country_relationship_since_needs_fta"
            ),
        ]

    def __str__(self) -> str:
        return str(self.country)

    def clean(self) -> None:
        if self.fta_in_force and self.fta_since is None:
            raise ValidationError({"fta_since": _("Give the date the FTA entered into force.")})
        if not self.fta_in_force and self.fta_since is not None:
            raise ValidationError({"fta_since": _("Leave this empty when no FTA is in force.")})


class MOUQuerySet(models.QuerySet["MOU"]):
    def live(self, on: date | None = None) -> MOUQuerySet:
        """Signed on or before ``on`` and not expired by then (an MOU without an end date never expires)."""
        day = on or timezone.localdate()
        return self.filter(signed_on__lte=day).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=day))


class MOU(models.Model):
    """A memorandum of understanding with an institution of a partner country. Live MOUs count
    toward the relationship maturity of the country (``programs.markets.priority``)."""

    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="mous", verbose_name=_("partner country")
    )
    partner_institution = models.CharField(_("partner institution"), max_length=200)
    signed_on = models.DateField(_("signed on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True, help_text=_("Empty: no end date."))
    sectors = models.JSONField(
        _("sectors covered"), default=list, blank=True, help_text=_("Empty means not limited to particular sectors.")
    )
    scope = models.TextField(_("scope"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = MOUQuerySet.as_manager()

    class Meta:
        verbose_name = _("MOU")
        verbose_name_plural = _("MOUs")
        ordering = ["-signed_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "partner_institution", "signed_on"], name="uniq_mou_partner_signed_on"
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=F("signed_on")),
                name="mou_expires_after_signing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner_institution} ({self.country_id}, {self.signed_on:%Y-%m-%d})"

    def is_live(self, on: date | None = None) -> bool:
        day = on or timezone.localdate()
        return self.signed_on <= day and (self.expires_on is None or self.expires_on >= day)

    def clean(self) -> None:
        errors: dict[str, list[str | Promise]] = {}
        if not isinstance(self.sectors, list) or not all(isinstance(s, str) for s in self.sectors):
            errors["sectors"] = [_("Sectors must be a list of sector codes.")]
        else:
            unknown = set(self.sectors) - set(Sector.values)
            if unknown:
                errors["sectors"] = [_("Unknown sectors: %(codes)s.") % {"codes": ", ".join(sorted(unknown))}]
            else:
                # One entry per sector, in the order of the sector list, so equal sets compare equal.
                self.sectors = [s for s in Sector.values if s in set(self.sectors)]
        if self.signed_on and self.expires_on and self.expires_on < self.signed_on:
            errors["expires_on"] = [_("An MOU cannot expire before it is signed.")]
        if errors:
            raise ValidationError(errors)


class PriorityFactor(models.TextChoices):
    """The five factors of a country's priority score, in display order; each is also the name
    of its weight on ``PriorityWeights``."""

    MARKET_SIZE = "market_size", _("Market size")
    GROWTH_POTENTIAL = "growth_potential", _("Growth potential")
    RELATIONSHIP_MATURITY = "relationship_maturity", _("Relationship maturity")
    CULTURAL_INTIMACY = "cultural_intimacy", _("Cultural intimacy")
    IP_PROTECTION = "ip_protection", _("IP protection")


# Each weight's default and what it weighs.
_WEIGHT_DEFAULTS = {
    PriorityFactor.MARKET_SIZE: (30, _("GDP (current USD), on a log scale.")),
    PriorityFactor.GROWTH_POTENTIAL: (20, _("Real GDP growth.")),
    PriorityFactor.RELATIONSHIP_MATURITY: (20, _("FTA in force, live MOUs and bilateral trade volume.")),
    PriorityFactor.CULTURAL_INTIMACY: (15, _("The agency's cultural intimacy index.")),
    PriorityFactor.IP_PROTECTION: (15, _("The IP-protection index.")),
}


def _weight_field(factor: PriorityFactor) -> models.DecimalField:
    default, help_text = _WEIGHT_DEFAULTS[factor]
    return models.DecimalField(
        factor.label,
        max_digits=5,
        decimal_places=2,
        default=Decimal(default),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        help_text=help_text,
    )


class PriorityWeights(models.Model):
    """The manager-set weights of the five factors: a single row (pk 1).

    Only the ratios between weights matter: a country's score divides by the sum of the
    weights of the factors it has data for. Change them through
    ``programs.markets.priority_weights_update``.
    """

    SINGLETON_PK = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_PK, editable=False)
    market_size = _weight_field(PriorityFactor.MARKET_SIZE)
    growth_potential = _weight_field(PriorityFactor.GROWTH_POTENTIAL)
    relationship_maturity = _weight_field(PriorityFactor.RELATIONSHIP_MATURITY)
    cultural_intimacy = _weight_field(PriorityFactor.CULTURAL_INTIMACY)
    ip_protection = _weight_field(PriorityFactor.IP_PROTECTION)
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
        verbose_name = _("priority weights")
        verbose_name_plural = _("priority weights")
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="priority_weights_singleton"),
            models.CheckConstraint(
                condition=Q(
                    market_size__gte=0,
                    growth_potential__gte=0,
                    relationship_maturity__gte=0,
                    cultural_intimacy__gte=0,
                    ip_protection__gte=0,
                ),
                name="priority_weights_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(market_size__gt=0)
                | Q(growth_potential__gt=0)
                | Q(relationship_maturity__gt=0)
                | Q(cultural_intimacy__gt=0)
                | Q(ip_protection__gt=0),
                name="priority_weights_not_all_zero",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Priority weights"))

    def as_dict(self) -> dict[str, Decimal]:
        return {factor: Decimal(getattr(self, factor)) for factor in PriorityFactor.values}

    def clean(self) -> None:
        values = [getattr(self, factor) for factor in PriorityFactor.values]
        if all(value is not None for value in values) and not any(value > 0 for value in values):
            raise ValidationError(_("At least one weight must be above zero."))
