"""Filter fields shared by the API's filter sets; each rejects a bad value with a 400
(django-filter's form validation) instead of letting it reach the database."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework.request import Request
from rest_framework.settings import api_settings

# Query parameters that page, order or format a list and never filter it.
_NOT_FILTERS = frozenset({"page", "page_size", api_settings.ORDERING_PARAM, api_settings.URL_FORMAT_OVERRIDE})


class ApiFilterBackend(filters.DjangoFilterBackend):
    """django-filter, skipped when the query string holds nothing that could filter.

    Binding a FilterSet deep-copies every filter and builds a form class, per request: about
    2 ms of a 10 ms list page (bench/RESULTS.md). A request with no parameter but paging,
    ordering and format would filter nothing, so its queryset passes through unchanged; any
    other parameter takes the full path (and a bad value is still a 400).
    """

    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: Any) -> QuerySet[Any]:
        if request.query_params.keys() <= _NOT_FILTERS:
            return queryset
        return super().filter_queryset(request, queryset, view)


# PostgreSQL's integer range: anything beyond it is no id and no year, and must not reach SQL.
MAX_INT = 2**31 - 1


class CountryCodeField(forms.RegexField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("error_messages", {"invalid": _("Enter a two-letter ISO country code, e.g. FR.")})
        super().__init__(regex=r"^[A-Za-z]{2}$", **kwargs)

    def clean(self, value: Any) -> Any:
        cleaned = super().clean(value)
        return cleaned.upper() if cleaned else cleaned


@extend_schema_field({"type": "string", "pattern": "^[A-Za-z]{2}$", "description": "ISO 3166-1 alpha-2 code"})
class CountryCodeFilter(filters.CharFilter):
    field_class = CountryCodeField


class StrictBooleanField(forms.NullBooleanField):
    """true/false (or 1/0); anything else is an error, not silently "no filter"."""

    def to_python(self, value: Any) -> bool | None:  # type: ignore[override]  # None: no filter
        if value in (None, ""):
            return None
        normalized = str(value).strip().lower()
        if normalized in ("true", "1"):
            return True
        if normalized in ("false", "0"):
            return False
        raise forms.ValidationError(_("Enter true or false."), code="invalid")

    def validate(self, value: Any) -> None:
        return None


@extend_schema_field({"type": "boolean"})
class StrictBooleanFilter(filters.BooleanFilter):
    field_class = StrictBooleanField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # django-filter's BooleanWidget turns any unknown word into "no filter"; read the raw text.
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_INT})
class IdFilter(filters.Filter):
    """A primary key: a whole number in range, or a 400."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_INT)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "integer", "minimum": 2000, "maximum": 2100})
class FiscalYearFilter(filters.Filter):
    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 2000)
        kwargs.setdefault("max_value", 2100)
        super().__init__(*args, **kwargs)
