"""Admin actions that hand the selected rows to a service with one note (accept or return a
report, say): a confirmation page lists the rows and asks for the note, then the service runs
once per row in its own transaction; a refusal is reported with the service's message and
does not undo the others."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from sme_support.errors import DomainError

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

CONFIRM_FIELD = "_note_action_confirm"


@dataclass(frozen=True)
class NoteAction:
    name: str
    description: StrOrPromise
    title: StrOrPromise
    run: Callable[[Any, Any, str], Any]


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note to the firm"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text=_("The firm reads it; required when you return something for changes."),
    )


def _admin_action(action: NoteAction) -> Callable[..., HttpResponse | None]:
    def run(modeladmin: NoteActionsMixin, request: HttpRequest, queryset: QuerySet[Any]) -> HttpResponse | None:
        return modeladmin.run_note_action(request, queryset, action)

    run.__name__ = action.name
    return admin.action(description=action.description)(run)


class NoteActionsMixin:
    note_actions: tuple[NoteAction, ...] = ()

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions: dict[str, Any] = super().get_actions(request)  # type: ignore[misc]
        for action in self.note_actions:
            function = _admin_action(action)
            actions[action.name] = (function, action.name, action.description)
        return actions

    def run_note_action(self, request: HttpRequest, queryset: QuerySet[Any], action: NoteAction) -> HttpResponse | None:
        rows: list[Model] = list(queryset.order_by("pk"))
        if not rows:
            self.message_user(request, gettext("None of the selected rows can be found."), messages.WARNING)  # type: ignore[attr-defined]
            return None
        confirmed = CONFIRM_FIELD in request.POST
        form = NoteForm(request.POST if confirmed else None)
        if not confirmed or not form.is_valid():
            context = {
                **self.admin_site.each_context(request),  # type: ignore[attr-defined]
                "title": action.title,
                "opts": self.opts,  # type: ignore[attr-defined]
                "action": action,
                "form": form,
                "rows": rows,
                "media": self.media + form.media,  # type: ignore[attr-defined]
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "confirm_field": CONFIRM_FIELD,
            }
            request.current_app = self.admin_site.name  # type: ignore[attr-defined]
            return TemplateResponse(request, "admin/note_action_confirm.html", context)
        done = 0
        for row in rows:
            try:
                action.run(row, request.user, form.cleaned_data["note"])
            except DomainError as error:
                self.message_user(  # type: ignore[attr-defined]
                    request, gettext("%(row)s: %(message)s") % {"row": row, "message": error.message}, messages.ERROR
                )
                continue
            done += 1
        if done:
            self.message_user(  # type: ignore[attr-defined]
                request,
                ngettext(
                    "“%(action)s” was applied to %(count)d row.", "“%(action)s” was applied to %(count)d rows.", done
                )
                % {"action": action.title, "count": done},
                messages.SUCCESS,
            )
        return None
