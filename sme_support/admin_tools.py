"""Building blocks the apps' admin modules share."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse

from sme_support.roles import is_officer

_SERVICE_ERROR_ATTR = "_admin_service_error"


class _ServiceErrorForm(forms.BaseForm):
    """Adds the error a service raised on the first attempt to the re-rendered form."""

    service_error: ValidationError

    def clean(self) -> dict[str, Any]:
        super().clean()
        error = self.service_error
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, error)
        return self.cleaned_data


class ServiceSaveMixin:
    """For admins whose ``save_model`` goes through a service.

    The service validates again at save time (and may see what the form could not: a row
    locked and re-read, a derived field). A ``ValidationError`` it raises must show on the
    form, not as a 500: ``changeform_view`` runs in one transaction, so the failed attempt is
    rolled back whole, and the same POST is rendered a second time with the service's errors
    attached to the form, which makes it invalid and nothing is saved.
    """

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)  # type: ignore[misc]
        except ValidationError as error:
            if request.method != "POST" or hasattr(request, _SERVICE_ERROR_ATTR):
                raise
            setattr(request, _SERVICE_ERROR_ATTR, error)
            return super().changeform_view(request, object_id, form_url, extra_context)  # type: ignore[misc]

    def get_form(self, request: HttpRequest, obj: Model | None = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change, **kwargs)  # type: ignore[misc]
        error = getattr(request, _SERVICE_ERROR_ATTR, None)
        if error is None:
            return form
        return type(form.__name__, (_ServiceErrorForm, form), {"service_error": error})


class NotFoundOutsideScopeMixin:
    """An object outside the user's scoped queryset is a 404, as in the rest of the site,
    rather than the admin's redirect with "perhaps it was deleted?"."""

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Any:
        obj = super().get_object(request, object_id, from_field)  # type: ignore[misc]
        if obj is None:
            raise Http404
        return obj


class ReadOnlyAdminMixin:
    """Rows written only by services (history, allocations, messages): nobody adds, changes
    or deletes them in admin, superusers included; ``view`` permission shows them."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False


class AgencyViewMixin:
    """Officers and managers see the model in the admin; nobody else does."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_officer(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return is_officer(request.user)
