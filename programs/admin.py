"""Admin for countries, programs and who works on them. Managers configure; officers look.

A program's eligibility rules are edited inline on the program's page, but saved as one set
through ``programs.services.eligibility_rules_replace`` — never row by row — so each save
bumps the rules version once and enqueues one bulk re-check of the open applications.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Model, Q, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from firms.models import Sector
from programs.eligibility.specs import RULE_SPECS
from programs.markets import admin as markets_admin  # noqa: F401  (registers the target-market admins)
from programs.models import (
    CapacityUnit,
    Country,
    EligibilityRule,
    EligibilityRuleSet,
    ExpenseCategory,
    Program,
    ProgramOfficer,
)
from programs.services import eligibility_rules_replace
from sme_support.admin_tools import ServiceSaveMixin
from sme_support.roles import Role, is_manager, is_officer


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ("iso2", "iso3", "name_en", "name_ko", "is_strategic_target")
    list_filter = ("is_strategic_target",)
    search_fields = ("iso2", "iso3", "name_en", "name_ko")
    ordering = ("name_en",)

    def get_readonly_fields(self, request: HttpRequest, obj: Country | None = None) -> tuple[str, ...]:
        # The ISO code is the key: editing it would save a second country, not rename this one.
        return ("iso2",) if obj is not None else ()


def _assignable_officers() -> QuerySet[Any]:
    """Officers (and managers) can be assigned; users already assigned stay selectable so that
    an old row does not fail validation after someone left the group."""
    return (
        get_user_model()
        .objects.filter(Q(groups__name__in=[Role.OFFICER, Role.MANAGER]) | Q(program_assignments__isnull=False))
        .distinct()
        .order_by("username")
    )


class _OfficerChoiceMixin:
    def formfield_for_foreignkey(self, db_field: models.ForeignKey, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "user":
            kwargs["queryset"] = _assignable_officers()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]


class ProgramOfficerInline(_OfficerChoiceMixin, admin.TabularInline):
    model = ProgramOfficer
    extra = 0
    fields = ("user", "is_lead")

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProgramOfficer]:
        return super().get_queryset(request).select_related("user")


class ProgramAdminForm(forms.ModelForm):
    # Stored as JSON lists of codes; offered as checkboxes so nobody types codes by hand.
    target_sectors = forms.MultipleChoiceField(
        label=capfirst(_("target sectors")),
        choices=Sector.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Empty means every creative sector."),
    )
    eligible_expenses = forms.MultipleChoiceField(
        label=capfirst(_("eligible expense categories")),
        choices=ExpenseCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Program
        fields = (
            "code",
            "kind",
            "fiscal_year",
            "title_ko",
            "title_en",
            "description_ko",
            "description_en",
            "opens_at",
            "closes_at",
            "selection_mode",
            "review_target_days",
            "capacity",
            "per_firm_cap",
            "target_countries",
            "target_sectors",
            "co_funding_share",
            "eligible_expenses",
            "event_name",
            "event_city",
            "event_country",
            "organiser",
            "event_starts_on",
            "event_ends_on",
            "subsidy_per_booth_krw",
            "firm_fee_krw",
            "buyer_matchmaking",
        )


# --- Eligibility rules --------------------------------------------------------------------------

# Set on the request when eligibility_rules_replace refused the inline's rules; the page is
# then rendered again from the same POST with these errors on the rules formset.
_RULES_ERROR_ATTR = "_eligibility_rules_error"


class _RulesRefused(Exception):
    """Carries the service's ValidationError out of the admin's transaction, so that the
    whole save (program included) is rolled back before the page is rendered again."""

    def __init__(self, error: ValidationError) -> None:
        super().__init__(str(error))
        self.error = error


def _params_help() -> str:
    parts = []
    for rule_type, spec in RULE_SPECS.items():
        names = [field.name if field.required else f"{field.name}?" for field in spec.fields]
        parts.append(f"{rule_type}: {', '.join(names) if names else '{}'}")
    return gettext(
        'A JSON object with the rule\'s parameters (? marks an optional one), e.g. {"sectors": ["games", "music"]}. '
        "Per rule: %(rules)s."
    ) % {"rules": "; ".join(parts)}


class EligibilityRuleForm(forms.ModelForm):
    class Meta:
        model = EligibilityRule
        fields = ("position", "rule_type", "params", "is_active")
        widgets = {"params": forms.Textarea(attrs={"rows": 2, "cols": 50})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["params"].help_text = _params_help()
        # Django posts a hidden copy of the initial value of a field with a callable default
        # and compares against that; compare with the stored rule instead, so an untouched
        # row never counts as a change (which would bump the rules version for nothing).
        self.fields["params"].show_hidden_initial = False
        self.fields["position"].help_text = gettext("Rules are checked and shown in this order.")


class EligibilityRuleFormSet(BaseInlineFormSet):
    service_error: ValidationError | None = None

    def clean(self) -> None:
        super().clean()
        if self.service_error is not None:
            raise ValidationError(self.service_error.messages)

    def rules(self) -> list[dict[str, Any]]:
        """The rules the valid formset describes, in position order (then as listed), as
        ``eligibility_rules_replace`` takes them."""
        deleted = self.deleted_forms
        kept = [
            (index, form)
            for index, form in enumerate(self.forms)
            if form not in deleted and (form.instance.pk is not None or form.has_changed())
        ]
        kept.sort(key=lambda item: (item[1].cleaned_data.get("position") or 0, item[0]))
        return [
            {
                "rule_type": form.cleaned_data["rule_type"],
                "params": form.cleaned_data.get("params") or {},
                "is_active": bool(form.cleaned_data.get("is_active")),
            }
            for _index, form in kept
        ]


class EligibilityRuleInline(admin.TabularInline):
    """Managers edit; officers see the rules. Saved by ``ProgramAdmin.save_formset``."""

    model = EligibilityRule
    form = EligibilityRuleForm
    formset = EligibilityRuleFormSet
    extra = 0
    fields = ("position", "rule_type", "params", "is_active")
    ordering = ("position", "pk")

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return is_officer(request.user)

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return is_manager(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return is_manager(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return is_manager(request.user)

    def get_formset(self, request: HttpRequest, obj: Program | None = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        error = getattr(request, _RULES_ERROR_ATTR, None)
        if error is None:
            return formset
        return type(formset.__name__, (formset,), {"service_error": error})


def _with_unit(value: int, program: Program) -> str:
    return f"{intcomma(value)} {CapacityUnit(program.capacity_unit).label}"


@admin.register(Program)
class ProgramAdmin(ServiceSaveMixin, admin.ModelAdmin):
    form = ProgramAdminForm
    list_display = (
        "code",
        "title_column",
        "kind",
        "fiscal_year",
        "opens_at",
        "closes_at",
        "selection_mode",
        "capacity_column",
        "allocated_column",
        "remaining_column",
    )
    list_filter = ("kind", "fiscal_year", "selection_mode")
    search_fields = ("code", "title_ko", "title_en", "event_name", "event_city")
    date_hierarchy = "opens_at"
    readonly_fields = (
        "allocated_column",
        "remaining_column",
        "created_at",
        "rules_version_column",
        "rules_changed_at_column",
        "rules_changed_by_column",
    )
    autocomplete_fields = ("target_countries", "event_country")
    inlines = (ProgramOfficerInline, EligibilityRuleInline)
    fieldsets = (
        (
            None,
            {"fields": ("code", "kind", "fiscal_year", ("title_ko", "title_en"), "description_ko", "description_en")},
        ),
        (_("Call for applications"), {"fields": ("opens_at", "closes_at", "selection_mode", "review_target_days")}),
        (
            _("Capacity"),
            {"fields": ("capacity", "per_firm_cap", ("allocated_column", "remaining_column"))},
        ),
        (_("Targets"), {"fields": ("target_countries", "target_sectors")}),
        (_("Export funding"), {"fields": ("co_funding_share", "eligible_expenses")}),
        (
            _("Trade show or delegation"),
            {
                "fields": (
                    "event_name",
                    ("event_city", "event_country"),
                    "organiser",
                    ("event_starts_on", "event_ends_on"),
                    ("subsidy_per_booth_krw", "firm_fee_krw"),
                    "buyer_matchmaking",
                )
            },
        ),
        (
            _("Eligibility rules"),
            {
                "fields": (("rules_version_column", "rules_changed_at_column", "rules_changed_by_column"),),
                "description": _(
                    "The rules themselves are edited in the table below; each save that changes them counts as a "
                    "new version and re-checks the program's open applications."
                ),
            },
        ),
        (_("Record"), {"fields": ("created_at",)}),
    )

    @admin.display(description=_("title"), ordering="title_en")
    def title_column(self, obj: Program) -> str:
        return obj.title

    @admin.display(description=_("capacity"), ordering="capacity")
    def capacity_column(self, obj: Program) -> str:
        return _with_unit(obj.capacity, obj)

    @admin.display(description=_("allocated"), ordering="allocated")
    def allocated_column(self, obj: Program) -> str:
        return _with_unit(obj.allocated, obj) if obj.pk else "—"

    @admin.display(description=_("remaining"))
    def remaining_column(self, obj: Program) -> str:
        return _with_unit(obj.capacity_remaining, obj) if obj.pk else "—"

    def _rule_set(self, obj: Program) -> EligibilityRuleSet | None:
        if obj.pk is None:
            return None
        return EligibilityRuleSet.objects.select_related("changed_by").filter(program=obj).first()

    @admin.display(description=_("rules version"))
    def rules_version_column(self, obj: Program) -> str:
        rule_set = self._rule_set(obj)
        if rule_set is None or rule_set.version == 0:
            return gettext("0 (the baseline rules: none configured yet)")
        return str(rule_set.version)

    @admin.display(description=_("rules changed"))
    def rules_changed_at_column(self, obj: Program) -> str:
        rule_set = self._rule_set(obj)
        if rule_set is None or rule_set.changed_at is None:
            return "—"
        return timezone.localtime(rule_set.changed_at).strftime("%Y-%m-%d %H:%M")

    @admin.display(description=_("rules changed by"))
    def rules_changed_by_column(self, obj: Program) -> str:
        rule_set = self._rule_set(obj)
        if rule_set is None or rule_set.changed_by is None:
            return "—"
        return str(rule_set.changed_by)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except _RulesRefused as refused:
            # The save ran in one transaction and is rolled back whole; render the same POST
            # again with the service's messages on the rules formset, which makes it invalid.
            if request.method != "POST" or hasattr(request, _RULES_ERROR_ATTR):
                raise refused.error from refused
            setattr(request, _RULES_ERROR_ATTR, refused.error)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_formset(self, request: HttpRequest, form: forms.ModelForm, formset: Any, change: bool) -> None:
        if formset.model is not EligibilityRule:
            super().save_formset(request, form, formset, change)
            return
        # Not formset.save(): the rules are replaced as one set by the service, which
        # validates them against the saved program, bumps the version once and enqueues the
        # re-check. The lists below only feed the admin's change message.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if not formset.has_changed():
            return
        try:
            eligibility_rules_replace(
                program=form.instance,
                rules=formset.rules(),
                actor=request.user,  # type: ignore[arg-type]
            )
        except ValidationError as error:
            raise _RulesRefused(error) from error
        deleted = formset.deleted_forms
        for rule_form in formset.forms:
            if rule_form in deleted:
                if rule_form.instance.pk is not None:
                    formset.deleted_objects.append(rule_form.instance)
            elif rule_form.instance.pk is None:
                if rule_form.has_changed():
                    formset.new_objects.append(rule_form.instance)
            elif rule_form.has_changed():
                formset.changed_objects.append((rule_form.instance, rule_form.changed_data))

    def save_model(self, request: HttpRequest, obj: Program, form: forms.ModelForm, change: bool) -> None:
        if not change:
            obj.save()
            return
        # ``allocated`` moves only through the allocation service's conditional UPDATE. A plain
        # save() would write back the value read when the form was loaded and lose approvals
        # made meanwhile, so it is left out of the UPDATE; and capacity is checked against the
        # locked, current value, since approvals may have happened since the form was validated.
        with transaction.atomic():
            allocated = Program.objects.select_for_update().values_list("allocated", flat=True).get(pk=obj.pk)
            if obj.capacity < allocated:
                raise ValidationError(
                    {
                        "capacity": gettext(
                            "%(allocated)s is already allocated, so the capacity cannot be lower than that."
                        )
                        % {"allocated": intcomma(allocated)}
                    }
                )
            obj.allocated = allocated
            obj.save(update_fields=[f.name for f in Program._meta.concrete_fields if f.name not in _NOT_SAVED])


# Never written by the program form: the pool counter, the key and the creation stamp.
_NOT_SAVED = frozenset({"id", "allocated", "created_at"})


@admin.register(ProgramOfficer)
class ProgramOfficerAdmin(_OfficerChoiceMixin, admin.ModelAdmin):
    list_display = ("program", "user", "is_lead")
    list_filter = ("is_lead", "program__kind", "program__fiscal_year")
    search_fields = ("user__username", "user__email", "program__code", "program__title_ko", "program__title_en")
    list_select_related = ("program", "user")
    autocomplete_fields = ("program",)
