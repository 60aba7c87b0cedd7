"""Firm registration and profile forms. Field definitions come from the model so labels and
validators stay in one place; the whole row is validated by firms.services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from firms.models import ExportProduct, Firm, IPHolding
from firms.validators import normalize_brn, validate_brn
from portal.selectors import countries_by_name
from programs.models import Country

FIRM_FIELDS = [
    "brn",
    "name_ko",
    "name_en",
    "region",
    "founded_on",
    "sector",
    "employees",
    "annual_revenue_krw",
    "exports_last_year_usd",
    "website",
    "markets_of_interest",
]


class CountryChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Country) -> str:
        return obj.name


def _firm_field_defs() -> dict[str, forms.Field]:
    fields = forms.fields_for_model(
        Firm,
        # These three are built below: dashes in the BRN, https for bare web addresses, and
        # countries labelled in the reader's language.
        fields=[f for f in FIRM_FIELDS if f not in ("brn", "website", "markets_of_interest")],
        widgets={"founded_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")},
    )
    fields["markets_of_interest"] = CountryChoices(
        queryset=Country.objects.all(),
        required=False,
        label=_("Markets of interest"),
        widget=forms.CheckboxSelectMultiple,
    )
    # The model keeps 10 digits; people type the dashes, so the form allows 12 characters.
    brn_field = Firm._meta.get_field("brn")
    fields["brn"] = forms.CharField(
        label=capfirst(brn_field.verbose_name),
        help_text=brn_field.help_text,
        max_length=12,
        validators=[validate_brn],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "123-45-67890", "autocomplete": "off"}),
    )
    website = Firm._meta.get_field("website")
    fields["website"] = forms.URLField(
        label=capfirst(website.verbose_name), required=False, max_length=website.max_length, assume_scheme="https"
    )
    for name in ("employees", "annual_revenue_krw", "exports_last_year_usd"):
        fields[name].widget.attrs["inputmode"] = "numeric"
    return fields


class FirmForm(forms.Form):
    """Every firm field a firm keeps itself (the derived size class and export tier, and
    sanctions, are not typed in)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(_firm_field_defs())
        self.fields["markets_of_interest"].queryset = countries_by_name()  # type: ignore[attr-defined]
        self.order_fields(FIRM_FIELDS)

    def clean_brn(self) -> str:
        return normalize_brn(self.cleaned_data["brn"])

    @staticmethod
    def initial_for(firm: Firm) -> dict[str, Any]:
        initial = {name: getattr(firm, name) for name in FIRM_FIELDS if name != "markets_of_interest"}
        initial["brn"] = firm.brn_display
        initial["markets_of_interest"] = list(firm.markets_of_interest.values_list("pk", flat=True))
        return initial


def apply_validation_error(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields (or the form) so the page shows it
    next to what the person typed."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            for item in errors:
                form.add_error(target, item.messages if hasattr(item, "messages") else item)
    else:
        form.add_error(None, error.messages)


class JoinRequestForm(forms.Form):
    brn = forms.CharField(widget=forms.HiddenInput)
    message = forms.CharField(
        label=_("Message to the firm's members (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address to invite"))


class IPHoldingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=IPHolding.Kind.choices)
    country = forms.ModelChoiceField(label=_("Registered in"), queryset=Country.objects.none())
    registration_number = forms.CharField(label=_("Registration number"), max_length=64)
    registered_on = forms.DateField(
        label=_("Registration date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    title = forms.CharField(label=_("Title"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["country"]
        field.queryset = countries_by_name()  # type: ignore[attr-defined]
        field.label_from_instance = lambda c: c.name  # type: ignore[attr-defined]


class ExportProductForm(forms.Form):
    hs_code = forms.CharField(
        label=_("HS code"),
        max_length=13,
        help_text=_("4, 6, 8 or 10 digits, e.g. 4901 or 852349."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    description = forms.CharField(label=ExportProduct._meta.get_field("description").verbose_name, max_length=200)
