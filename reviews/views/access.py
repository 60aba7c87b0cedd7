"""Who may use the officer workspace: the agency's officers and managers.

Anonymous visitors are sent to log in; signed-in users without an agency role get a 403
page (a role page: the workspace exists, they may not use it). Applications outside the
user's scope are a 404, as in the rest of the site.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib.auth.models import User
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from applications.models import Application
from applications.selectors import application_get
from sme_support.roles import is_officer

View = TypeVar("View", bound=Callable[..., HttpResponse])


class OfficerRequest(HttpRequest):
    """A request that ``officer_required`` let through: ``user`` is a signed-in officer or manager."""

    user: User


def forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "reviews/forbidden.html", {"message": message}, status=403)


def officer_required(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_officer(request.user):
            return forbidden(request, _("The officer workspace is for the agency's officers and managers."))
        return view(request, *args, **kwargs)

    return cast(View, wrapper)


def application_or_404(request: HttpRequest, pk: int) -> Application:
    try:
        return application_get(user=request.user, pk=pk)
    except Application.DoesNotExist as exc:
        raise Http404(_("No application of yours has this number.")) from exc
