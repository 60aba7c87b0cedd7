"""What every endpoint of the REST API shares: the error shape, pagination, whitelisted
ordering, CSV negotiation and the schema's documentation of all of these.

Errors always look like ``{"error": {"code": "...", "message": "...", "fields": {...}}}``,
with the message in the request's language (LocaleMiddleware reads Accept-Language).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponseBase
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.filters import OrderingFilter
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.viewsets import ReadOnlyModelViewSet

from sme_support import idempotency
from sme_support.api.csv_export import CSV_MEDIA_TYPE, CsvColumn, CSVRenderer, stream_queryset
from sme_support.api.filters import ApiFilterBackend
from sme_support.errors import DomainError
from sme_support.models import IdempotentRequest

MAX_PAGE_SIZE = 500

# --- The error shape ------------------------------------------------------------------------


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=gettext_lazy("A stable machine-readable code, e.g. `not_found`."))
    message = serializers.CharField(help_text=gettext_lazy("What went wrong, in the request's language."))
    # The error shape's key; DRF's serializer metaclass takes declared fields off the class,
    # so this does not shadow Serializer.fields.
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.JSONField(),
        help_text=gettext_lazy("Per field (or query parameter) messages; empty when the error is not about a field."),
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


def error_body(*, code: str, message: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: every refusal in the one error shape."""
    if isinstance(exc, idempotency.Replay):
        return exc.response()
    if isinstance(exc, DomainError):
        # A refusal of the domain (every app's errors derive from DomainError): its status says
        # whose move it is — 403 not this person, 409 not now, 400 not these values.
        return Response(error_body(code=exc.code, message=exc.message), status=exc.http_status)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, Http404):
        # Django's message names the model and is not translated; the generic one is both.
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        if isinstance(detail, dict):
            fields = detail
            message = _("Some values are not valid; see the fields.")
        else:
            fields = {}
            message = " ".join(str(item) for item in detail) if isinstance(detail, list) else str(detail)
        response.data = error_body(code="invalid", message=message, fields=fields)
    elif isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
        response.data = error_body(code=str(code), message=str(exc.detail))
    return response


# --- Pagination ------------------------------------------------------------------------------


class ApiPagination(PageNumberPagination):
    """Page numbers, 50 a page by default, ``page_size`` up to 500; a bad value is a 400."""

    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size if isinstance(self.page_size, int) else 50
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= MAX_PAGE_SIZE:
            raise exceptions.ValidationError(
                {"page_size": [_("Enter a whole number from 1 to %(max)s.") % {"max": MAX_PAGE_SIZE}]}
            )
        return size

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any] | None:
        raw = request.query_params.get(self.page_query_param)
        if raw is not None and raw != "" and raw not in self.last_page_strings:
            try:
                valid = int(raw) >= 1
            except ValueError:
                valid = False
            if not valid:
                raise exceptions.ValidationError({"page": [_("Enter a page number of 1 or more.")]})
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": str(_("A page number within the paginated result set (1 is the first).")),
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": str(_("Number of results per page (default 50).")),
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            },
        ]


# --- Ordering ---------------------------------------------------------------------------------


class StrictOrderingFilter(OrderingFilter):
    """``ordering`` over the view's explicit ``ordering_fields`` only; an unknown field is a
    400 rather than silently ignored, and every ordering ends with the primary key so that
    pages never overlap or skip rows that tie."""

    def get_ordering(self, request: Request, queryset: QuerySet[Model], view: Any) -> list[str]:
        params = request.query_params.get(self.ordering_param)
        if params:
            terms = [term.strip() for term in params.split(",") if term.strip()]
            allowed = set(view.ordering_fields)
            unknown = [term for term in terms if term.lstrip("-") not in allowed]
            if unknown:
                raise exceptions.ValidationError(
                    {
                        self.ordering_param: [
                            _("Cannot order by %(fields)s; choose from: %(allowed)s.")
                            % {"fields": ", ".join(unknown), "allowed": ", ".join(view.ordering_fields)}
                        ]
                    }
                )
            ordering = terms
        else:
            ordering = list(getattr(view, "ordering", None) or [])
        if not any(term.lstrip("-") in ("pk", "id") for term in ordering):
            ordering.append("pk")
        return ordering

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        choices = [prefix + name for name in view.ordering_fields for prefix in ("", "-")]
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": str(
                    _("Sort by these fields, comma-separated; prefix `-` for descending. Ties are broken by id.")
                ),
                "style": "form",
                "explode": False,
                "schema": {"type": "array", "items": {"type": "string", "enum": choices}},
            }
        ]


# --- Schema -----------------------------------------------------------------------------------

FORMAT_PARAMETER = OpenApiParameter(
    "format",
    str,
    enum=["json", "csv"],
    description=gettext_lazy(
        "`csv` streams every matching row as CSV (UTF-8 with BOM), unpaginated; the same as `Accept: text/csv`. "
        "Safe to open in a spreadsheet: a cell that starts with `=`, `+`, `-`, `@`, `|`, `%`, a tab or a carriage "
        "return is written with an apostrophe in front (and a `|` in it as `\\|`), so that it is read as text, "
        "never run as a formula; plain numbers such as `-2.8` or `1,250` are left as they are. The JSON is never "
        "altered."
    ),
)

_ERROR_DESCRIPTIONS = {
    "400": gettext_lazy("Invalid input, filter, ordering or page."),
    "401": gettext_lazy("Not signed in: send `Authorization: Token <key>` or a session cookie."),
    "403": gettext_lazy("Signed in, but not allowed to do this."),
    "404": gettext_lazy("No such object, or not one you may see."),
    "406": gettext_lazy("None of the accepted response formats is available."),
    "409": gettext_lazy("Not possible in the object's current state."),
    "429": gettext_lazy("Too many requests; retry after the number of seconds in Retry-After."),
}


class ApiAutoSchema(AutoSchema):
    """Documents the shared error responses on every operation and gives CSV its own
    (string) body: CSV is offered for successful list/statistics responses only."""

    def _error_codes(self) -> list[str]:
        codes = ["401", "403", "406", "429"]
        action = getattr(self.view, "action", None)
        is_list = action == "list" or getattr(self.view, "documents_filters", False)
        if is_list or self.method in ("POST", "PATCH", "PUT"):
            codes.append("400")
        if "{" in self.path or action == "list":
            codes.append("404")
        return codes

    def get_filter_backends(self) -> list[Any]:
        # Statistics are not lists, but take the list's filters: document them as well.
        if getattr(self.view, "documents_filters", False):
            return list(getattr(self.view, "filter_backends", []))
        return super().get_filter_backends()

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=str(_ERROR_DESCRIPTIONS[code])),
                    code,
                    ["application/json"],
                    direction,
                )
        return responses

    def _get_response_for_code(
        self, serializer: Any, status_code: str, media_types: Any = None, direction: Any = "response"
    ) -> dict[str, Any]:
        result = super()._get_response_for_code(serializer, status_code, media_types, direction)
        content = result.get("content")
        if content and CSV_MEDIA_TYPE in content:
            if str(status_code).startswith("2"):
                content[CSV_MEDIA_TYPE] = {
                    "schema": {
                        "type": "string",
                        "description": str(_("CSV with a header row; the columns are the JSON fields, flattened.")),
                    }
                }
            else:
                del content[CSV_MEDIA_TYPE]
        return result


# --- Views ------------------------------------------------------------------------------------


class ApiViewMixin:
    """CSV negotiation for the actions in ``csv_actions``, errors always in JSON, 401 (not
    403) for a request that carries no credentials, and writes that answer what they commit.

    Every write (POST, PUT, PATCH, DELETE) runs in one transaction together with the building
    of its answer: the answer is read before the commit, so a connection lost after the commit
    can no longer turn a write that went through into an error, and an error before the commit
    leaves nothing written. With an ``Idempotency-Key`` header the answer is kept with the key
    in that same transaction and a retry gets it again (``sme_support.idempotency``).
    """

    schema: Any = ApiAutoSchema()
    csv_actions: frozenset[str] = frozenset({"list"})
    _idempotent_request: IdempotentRequest | None = None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.method not in idempotency.WRITE_METHODS:
            return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        with transaction.atomic():
            return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        # After authentication: keys belong to a user.
        key = idempotency.requested_key(request)
        if key is not None:
            self._idempotent_request = idempotency.claim(request=request, key=key)

    def _offers_csv(self) -> bool:
        return getattr(self, "action", None) in self.csv_actions

    def get_renderers(self) -> list[BaseRenderer]:
        renderers: list[BaseRenderer] = super().get_renderers()  # type: ignore[misc]
        if self._offers_csv():
            renderers.append(CSVRenderer())
        return renderers

    def initialize_request(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Request:
        # /api/ has no language prefix, and for unprefixed paths LocaleMiddleware answers in
        # LANGUAGE_CODE; an API client names its language with Accept-Language (or the
        # language cookie), so honour that before anything can raise.
        language = translation.get_language_from_request(request, check_path=False)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        return super().initialize_request(request, *args, **kwargs)  # type: ignore[misc]

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # DRF answers an unknown ?format= with a 404, as if the resource did not exist; it is
        # a format we cannot produce, i.e. a 406.
        try:
            return super().perform_content_negotiation(request, force)  # type: ignore[misc]
        except Http404 as exc:
            raise exceptions.NotAcceptable() from exc

    def get_authenticate_header(self, request: Request) -> str:
        return 'Token realm="api"'

    def wants_csv(self, request: Request) -> bool:
        renderer = getattr(request, "accepted_renderer", None)
        return getattr(renderer, "format", None) == "csv"

    def finalize_response(self, request: Request, response: HttpResponseBase, *args: Any, **kwargs: Any) -> Any:
        if isinstance(response, Response) and response.status_code >= 400 and self.wants_csv(request):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = "application/json"
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        patch_vary_headers(response, ["Accept-Language"])
        if self._idempotent_request is not None and isinstance(response, Response):
            idempotency.record_answer(self._idempotent_request, response)
            self._idempotent_request = None
        return response


class ScopedReadOnlyViewSet(ApiViewMixin, ReadOnlyModelViewSet):
    """A read-only resource whose ``get_queryset`` is a selector scoped to the user; the list
    is filtered, ordered on a whitelist, paginated, and streamable as CSV."""

    pagination_class = ApiPagination
    filter_backends = [ApiFilterBackend, StrictOrderingFilter]
    csv_columns: Sequence[CsvColumn] = ()
    csv_filename = "export.csv"

    def get_csv_queryset(self, queryset: QuerySet[Model]) -> QuerySet[Model]:
        return queryset

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        queryset = self.filter_queryset(self.get_queryset())
        if self.wants_csv(request):
            return stream_queryset(
                queryset=self.get_csv_queryset(queryset), columns=self.csv_columns, filename=self.csv_filename
            )
        page = self.paginate_queryset(queryset)
        serializer = self.get_serializer(page, many=True)
        return self.get_paginated_response(serializer.data)
