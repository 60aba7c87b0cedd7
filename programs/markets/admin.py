"""Admin for target markets: country indicators, FTA records, MOUs and the priority weights.
Managers maintain them; officers look (permissions in migration programs/0004)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from firms.models import Sector
from programs.markets.services import priority_weights_update
from programs.models import MOU, CountryIndicator, CountryRelationship, PriorityFactor, PriorityWeights
from sme_support.admin_tools import ServiceSaveMixin


@admin.register(CountryIndicator)
class CountryIndicatorAdmin(admin.ModelAdmin):
    list_display = ("country", "indicator", "value", "year", "source", "updated_at")
    list_filter = ("indicator", "year")
    search_fields = ("country__iso2", "country__iso3", "country__name_en", "country__name_ko", "source")
    list_select_related = ("country",)
    autocomplete_fields = ("country",)
    readonly_fields = ("updated_at",)


@admin.register(CountryRelationship)
class CountryRelationshipAdmin(admin.ModelAdmin):
    list_display = ("country", "fta_in_force", "fta_name", "fta_since", "source", "updated_at")
    list_filter = ("fta_in_force",)
    search_fields = ("country__iso2", "country__iso3", "country__name_en", "country__name_ko", "fta_name")
    list_select_related = ("country",)
    autocomplete_fields = ("country",)
    readonly_fields = ("updated_at",)


class MOUForm(forms.ModelForm):
    sectors = forms.MultipleChoiceField(
        label=_("sectors covered"),
        choices=Sector.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked means not limited to particular sectors."),
    )

    class Meta:
        model = MOU
        fields = ("country", "partner_institution", "signed_on", "expires_on", "sectors", "scope")


class LiveFilter(admin.SimpleListFilter):
    title = _("live")
    parameter_name = "live"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("Live today")), ("no", _("Not yet signed or expired"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[MOU]) -> QuerySet[MOU]:
        live = MOU.objects.live().values("pk")
        if self.value() == "yes":
            return queryset.filter(pk__in=live)
        if self.value() == "no":
            return queryset.exclude(pk__in=live)
        return queryset


@admin.register(MOU)
class MOUAdmin(admin.ModelAdmin):
    form = MOUForm
    list_display = ("partner_institution", "country", "signed_on", "expires_on", "live_column", "sectors_column")
    list_filter = (LiveFilter, "signed_on")
    search_fields = ("partner_institution", "scope", "country__iso2", "country__name_en", "country__name_ko")
    list_select_related = ("country",)
    autocomplete_fields = ("country",)
    date_hierarchy = "signed_on"

    @admin.display(description=_("live"), boolean=True)
    def live_column(self, obj: MOU) -> bool:
        return obj.is_live(timezone.localdate())

    @admin.display(description=_("sectors covered"))
    def sectors_column(self, obj: MOU) -> str:
        labels = dict(Sector.choices)
        return ", ".join(str(labels.get(code, code)) for code in obj.sectors) or "—"


@admin.register(PriorityWeights)
class PriorityWeightsAdmin(ServiceSaveMixin, admin.ModelAdmin):
    """One row; saved through ``priority_weights_update`` like the /markets/ page's form."""

    list_display = ("__str__", *PriorityFactor.values, "updated_at", "updated_by")
    fields = (*PriorityFactor.values, "updated_at", "updated_by")
    readonly_fields = ("updated_at", "updated_by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not PriorityWeights.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: PriorityWeights | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: PriorityWeights, form: forms.ModelForm, change: bool) -> None:
        saved = priority_weights_update(
            actor=request.user,  # type: ignore[arg-type]
            weights={factor: getattr(obj, factor) for factor in PriorityFactor.values},
        )
        obj.pk = saved.pk
