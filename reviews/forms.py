"""Forms of the officer workspace: they check the shape of what was typed; the services decide."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.decisions.services import DECISION_LABELS
from applications.inputs import TEXT_MAX
from applications.workflow import Status
from firms.models import Firm, SizeClass
from firms.models import Sector as FirmSector
from firms.validators import is_valid_brn, normalize_brn
from programs.models import Program
from reviews.bulk import BULK_ACTION_LABELS, MAX_SELECTION, BulkAction, BulkParams
from reviews.models import RubricCriterion
from reviews.selectors import country_choices, program_choices, reviewer_choices
from reviews.services import ScoreEntry
from sme_support.roles import AnyUser

SORT_CHOICES = [
    ("changed", _("Waiting longest first")),
    ("-changed", _("Most recently changed first")),
    ("submitted", _("Submitted, oldest first")),
    ("-submitted", _("Submitted, newest first")),
    ("firm", _("Firm name, A–Z")),
    ("-firm", _("Firm name, Z–A")),
    ("-score", _("Score, highest first")),
    ("score", _("Score, lowest first")),
]


def _text(label: Any, *, rows: int = 4, required: bool = True, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_MAX,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.get_username()


class QueueFilterForm(forms.Form):
    program = forms.ModelChoiceField(queryset=Program.objects.none(), required=False, label=_("Program"))
    status = forms.ChoiceField(required=False, label=_("Status"))
    sector = forms.ChoiceField(required=False, label=_("Sector"))
    size_class = forms.ChoiceField(required=False, label=_("Size class"))
    country: forms.ModelChoiceField = forms.ModelChoiceField(queryset=None, required=False, label=_("Target country"))
    reviewer = UserChoiceField(queryset=User.objects.none(), required=False, label=_("Reviewer"))
    overdue = forms.BooleanField(required=False, label=_("Past the review target only"))
    sort = forms.ChoiceField(choices=SORT_CHOICES, required=False, label=_("Sort"))

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        anything = [("", _("Any"))]
        self.fields["program"].queryset = program_choices(user=user)  # type: ignore[attr-defined]
        self.fields["program"].empty_label = _("Any")  # type: ignore[attr-defined]
        self.fields["status"].choices = anything + [c for c in Status.choices if c[0] != Status.DRAFT]  # type: ignore[attr-defined]
        self.fields["sector"].choices = anything + list(FirmSector.choices)  # type: ignore[attr-defined]
        self.fields["size_class"].choices = anything + list(SizeClass.choices)  # type: ignore[attr-defined]
        self.fields["country"].queryset = country_choices(user=user)  # type: ignore[attr-defined]
        self.fields["country"].empty_label = _("Any")  # type: ignore[attr-defined]
        self.fields["reviewer"].queryset = reviewer_choices(user=user)  # type: ignore[attr-defined]
        self.fields["reviewer"].empty_label = _("Any")  # type: ignore[attr-defined]

    def valid_data(self) -> dict[str, Any]:
        """The filters that validated; a bad value drops that filter (and shows its error)."""
        self.is_valid()
        return {name: value for name, value in getattr(self, "cleaned_data", {}).items() if name not in self.errors}


class InfoRequestForm(forms.Form):
    message = _text(_("What do you need from the firm?"), rows=5)
    due_on = forms.DateField(
        label=_("Answer due"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The firm is reminded before this date; empty gives the usual period."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["due_on"].initial = timezone.localdate() + dt.timedelta(days=settings.INFO_REQUEST_DEFAULT_DAYS)


class OverrideForm(forms.Form):
    justification = _text(_("Why is this application eligible after all?"), rows=3)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[(d.value, label) for d, label in DECISION_LABELS.items()]
    )
    units = forms.IntegerField(
        label=_("Units to grant"),
        required=False,
        help_text=_("Only for an approval; empty grants what the firm asked for."),
    )
    reason = _text(_("Reason (the firm reads it)"), rows=3)


class SignOffForm(forms.Form):
    verdict = forms.ChoiceField(
        label=_("Your verdict"),
        choices=[("sign", _("Sign off: the decision takes effect")), ("refuse", _("Refuse"))],
        widget=forms.RadioSelect,
    )
    note = _text(_("Note (required to refuse)"), rows=2, required=False)


class MessageForm(forms.Form):
    body = _text(_("Message to the firm"), rows=3)


class AssignForm(forms.Form):
    reviewer = UserChoiceField(queryset=User.objects.none(), label=_("Reviewer"))

    def __init__(self, *args: Any, officers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = officers  # type: ignore[attr-defined]


class DeclineForm(forms.Form):
    reason = _text(_("Why do you decline?"), rows=2)
    conflict = forms.BooleanField(
        label=_("This is a conflict of interest with the firm"),
        required=False,
        help_text=_("It goes into the register: you will not be assigned to this firm's applications again."),
    )


class ConflictForm(forms.Form):
    reason = _text(_("Describe the conflict of interest"), rows=2)


class ConflictRegisterForm(ConflictForm):
    brn = forms.CharField(label=_("Firm's business registration number"), max_length=12)

    field_order = ["brn", "reason"]

    def clean_brn(self) -> Firm:
        value = normalize_brn(self.cleaned_data["brn"])
        if not is_valid_brn(value):
            raise forms.ValidationError(_("This is not a valid business registration number."))
        firm = Firm.objects.filter(brn=value).first()
        if firm is None:
            raise forms.ValidationError(_("No firm with this business registration number is registered."))
        return firm


class ScoreForm(forms.Form):
    """One value and one comment per criterion of the program's rubric."""

    label_suffix = ""

    def __init__(
        self, *args: Any, criteria: list[RubricCriterion], initial_scores: dict[int, Any], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            existing = initial_scores.get(criterion.pk)
            self.fields[f"value_{criterion.pk}"] = forms.IntegerField(
                label=_("Score for “%(criterion)s”") % {"criterion": criterion.label},
                required=False,
                min_value=0,
                max_value=criterion.scale_max,
                initial=existing.value if existing else None,
                help_text=_("From 0 to %(max)s; weight %(weight)s.")
                % {"max": criterion.scale_max, "weight": criterion.weight.normalize()},
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Comment on “%(criterion)s”") % {"criterion": criterion.label},
                required=False,
                max_length=TEXT_MAX,
                initial=existing.comment if existing else "",
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def rows(self) -> list[tuple[RubricCriterion, forms.BoundField, forms.BoundField]]:
        return [(c, self[f"value_{c.pk}"], self[f"comment_{c.pk}"]) for c in self.criteria]

    def entries(self) -> dict[int, ScoreEntry]:
        return {
            c.pk: ScoreEntry(
                value=self.cleaned_data.get(f"value_{c.pk}"), comment=self.cleaned_data.get(f"comment_{c.pk}") or ""
            )
            for c in self.criteria
        }


class BulkForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), choices=[(a.value, label) for a, label in BULK_ACTION_LABELS.items()])
    reviewer = UserChoiceField(queryset=User.objects.none(), required=False, label=_("Reviewer"))
    message = _text(_("What do you need from the firms?"), rows=4, required=False)
    due_on = forms.DateField(label=_("Answer due"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    reason = _text(_("Reason (each firm reads it)"), rows=3, required=False)

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = reviewer_choices(user=user)  # type: ignore[attr-defined]
        self.fields["due_on"].initial = timezone.localdate() + dt.timedelta(days=settings.INFO_REQUEST_DEFAULT_DAYS)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        action = data.get("action")
        if action == BulkAction.ASSIGN and not data.get("reviewer"):
            self.add_error("reviewer", _("Choose the reviewer to assign."))
        if action == BulkAction.REQUEST_INFO:
            if not (data.get("message") or "").strip():
                self.add_error("message", _("Say what you need from the firms."))
            due = data.get("due_on")
            if due is None:
                self.add_error("due_on", _("Give the date the answers are due."))
            elif due < timezone.localdate():
                self.add_error("due_on", _("The answer's due date cannot be in the past."))
        if action == BulkAction.REJECT and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give the reason the firms will read."))
        return data

    def action_value(self) -> BulkAction:
        return BulkAction(self.cleaned_data["action"])

    def params(self) -> BulkParams:
        data = self.cleaned_data
        return BulkParams(
            reviewer=data.get("reviewer"),
            message=data.get("message") or "",
            due_on=data.get("due_on"),
            reason=data.get("reason") or "",
        )


def selected_ids(values: list[str]) -> tuple[list[int], bool]:
    """The application ids ticked in the queue; ``False`` if any was not a number."""
    ids = []
    clean = True
    for value in values[:MAX_SELECTION]:
        try:
            ids.append(int(value))
        except (TypeError, ValueError):
            clean = False
    return ids, clean


class OutcomeReviewForm(forms.Form):
    ACCEPT, RETURN = "accept", "return"

    decision = forms.ChoiceField(
        label=_("Outcome report"),
        choices=[(ACCEPT, _("Accept the report")), (RETURN, _("Return it to the firm for changes"))],
        widget=forms.RadioSelect,
    )
    note = _text(_("Note to the firm"), rows=3, required=False, help_text=_("Required when you return the report."))


class FollowUpReviewForm(OutcomeReviewForm):
    """The same verdicts for a 6- or 12-month follow-up."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decision"].label = _("Follow-up report")
        self.fields["decision"].choices = [  # type: ignore[attr-defined]
            (self.ACCEPT, _("Accept the follow-up")),
            (self.RETURN, _("Return it to the firm for changes")),
        ]
        self.fields["note"].help_text = _("Required when you return the follow-up.")


class ReduceGrantForm(forms.Form):
    units = forms.IntegerField(
        label=_("New grant"), help_text=_("The new, smaller total; the rest goes back to the pool.")
    )
    reason = _text(_("Reason (the firm reads it)"), rows=2)


class CancelGrantForm(forms.Form):
    reason = _text(_("Reason (the firm reads it)"), rows=2)


class CompleteForm(forms.Form):
    note = _text(_("Note"), rows=2, required=False)
