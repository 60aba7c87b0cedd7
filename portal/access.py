"""Who may use the portal: signed-in users who are not agency staff; most pages also need a firm.

Officers and managers work elsewhere (officer workspace, admin, API). Letting them use the
portal would let a staff account act as a firm, so they get a 403 page that says where to go.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib import messages
from django.contrib.auth.models import User
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from firms.models import Firm
from portal.stash import stash_post
from sme_support.roles import is_officer

View = TypeVar("View", bound=Callable[..., HttpResponse])


class PortalRequest(HttpRequest):
    """A request ``portal_login_required`` let through: ``user`` is a signed-in account that is
    not agency staff. Views so decorated annotate their request with it, so the type checker
    knows ``request.user`` is a ``User`` and not an ``AnonymousUser``."""

    user: User


class FirmRequest(PortalRequest):
    """A request ``firm_required`` let through: also a member of ``firm``."""

    firm: Firm


def officer_workspace_url() -> str:
    """Where agency staff work: the officer workspace's queue, in the active language."""
    return reverse("reviews:queue")


def staff_refusal(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/staff_only.html", {"workspace_url": officer_workspace_url()}, status=403)


def _login_redirect(request: HttpRequest) -> HttpResponse:
    response = redirect_to_login(request.get_full_path())
    if request.method == "POST" and stash_post(request, response):
        # The session ended while the form was open: say so on the login page.
        response.set_cookie("portal_form_stashed", "1", max_age=600, samesite="Lax", httponly=True)
    return response


def portal_login_required(view: View) -> View:
    """Signed in, and not agency staff."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return _login_redirect(request)
        if is_officer(request.user):
            return staff_refusal(request)
        return view(request, *args, **kwargs)

    return cast(View, wrapper)


def firm_required(view: View) -> View:
    """Signed in as a member of a firm; ``request.firm`` is that firm."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return _login_redirect(request)
        if is_officer(request.user):
            return staff_refusal(request)
        firm = Firm.objects.filter(memberships__user=request.user).first()
        if firm is None:
            messages.info(request, _("Register your firm, or ask to join it, before you continue."))
            return redirect("portal:firm_register")
        cast(FirmRequest, request).firm = firm
        return view(request, *args, **kwargs)

    return cast(View, wrapper)
