"""Forms for the parts of the outcome report with rows: buyer meetings and the 6- and
12-month follow-ups. The rules (a no-show has no amount, accepted follow-ups are closed) live
in ``applications.outcomes.services``; these forms only parse input."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from applications.models import BuyerMeeting, OutcomeFollowUp
from applications.outcomes.services import MeetingInput
from portal.selectors import countries_by_name
from programs.models import Country

NOTE_MAX = 2000
USD_MAX = 10**12
MEETINGS_PREFIX = "meetings"
EXTRA_MEETING_ROWS = 3


class BuyerMeetingForm(forms.Form):
    buyer_name = forms.CharField(label=BuyerMeeting._meta.get_field("buyer_name").verbose_name, max_length=200)
    country = forms.ModelChoiceField(
        label=BuyerMeeting._meta.get_field("country").verbose_name, queryset=Country.objects.none()
    )
    held = forms.BooleanField(label=_("Held"), required=False, initial=True)
    consultation_usd = forms.IntegerField(
        label=BuyerMeeting._meta.get_field("consultation_usd").verbose_name,
        min_value=0,
        max_value=USD_MAX,
        required=False,
    )
    note = forms.CharField(label=BuyerMeeting._meta.get_field("note").verbose_name, required=False, max_length=NOTE_MAX)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["country"]
        field.queryset = countries_by_name()  # type: ignore[attr-defined]
        field.label_from_instance = lambda c: c.name  # type: ignore[attr-defined]

    def to_input(self) -> MeetingInput:
        data = self.cleaned_data
        return MeetingInput(
            buyer_name=data["buyer_name"],
            country=data["country"],
            held=bool(data.get("held")),
            consultation_usd=data.get("consultation_usd") or 0,
            note=data.get("note") or "",
        )


class BaseBuyerMeetingFormSet(forms.BaseFormSet):
    def meetings(self) -> list[MeetingInput]:
        """The rows the firm filled in and did not mark for deletion; untouched empty rows are skipped."""
        rows = []
        for form in self.forms:
            if not form.has_changed() and form not in self.initial_forms:
                continue
            if form.cleaned_data.get("DELETE"):
                continue
            rows.append(cast(BuyerMeetingForm, form).to_input())
        return rows


BuyerMeetingFormSet = forms.formset_factory(
    BuyerMeetingForm,
    formset=BaseBuyerMeetingFormSet,
    extra=EXTRA_MEETING_ROWS,
    can_delete=True,
    max_num=200,
    validate_max=True,
)


def meeting_formset(data: Any = None, *, meetings: Any = ()) -> BaseBuyerMeetingFormSet:
    """A bound formset for ``data``, else one showing ``meetings`` (saved rows) plus empty rows."""
    if data is not None:
        return cast(BaseBuyerMeetingFormSet, BuyerMeetingFormSet(data, prefix=MEETINGS_PREFIX))
    initial = [
        {
            "buyer_name": m.buyer_name,
            "country": m.country_id,
            "held": m.held,
            "consultation_usd": m.consultation_usd,
            "note": m.note,
        }
        for m in meetings
    ]
    return cast(BaseBuyerMeetingFormSet, BuyerMeetingFormSet(initial=initial, prefix=MEETINGS_PREFIX))


class FollowUpForm(forms.Form):
    contracts_usd = forms.IntegerField(
        label=OutcomeFollowUp._meta.get_field("contracts_usd").verbose_name, min_value=0, max_value=USD_MAX
    )
    note = forms.CharField(
        label=OutcomeFollowUp._meta.get_field("note").verbose_name,
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, followup: OutcomeFollowUp, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"followup-{followup.months}")
        if not args and "data" not in kwargs:
            kwargs.setdefault("initial", {"contracts_usd": followup.contracts_usd, "note": followup.note})
        super().__init__(*args, **kwargs)
        self.followup = followup
