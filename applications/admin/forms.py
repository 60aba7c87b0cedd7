"""Forms for the admin's workflow actions: what an officer must say before a transition runs.

They only shape input; whether the transition is allowed is the service's decision.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.admin.widgets import AdminDateWidget
from django.utils.translation import gettext_lazy as _

from applications.models import Allocation, Application


@dataclass
class ApplicationRow:
    """One selected application on the confirmation page, with its own input if any."""

    application: Application
    field: forms.BoundField | None = None


class TransitionForm(forms.Form):
    """Base: knows the selected applications; subclasses add the shared fields."""

    def __init__(self, *args: Any, applications: Sequence[Application], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.applications = list(applications)

    def rows(self) -> Iterator[ApplicationRow]:
        for application in self.applications:
            yield ApplicationRow(application)

    def shared_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if not name.startswith(UNITS_PREFIX)]


class ReasonForm(TransitionForm):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text=_("Recorded in each application's history; the firm reads it with the decision."),
    )


class OptionalNoteForm(TransitionForm):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text=_("Optional; recorded in each application's history."),
    )


class JustificationForm(TransitionForm):
    justification = forms.CharField(
        label=_("Justification"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text=_("Why the failed eligibility rules do not apply; recorded in the history."),
    )


class RequestInfoForm(TransitionForm):
    message = forms.CharField(
        label=_("What is needed"),
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
        help_text=_("Sent to each firm as a message and recorded in the history."),
    )
    due_on = forms.DateField(
        label=_("Answer due"),
        required=False,
        widget=AdminDateWidget,
        help_text=_("Leave empty for the default period."),
    )


UNITS_PREFIX = "units_"


class ApproveForm(ReasonForm):
    """A reason for all, and units per application: amounts differ from firm to firm."""

    def __init__(self, *args: Any, applications: Sequence[Application], **kwargs: Any) -> None:
        super().__init__(*args, applications=applications, **kwargs)
        for application in self.applications:
            self.fields[self.units_field_name(application)] = forms.IntegerField(
                label=_("Units to grant"),
                initial=application.requested_units,
                widget=forms.NumberInput(attrs={"class": "vIntegerField"}),
            )
        self.fields["reason"].help_text = _("Recorded in each application's history; the firm reads it.")

    @staticmethod
    def units_field_name(application: Application) -> str:
        return f"{UNITS_PREFIX}{application.pk}"

    def rows(self) -> Iterator[ApplicationRow]:
        for application in self.applications:
            yield ApplicationRow(application, self[self.units_field_name(application)])

    def units_for(self, application: Application) -> int:
        return int(self.cleaned_data[self.units_field_name(application)])


class ReduceGrantForm(ReasonForm):
    """A reason for all, and the new grant per application (one below the current by default)."""

    def __init__(self, *args: Any, applications: Sequence[Application], **kwargs: Any) -> None:
        super().__init__(*args, applications=applications, **kwargs)
        for application in self.applications:
            allocation = Allocation.objects.filter(application=application, released_at=None).first()
            self.fields[ApproveForm.units_field_name(application)] = forms.IntegerField(
                label=_("New grant"),
                initial=allocation.units if allocation else None,
                widget=forms.NumberInput(attrs={"class": "vIntegerField"}),
            )
        self.fields["reason"].help_text = _("Recorded in each application's history; the firm reads it.")

    def rows(self) -> Iterator[ApplicationRow]:
        for application in self.applications:
            yield ApplicationRow(application, self[ApproveForm.units_field_name(application)])

    def units_for(self, application: Application) -> int:
        return int(self.cleaned_data[ApproveForm.units_field_name(application)])
