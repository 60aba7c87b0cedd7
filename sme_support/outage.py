"""A service away is a 503 with ``Retry-After``, never a 500.

PostgreSQL unreachable or gone mid-request (``OperationalError``, ``InterfaceError``), the
broker unreachable while a view publishes (kombu's ``OperationalError``), the Redis cache away:
the request is answered 503 with ``Retry-After: OUTAGE_RETRY_AFTER_SECONDS`` — on ``/api/`` in
the API's error shape, elsewhere as a short page in the request's language that needs neither
the database nor the session to render.

Two places catch it, because an outage can surface at two depths:

- ``ServiceUnavailableMiddleware.process_exception``: raised by a view (DRF re-raises what its
  exception handler does not know, so the API's views land here too);
- ``server_error`` (``handler500``): raised by a middleware, e.g. the session saved on the way
  out. Django calls the 500 handler inside the ``except`` block, so the exception is at hand.

Everything else still reaches Django's 500 handling unchanged.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError as DbInterfaceError
from django.db import OperationalError as DbOperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import defaults
from kombu.exceptions import OperationalError as BrokerOperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

OUTAGE_ERRORS: tuple[type[BaseException], ...] = (
    DbOperationalError,
    DbInterfaceError,
    BrokerOperationalError,
    RedisConnectionError,
    RedisTimeoutError,
)


def is_outage(exc: BaseException | None) -> bool:
    return isinstance(exc, OUTAGE_ERRORS)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def service_unavailable(request: HttpRequest, exc: BaseException) -> HttpResponse:
    """The 503 for ``request``; ``exc`` is logged, never shown."""
    logger.warning("503 for %s %s: a service is unavailable (%r)", request.method, request.path, exc)
    retry_after = str(settings.OUTAGE_RETRY_AFTER_SECONDS)
    language = getattr(request, "LANGUAGE_CODE", None) or translation.get_language_from_request(request)
    with translation.override(language):
        if _is_api(request):
            response: HttpResponse = JsonResponse(
                {
                    "error": {
                        "code": "service_unavailable",
                        "message": _("The service is briefly unavailable. Please try again in a moment."),
                        "fields": {},
                    }
                },
                status=503,
            )
        else:
            # No request context: context processors would ask the database for the user.
            page = render_to_string("503.html", {"retry_after": retry_after, "LANGUAGE_CODE": language})
            response = HttpResponse(page, status=503)
    response["Retry-After"] = retry_after
    response["Cache-Control"] = "no-store"
    return response


class ServiceUnavailableMiddleware:
    """Turns an outage raised by a view into the 503 (see the module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response: HttpResponse = self.get_response(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_outage(exception):
            return service_unavailable(request, exception)
        return None


def server_error(request: HttpRequest, template_name: str = defaults.ERROR_500_TEMPLATE_NAME) -> HttpResponse:
    """``handler500``: a 503 when what went wrong is an outage, Django's 500 otherwise."""
    exc = sys.exc_info()[1]
    if is_outage(exc):
        assert exc is not None
        return service_unavailable(request, exc)
    return defaults.server_error(request, template_name)
