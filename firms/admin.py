"""Admin for the SME registry. Saving a firm goes through ``firms.services`` so that its size
class and export tier are always derived from the threshold tables, never typed in."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from firms.models import ExportProduct, ExportTierBand, Firm, FirmMembership, IPHolding, SizeClassThreshold
from firms.services import registry as services
from firms.validators import is_valid_brn, normalize_brn
from sme_support.admin_tools import ServiceSaveMixin

# The fields a firm's form edits; everything else on the row is derived or stamped.
FIRM_FORM_FIELDS = (
    "brn",
    "name_ko",
    "name_en",
    "region",
    "sector",
    "founded_on",
    "employees",
    "annual_revenue_krw",
    "exports_last_year_usd",
    "markets_of_interest",
    "website",
    "sanctioned_until",
    "sanction_reason",
)


def _https_by_default(db_field: models.Field, **kwargs: Any) -> forms.Field | None:
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


class FirmAdminForm(forms.ModelForm):
    class Meta:
        model = Firm
        fields = FIRM_FORM_FIELDS
        formfield_callback = _https_by_default

    # Accepts the usual 123-45-67890 spelling; the model field holds the 10 digits and its
    # validator (format and check digit) runs on the normalised value.
    brn = forms.CharField(
        label=capfirst(Firm._meta.get_field("brn").verbose_name),
        max_length=12,
        help_text=Firm._meta.get_field("brn").help_text,
    )

    def clean_brn(self) -> str:
        # Normalised here so that the uniqueness check compares what will be stored.
        return normalize_brn(self.cleaned_data["brn"])


class FirmMembershipInline(admin.TabularInline):
    model = FirmMembership
    extra = 0
    fields = ("user", "role", "joined_at")
    readonly_fields = ("joined_at",)
    autocomplete_fields = ("user",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[FirmMembership]:
        return super().get_queryset(request).select_related("user")


class IPHoldingInline(admin.TabularInline):
    model = IPHolding
    extra = 0
    fields = ("kind", "country", "registration_number", "registered_on", "title")
    autocomplete_fields = ("country",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[IPHolding]:
        return super().get_queryset(request).select_related("country")


class ExportProductInline(admin.TabularInline):
    model = ExportProduct
    extra = 0
    fields = ("hs_code", "description")


@admin.register(Firm)
class FirmAdmin(ServiceSaveMixin, admin.ModelAdmin):
    form = FirmAdminForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = (
        "name_ko",
        "name_en",
        "brn_column",
        "sector",
        "size_class",
        "export_tier",
        "region",
        "employees",
        "exports_column",
        "sanctioned_until",
    )
    list_filter = ("sector", "size_class", "export_tier", "region", ("sanctioned_until", admin.EmptyFieldListFilter))
    search_fields = ("brn", "name_ko", "name_en")
    date_hierarchy = "created_at"
    readonly_fields = ("size_class", "export_tier", "created_at", "updated_at")
    autocomplete_fields = ("markets_of_interest",)
    inlines = (FirmMembershipInline, IPHoldingInline, ExportProductInline)
    fieldsets = (
        (None, {"fields": ("brn", ("name_ko", "name_en"), "region", "sector", "founded_on", "website")}),
        (
            _("Size and exports"),
            {
                "fields": (
                    "employees",
                    "annual_revenue_krw",
                    "exports_last_year_usd",
                    ("size_class", "export_tier"),
                    "markets_of_interest",
                ),
                "description": _(
                    "Size class and export tier are derived from the size-class thresholds and export-tier bands when the firm is saved."
                ),
            },
        ),
        (_("Sanctions"), {"fields": ("sanctioned_until", "sanction_reason")}),
        (_("Record"), {"fields": ("created_at", "updated_at")}),
    )

    @admin.display(description=_("business registration number"), ordering="brn")
    def brn_column(self, obj: Firm) -> str:
        return obj.brn_display

    @admin.display(description=_("exports last year (USD)"), ordering="exports_last_year_usd")
    def exports_column(self, obj: Firm) -> str:
        return intcomma(obj.exports_last_year_usd)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Firm], search_term: str
    ) -> tuple[QuerySet[Firm], bool]:
        # Staff paste numbers as printed on certificates (123-45-67890); the column has no dashes.
        if is_valid_brn(search_term):
            search_term = normalize_brn(search_term)
        return super().get_search_results(request, queryset, search_term)

    def save_model(self, request: HttpRequest, obj: Firm, form: forms.ModelForm, change: bool) -> None:
        fields = {name: form.cleaned_data[name] for name in FIRM_FORM_FIELDS if name in form.cleaned_data}
        try:
            if change:
                services.firm_update(firm=obj, **fields)
                return
            created = services.firm_create(**fields)
        except IntegrityError as exc:
            # Only the registration number is unique; a concurrent save took it after the form checked.
            raise ValidationError(
                {"brn": gettext("Another firm with this business registration number was saved just now.")}
            ) from exc
        # The admin keeps using ``obj`` (inlines, log entry, redirect): give it the saved row.
        for field in Firm._meta.concrete_fields:
            setattr(obj, field.attname, getattr(created, field.attname))
        obj._state.adding = False
        obj._state.db = created._state.db

    def save_related(self, request: HttpRequest, form: forms.ModelForm, formsets: list[Any], change: bool) -> None:
        # Markets of interest were set by the service; only the inlines are left.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request: HttpRequest, form: forms.ModelForm, formset: Any, change: bool) -> None:
        if formset.model is not FirmMembership:
            super().save_formset(request, form, formset, change)
            return
        # New members go through the service, which also puts them in the sme_staff group.
        memberships = formset.save(commit=False)
        for membership in formset.deleted_objects:
            membership.delete()
        for membership in memberships:
            if membership.pk is None:
                services.firm_add_member(firm=form.instance, user=membership.user, role=membership.role)
            else:
                membership.save()


class _RederivesFirmsMixin:
    """Thresholds and bands are what size classes and tiers are derived from: after any
    change, every firm is recomputed (set-based, a handful of UPDATEs)."""

    def _rederive(self, request: HttpRequest) -> None:
        services.firms_rederive_all()
        self.message_user(  # type: ignore[attr-defined]
            request, gettext("Every firm's size class and export tier were recomputed."), messages.INFO
        )

    def save_model(self, request: HttpRequest, obj: Model, form: forms.ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        self._rederive(request)

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        super().delete_model(request, obj)  # type: ignore[misc]
        self._rederive(request)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        super().delete_queryset(request, queryset)  # type: ignore[misc]
        self._rederive(request)


@admin.register(SizeClassThreshold)
class SizeClassThresholdAdmin(_RederivesFirmsMixin, admin.ModelAdmin):
    list_display = ("sector", "size_class", "max_employees", "revenue_column", "legal_basis")
    list_filter = ("sector", "size_class")
    search_fields = ("legal_basis",)

    @admin.display(description=_("maximum annual revenue (KRW)"), ordering="max_revenue_krw")
    def revenue_column(self, obj: SizeClassThreshold) -> str:
        return intcomma(obj.max_revenue_krw) if obj.max_revenue_krw is not None else "—"


class ExportTierBandForm(forms.ModelForm):
    class Meta:
        model = ExportTierBand
        fields = ("tier", "min_exports_usd", "max_exports_usd")

    def clean(self) -> dict[str, Any]:
        super().clean()
        low, high = self.cleaned_data.get("min_exports_usd"), self.cleaned_data.get("max_exports_usd")
        if low is not None and high is not None and high <= low:
            self.add_error("max_exports_usd", gettext("The upper bound must be above the lower bound."))
        return self.cleaned_data


@admin.register(ExportTierBand)
class ExportTierBandAdmin(_RederivesFirmsMixin, admin.ModelAdmin):
    form = ExportTierBandForm
    list_display = ("tier", "min_column", "max_column")

    @admin.display(description=_("from (USD, inclusive)"), ordering="min_exports_usd")
    def min_column(self, obj: ExportTierBand) -> str:
        return intcomma(obj.min_exports_usd)

    @admin.display(description=_("to (USD, exclusive)"), ordering="max_exports_usd")
    def max_column(self, obj: ExportTierBand) -> str:
        return intcomma(obj.max_exports_usd) if obj.max_exports_usd is not None else "—"
