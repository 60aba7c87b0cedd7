"""One application form per program kind, plus the follow-up forms.

Each kind's form turns what the firm typed into ``Application.answers`` and the total in
the program's unit (``requested_units``). Drafts may be incomplete; ``submitting=True`` asks
for everything the officers need.
"""

from __future__ import annotations

import abc
from typing import Any, ClassVar

from django import forms
from django.core.validators import MaxValueValidator
from django.forms.forms import DeclarativeFieldsMetaclass
from django.utils.translation import gettext_lazy as _

from applications.intake.answers import export_funding_split, max_total_cost
from applications.intake.documents import accepted_formats_label
from applications.models import ApplicationDocument, OutcomeReport
from firms.models import Sector
from portal.selectors import countries_by_name
from portal.templatetags.portal_tags import krw
from programs.models import Country, ExpenseCategory, Program, ProgramKind

TEXT_MAX = 4000


def _text(label: Any, *, help_text: Any = "", rows: int = 4) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class _KindFormMeta(DeclarativeFieldsMetaclass, abc.ABCMeta):
    """Django's declarative-fields metaclass plus ABCMeta, so a kind form that forgets one of
    the hooks below fails when it is instantiated, not when a firm submits it."""


class KindForm(forms.Form, metaclass=_KindFormMeta):
    """Base: binds to a program; ``answers()`` and ``requested_units()`` after validation."""

    kind: ClassVar[str]
    # Free-text fields that must be filled before submitting.
    required_to_submit: ClassVar[tuple[str, ...]] = ()

    def __init__(self, *args: Any, program: Program, submitting: bool = False, **kwargs: Any) -> None:
        self.program = program
        self.submitting = submitting
        super().__init__(*args, **kwargs)
        for name in self.required_to_submit:
            self.fields[name].required = submitting

    @abc.abstractmethod
    def answers(self) -> dict[str, Any]:
        """The kind's details, stored in ``Application.answers``."""

    @abc.abstractmethod
    def requested_units(self) -> int:
        """The total requested, in the program's unit."""

    @classmethod
    @abc.abstractmethod
    def initial_from(cls, program: Program, answers: dict[str, Any]) -> dict[str, Any]:
        """The form's initial data from stored answers (editing a draft)."""


class ExportFundingForm(KindForm):
    kind = ProgramKind.EXPORT_FUNDING
    required_to_submit = ("plan",)

    def __init__(self, *args: Any, program: Program, submitting: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, program=program, submitting=submitting, **kwargs)
        expense_fields = {}
        for code in program.eligible_expenses or []:
            if code not in ExpenseCategory.values:
                continue
            expense_fields[f"expense_{code}"] = forms.IntegerField(
                label=ExpenseCategory(code).label,
                min_value=0,
                max_value=10**12,
                required=False,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 1000}),
            )
        # Expense amounts first, the plan after them.
        self.fields = {**expense_fields, **self.fields}

    plan = _text(
        _("Export plan"),
        help_text=_("Which markets, which products, and what the funding pays for. Needed before you submit."),
        rows=6,
    )

    def expense_codes(self) -> list[str]:
        return [name.removeprefix("expense_") for name in self.fields if name.startswith("expense_")]

    def expense_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("expense_")]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        expenses = {code: data.get(f"expense_{code}") or 0 for code in self.expense_codes()}
        total = sum(expenses.values())
        if total <= 0:
            raise forms.ValidationError(_("Enter the planned cost of at least one expense category."))
        split = export_funding_split(program=self.program, total_cost=total)
        if split.support < 1:
            raise forms.ValidationError(_("The planned costs are too small to request any support."))
        if split.support > self.program.per_firm_cap:
            raise forms.ValidationError(
                _(
                    "The support this asks for, %(support)s, is above the per-firm cap of %(cap)s. "
                    "Lower the planned costs to %(max_total)s in total at most."
                )
                % {
                    "support": krw(split.support),
                    "cap": krw(self.program.per_firm_cap),
                    "max_total": krw(max_total_cost(self.program)),
                }
            )
        data["_expenses"], data["_split"] = expenses, split
        return data

    def answers(self) -> dict[str, Any]:
        split = self.cleaned_data["_split"]
        return {
            "kind": self.kind,
            "expenses": {code: amount for code, amount in self.cleaned_data["_expenses"].items() if amount},
            "total_cost_krw": split.total_cost,
            "co_funding_share": str(split.firm_share_percent),
            "support_krw": split.support,
            "firm_share_krw": split.firm_share,
            "plan": self.cleaned_data.get("plan", ""),
        }

    def requested_units(self) -> int:
        return int(self.cleaned_data["_split"].support)

    @classmethod
    def initial_from(cls, program: Program, answers: dict[str, Any]) -> dict[str, Any]:
        initial: dict[str, Any] = {f"expense_{c}": v for c, v in (answers.get("expenses") or {}).items()}
        initial["plan"] = answers.get("plan", "")
        return initial


class _EventForm(KindForm):
    units_field: ClassVar[str]

    def __init__(self, *args: Any, program: Program, submitting: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, program=program, submitting=submitting, **kwargs)
        field = self.fields[self.units_field]
        field.validators.append(MaxValueValidator(program.per_firm_cap))
        field.widget.attrs.update({"max": program.per_firm_cap, "min": 1})
        field.help_text = _("At most %(cap)s per firm.") % {"cap": program.per_firm_cap}

    def requested_units(self) -> int:
        return int(self.cleaned_data[self.units_field])


class TradeShowForm(_EventForm):
    kind = ProgramKind.TRADE_SHOW
    units_field = "booths"
    required_to_submit = ("products",)

    booths = forms.IntegerField(label=_("Number of booths"), min_value=1)
    products = _text(_("Products you will exhibit"), help_text=_("Needed before you submit."))

    def answers(self) -> dict[str, Any]:
        booths = self.cleaned_data["booths"]
        return {
            "kind": self.kind,
            "booths": booths,
            "products": self.cleaned_data.get("products", ""),
            "subsidy_krw": booths * (self.program.subsidy_per_booth_krw or 0),
            "fee_krw": booths * (self.program.firm_fee_krw or 0),
        }

    @classmethod
    def initial_from(cls, program: Program, answers: dict[str, Any]) -> dict[str, Any]:
        return {"booths": answers.get("booths"), "products": answers.get("products", "")}


class DelegationForm(_EventForm):
    kind = ProgramKind.BUSINESS_DELEGATION
    units_field = "seats"
    required_to_submit = ("products", "buyer_interests")

    seats = forms.IntegerField(label=_("Number of seats"), min_value=1)
    products = _text(_("Products and services you will present"), help_text=_("Needed before you submit."))
    buyer_interests = _text(
        _("Buyers you want to meet"),
        help_text=_("Kinds of buyers, distributors or partners for the matchmaking. Needed before you submit."),
    )

    def answers(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "seats": self.cleaned_data["seats"],
            "products": self.cleaned_data.get("products", ""),
            "buyer_interests": self.cleaned_data.get("buyer_interests", ""),
        }

    @classmethod
    def initial_from(cls, program: Program, answers: dict[str, Any]) -> dict[str, Any]:
        return {
            "seats": answers.get("seats"),
            "products": answers.get("products", ""),
            "buyer_interests": answers.get("buyer_interests", ""),
        }


FORM_BY_KIND: dict[str, type[KindForm]] = {
    ProgramKind.EXPORT_FUNDING: ExportFundingForm,
    ProgramKind.TRADE_SHOW: TradeShowForm,
    ProgramKind.BUSINESS_DELEGATION: DelegationForm,
}


class DocumentUploadForm(forms.Form):
    doc_type = forms.ChoiceField(label=_("Document type"), choices=ApplicationDocument.DocType.choices)
    file = forms.FileField(
        label=_("File"),
        help_text=_("%(formats)s only, checked by content.") % {"formats": accepted_formats_label()},
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.xlsx,.docx"}),
    )


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message to the officers"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )


class InfoAnswerForm(forms.Form):
    answer = forms.CharField(label=_("Your answer"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))
    doc_type = forms.ChoiceField(
        label=_("Attachment type"),
        choices=ApplicationDocument.DocType.choices,
        initial=ApplicationDocument.DocType.OTHER,
        required=False,
    )
    file = forms.FileField(
        label=_("Attachment (optional)"),
        required=False,
        help_text=_("%(formats)s only, checked by content.") % {"formats": accepted_formats_label()},
    )


class WithdrawForm(forms.Form):
    note = forms.CharField(
        label=_("Why are you withdrawing? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(label=_("Yes, withdraw this application. This cannot be undone."))


class OfferDeclineForm(forms.Form):
    note = forms.CharField(
        label=_("Why are you declining? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(
        label=_("Yes, decline the place and withdraw this application. This cannot be undone.")
    )


class OutcomeReportForm(forms.Form):
    buyer_meetings = forms.IntegerField(label=OutcomeReport._meta.get_field("buyer_meetings").verbose_name, min_value=0)
    consultation_usd = forms.IntegerField(
        label=OutcomeReport._meta.get_field("consultation_usd").verbose_name, min_value=0, max_value=10**12
    )
    contracts_usd = forms.IntegerField(
        label=OutcomeReport._meta.get_field("contracts_usd").verbose_name, min_value=0, max_value=10**12
    )
    ip_filed = forms.IntegerField(label=OutcomeReport._meta.get_field("ip_filed").verbose_name, min_value=0)
    new_countries = forms.ModelMultipleChoiceField(
        label=_("New countries entered"),
        queryset=Country.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    narrative = forms.CharField(
        label=OutcomeReport._meta.get_field("narrative").verbose_name,
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["new_countries"]
        field.queryset = countries_by_name()  # type: ignore[attr-defined]
        field.label_from_instance = lambda c: c.name  # type: ignore[attr-defined]


class CatalogueFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    country = forms.ModelChoiceField(label=_("Country"), queryset=Country.objects.none(), required=False)
    closes_before = forms.DateField(
        label=_("Closing by"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All kinds")), *ProgramKind.choices]  # type: ignore[attr-defined]
        self.fields["sector"].choices = [("", _("All sectors")), *Sector.choices]  # type: ignore[attr-defined]
        field = self.fields["country"]
        field.queryset = countries_by_name()  # type: ignore[attr-defined]
        field.empty_label = _("All countries")  # type: ignore[attr-defined]
        field.label_from_instance = lambda c: c.name  # type: ignore[attr-defined]
