"""The target-markets page, /markets/: countries ranked by priority score, the weights behind
the ranking, and the strategic-target choice made with the score in view.

Who may do what (the same rules as the rest of the staff pages):

- managers change the weights and mark or unmark strategic targets;
- officers see the same page read-only (they plan trade shows and delegations around the
  targets), without the forms; a POST from an officer is refused with 403;
- firms' staff get a 404, as for every staff page; anonymous users are sent to sign in.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.humanize.templatetags.humanize import intcomma, intword
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from programs.markets.services import (
    Input,
    MarketPriority,
    country_set_strategic_target,
    market_priority_list,
    priority_weights_current,
    priority_weights_update,
)
from programs.models import Country, IndicatorCode, PriorityFactor, PriorityWeights
from sme_support.roles import is_manager, is_officer

# The raw values shown under each factor.
FACTOR_INPUTS: dict[str, tuple[str, ...]] = {
    PriorityFactor.MARKET_SIZE: (IndicatorCode.GDP_USD,),
    PriorityFactor.GROWTH_POTENTIAL: (IndicatorCode.GDP_GROWTH_PCT,),
    PriorityFactor.RELATIONSHIP_MATURITY: ("fta_in_force", "live_mous", IndicatorCode.TRADE_VOLUME_USD),
    PriorityFactor.CULTURAL_INTIMACY: (IndicatorCode.CULTURAL_INTIMACY,),
    PriorityFactor.IP_PROTECTION: (IndicatorCode.IP_PROTECTION,),
}


class PriorityWeightsForm(forms.Form):
    """The five weights, 0–100 each, at least one above zero (the service checks again)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for factor in PriorityFactor:
            field = PriorityWeights._meta.get_field(factor.value)
            self.fields[factor.value] = forms.DecimalField(
                label=factor.label,
                min_value=Decimal(0),
                max_value=Decimal(100),
                max_digits=5,
                decimal_places=2,
                help_text=getattr(field, "help_text", ""),
                widget=forms.NumberInput(attrs={"step": "0.5", "min": "0", "max": "100"}),
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        values = [cleaned.get(factor) for factor in PriorityFactor.values]
        # Only when every weight is valid: a field's own error already explains a bad one.
        if None not in values and not any(value is not None and value > 0 for value in values):
            raise ValidationError(gettext_lazy("At least one weight must be above zero."), code="all_zero")
        return cleaned


@dataclass(frozen=True)
class FactorCell:
    factor: str
    label: str
    normalised: float | None
    contribution: float
    inputs: list[tuple[Input, str, str]]  # with a short label (empty if the column says it) and the value as shown


def _short_label(name: str) -> str:
    """The column already names a factor with one input; the three of relationship maturity need a word."""
    labels = {"fta_in_force": _("FTA"), "live_mous": _("Live MOUs"), IndicatorCode.TRADE_VOLUME_USD: _("Trade")}
    return str(labels.get(name, ""))


def _display(item: Input) -> str:
    value = item.value
    if item.name in (IndicatorCode.GDP_USD, IndicatorCode.TRADE_VOLUME_USD):
        return _("%(amount)s USD") % {"amount": intword(int(value))}
    if item.name == IndicatorCode.GDP_GROWTH_PCT:
        return f"{Decimal(value):.1f} %"
    if item.name in (IndicatorCode.CULTURAL_INTIMACY, IndicatorCode.IP_PROTECTION):
        return f"{Decimal(value):.0f} / 100"
    if item.name == "fta_in_force":
        return _("yes") if value else _("no")
    return intcomma(value)


def _cells(row: MarketPriority) -> list[FactorCell]:
    result = row.result
    return [
        FactorCell(
            factor=factor,
            label=str(label),
            normalised=result.normalised[factor],
            contribution=result.contributions[factor],
            inputs=[
                (row.inputs[name], _short_label(name), _display(row.inputs[name]))
                for name in FACTOR_INPUTS[factor]
                if name in row.inputs
            ],
        )
        for factor, label in PriorityFactor.choices
    ]


def _require_staff(request: HttpRequest) -> None:
    if not is_officer(request.user):
        # Firms' staff are not told that the page exists.
        raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def market_priorities(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    can_edit = is_manager(request.user)
    weights = priority_weights_current()
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("Only managers set the priority weights."))
        form = PriorityWeightsForm(request.POST)
        if form.is_valid():
            try:
                priority_weights_update(
                    actor=request.user,  # type: ignore[arg-type]
                    weights={factor: form.cleaned_data[factor] for factor in PriorityFactor.values},
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The weights are saved; the ranking below uses them."))
                return redirect("markets:priorities")
    else:
        form = PriorityWeightsForm(initial=weights.as_dict())
    priorities = market_priority_list(user=request.user)
    ranked = [(row, _cells(row)) for row in priorities.ranked]
    context = {
        "form": form,
        "can_edit": can_edit,
        "weight_rows": [(label, getattr(priorities.weights, factor)) for factor, label in PriorityFactor.choices],
        "ranked": ranked,
        "unranked": priorities.unranked,
        "factors": PriorityFactor.choices,
    }
    return render(request, "markets/priorities.html", context)


@login_required
@require_POST
def strategic_target(request: HttpRequest, iso2: str) -> HttpResponse:
    _require_staff(request)
    if not is_manager(request.user):
        raise PermissionDenied(_("Only managers choose the strategic target markets."))
    country = get_object_or_404(Country, pk=iso2.upper())
    back = reverse("markets:priorities") + f"#country-{country.pk}"
    choice = request.POST.get("is_strategic_target")
    if choice not in ("true", "false"):
        messages.error(request, _("Choose whether the country is a strategic target."))
        return redirect(back)
    country_set_strategic_target(
        country=country,
        is_strategic_target=choice == "true",
        actor=request.user,  # type: ignore[arg-type]
    )
    if country.is_strategic_target:
        messages.success(request, _("%(country)s is now a strategic target market.") % {"country": country.name})
    else:
        messages.success(request, _("%(country)s is no longer a strategic target market.") % {"country": country.name})
    return redirect(back)
