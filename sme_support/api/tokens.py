"""API tokens: a manager creates, replaces and revokes their own on a small page.

Tokens are minted here, behind a signed-in session and CSRF, rather than by an API endpoint,
so that a leaked token can never be used to mint another. The key is shown once, on the
response to the POST that created it; afterwards only its creation time is shown.
"""

from __future__ import annotations

import logging
from typing import cast

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from rest_framework.authtoken.models import Token

from sme_support.roles import is_manager

logger = logging.getLogger(__name__)


@transaction.atomic
def api_token_create(*, user: User) -> Token:
    """A new key for ``user``; any previous key stops working at once."""
    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    logger.info("API token created for user %s", user.pk)
    return token


def api_token_revoke(*, user: User) -> bool:
    deleted, _detail = Token.objects.filter(user=user).delete()
    if deleted:
        logger.info("API token revoked for user %s", user.pk)
    return bool(deleted)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # login_required: never anonymous here
    if not is_manager(user):
        raise PermissionDenied(_("Only managers use API tokens."))
    new_key = None
    notice = ""
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            new_key = api_token_create(user=user).key
        elif action == "revoke":
            revoked = api_token_revoke(user=user)
            notice = _("Your token was revoked.") if revoked else _("You had no token.")
        else:
            notice, status = _("Unknown action."), 400
    token = Token.objects.filter(user=user).first()
    context = {"token": token, "new_key": new_key, "notice": notice}
    return render(request, "api/tokens.html", context, status=status)
