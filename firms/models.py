"""The SME registry: firms, who works for them, what they hold and sell."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.auth.models import User
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from firms.validators import format_brn, validate_brn


class Sector(models.TextChoices):
    """The seed report's creative-industry concept: cultural content widened with design,
    architecture, and ICT and R&D services."""

    PUBLISHING = "publishing", _("Publishing")
    COMICS = "comics", _("Comics")
    MUSIC = "music", _("Music")
    GAMES = "games", _("Games")
    FILM = "film", _("Film")
    ANIMATION = "animation", _("Animation")
    BROADCASTING = "broadcasting", _("Broadcasting")
    CHARACTER = "character", _("Character")
    KNOWLEDGE_INFORMATION = "knowledge_information", _("Knowledge information")
    CONTENT_SOLUTIONS = "content_solutions", _("Content solutions")
    ADVERTISING = "advertising", _("Advertising")
    DESIGN = "design", _("Design")
    ARCHITECTURE = "architecture", _("Architecture")
    ICT_SERVICES = "ict_services", _("ICT services")
    RND_SERVICES = "rnd_services", _("R&D services")


class Region(models.TextChoices):
    SEOUL = "seoul", _("Seoul")
    BUSAN = "busan", _("Busan")
    DAEGU = "daegu", _("Daegu")
    INCHEON = "incheon", _("Incheon")
    GWANGJU = "gwangju", _("Gwangju")
    DAEJEON = "daejeon", _("Daejeon")
    ULSAN = "ulsan", _("Ulsan")
    SEJONG = "sejong", _("Sejong")
    GYEONGGI = "gyeonggi", _("Gyeonggi")
    GANGWON = "gangwon", _("Gangwon")
    CHUNGBUK = "chungbuk", _("North Chungcheong")
    CHUNGNAM = "chungnam", _("South Chungcheong")
    JEONBUK = "jeonbuk", _("North Jeolla")
    JEONNAM = "jeonnam", _("South Jeolla")
    GYEONGBUK = "gyeongbuk", _("North Gyeongsang")
    GYEONGNAM = "gyeongnam", _("South Gyeongsang")
    JEJU = "jeju", _("Jeju")


class SizeClass(models.TextChoices):
    MICRO = "micro", _("Micro")
    SMALL = "small", _("Small")
    MEDIUM = "medium", _("Medium")
    NON_SME = "non_sme", _("Non-SME")


class ExportTier(models.TextChoices):
    """Bands of last year's exports, as the export-voucher program uses them."""

    DOMESTIC = "domestic", _("Domestic (no exports)")
    STARTER = "starter", _("Export starter")
    PROMISING = "promising", _("Promising exporter")
    GROWING = "growing", _("Growing exporter")
    GLOBAL = "global", _("Global exporter")


class SizeClassThreshold(models.Model):
    """One row of the Framework Act on SMEs table: the largest firm of ``sector`` that still
    counts as ``size_class``. A blank limit does not apply. Kept as data so that a change in
    the decree is an admin edit, not a release."""

    sector = models.CharField(_("sector"), max_length=32, choices=Sector.choices)
    size_class = models.CharField(
        _("size class"),
        max_length=16,
        choices=[c for c in SizeClass.choices if c[0] != SizeClass.NON_SME],
    )
    max_employees = models.PositiveIntegerField(_("maximum employees"), null=True, blank=True)
    max_revenue_krw = models.BigIntegerField(
        _("maximum annual revenue (KRW)"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("size-class threshold")
        verbose_name_plural = _("size-class thresholds")
        constraints = [
            models.UniqueConstraint(fields=["sector", "size_class"], name="uniq_threshold_sector_class"),
        ]
        ordering = ["sector", "size_class"]

    def __str__(self) -> str:
        return f"{self.get_sector_display()} · {self.get_size_class_display()}"


class ExportTierBand(models.Model):
    """Last year's exports in USD, ``min_exports_usd`` inclusive, ``max_exports_usd`` exclusive."""

    tier = models.CharField(_("export tier"), max_length=16, choices=ExportTier.choices, unique=True)
    min_exports_usd = models.BigIntegerField(_("from (USD, inclusive)"), validators=[MinValueValidator(0)])
    max_exports_usd = models.BigIntegerField(_("to (USD, exclusive)"), null=True, blank=True)

    class Meta:
        verbose_name = _("export-tier band")
        verbose_name_plural = _("export-tier bands")
        ordering = ["min_exports_usd"]

    def __str__(self) -> str:
        return str(self.get_tier_display())


class FirmQuerySet(models.QuerySet["Firm"]):
    def for_user_membership(self, user: User) -> FirmQuerySet:
        return self.filter(memberships__user=user)


class Firm(models.Model):
    brn = models.CharField(
        _("business registration number"),
        max_length=10,
        unique=True,
        validators=[validate_brn],
        help_text=_("10 digits; dashes are removed."),
    )
    name_ko = models.CharField(_("name (Korean)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    region = models.CharField(_("region"), max_length=16, choices=Region.choices)
    founded_on = models.DateField(_("founding date"))
    employees = models.PositiveIntegerField(_("employees"))
    annual_revenue_krw = models.BigIntegerField(_("annual revenue (KRW)"), validators=[MinValueValidator(0)])
    exports_last_year_usd = models.BigIntegerField(
        _("exports last year (USD)"), default=0, validators=[MinValueValidator(0)]
    )
    sector = models.CharField(_("creative sector"), max_length=32, choices=Sector.choices)
    # Derived from the threshold tables by firms.services; stored so that statistics can
    # group by them in the database.
    size_class = models.CharField(_("size class"), max_length=16, choices=SizeClass.choices, editable=False)
    export_tier = models.CharField(_("export tier"), max_length=16, choices=ExportTier.choices, editable=False)
    markets_of_interest = models.ManyToManyField(
        "programs.Country", verbose_name=_("markets of interest"), blank=True, related_name="+"
    )
    website = models.URLField(_("website"), blank=True)
    sanctioned_until = models.DateField(
        _("sanctioned until"),
        null=True,
        blank=True,
        help_text=_("While set and in the future, the firm may not receive support."),
    )
    sanction_reason = models.CharField(_("sanction reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = FirmQuerySet.as_manager()

    class Meta:
        verbose_name = _("firm")
        verbose_name_plural = _("firms")
        ordering = ["name_en", "pk"]
        indexes = [
            models.Index(fields=["sector"]),
            models.Index(fields=["size_class"]),
            models.Index(fields=["region"]),
        ]

    def __str__(self) -> str:
        return f"{self.name_ko} ({self.name_en})"

    @property
    def brn_display(self) -> str:
        return format_brn(self.brn)

    def is_sanctioned(self, on: date | None = None) -> bool:
        day = on or timezone.localdate()
        return self.sanctioned_until is not None and self.sanctioned_until >= day


class FirmMembership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        MEMBER = "member", _("Member")

    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("firm"))
    # A portal user speaks for one firm; several users may share a firm.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="firm_membership", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        verbose_name = _("firm membership")
        verbose_name_plural = _("firm memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.firm}"


class IPHolding(models.Model):
    class Kind(models.TextChoices):
        TRADEMARK = "trademark", _("Trademark")
        PATENT = "patent", _("Patent")
        DESIGN = "design", _("Design right")
        COPYRIGHT = "copyright", _("Copyright")

    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="ip_holdings", verbose_name=_("firm"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    country = models.ForeignKey(
        "programs.Country", on_delete=models.PROTECT, related_name="+", verbose_name=_("registered in")
    )
    registration_number = models.CharField(_("registration number"), max_length=64)
    registered_on = models.DateField(_("registration date"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("IP holding")
        verbose_name_plural = _("IP holdings")
        constraints = [
            models.UniqueConstraint(fields=["firm", "kind", "country", "registration_number"], name="uniq_ip_holding")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.registration_number} ({self.country_id})"


hs_code_validator = RegexValidator(r"^\d{4}(\d{2}){0,3}$", _("An HS code has 4, 6, 8 or 10 digits, without dots."))


class ExportProduct(models.Model):
    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="export_products", verbose_name=_("firm"))
    hs_code = models.CharField(_("HS code"), max_length=10, validators=[hs_code_validator])
    description = models.CharField(_("description"), max_length=200)

    class Meta:
        verbose_name = _("export product")
        verbose_name_plural = _("export products")
        constraints = [models.UniqueConstraint(fields=["firm", "hs_code"], name="uniq_firm_hs_code")]

    def __str__(self) -> str:
        return f"{self.hs_code} {self.description}"


# --- Joining a firm: invitations and requests (tables of the portal app) ----------------------


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
        # First written for the portal: the tables keep its label, so no data moves.
        app_label = "portal"
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
        # First written for the portal: the tables keep its label, so no data moves.
        app_label = "portal"
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
