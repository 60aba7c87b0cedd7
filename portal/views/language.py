"""The language switcher: Django's set_language, plus remembering the choice for the account."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from notifications.services import language_set


@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    """Set the cookie and redirect like Django's view; a signed-in user's choice is also kept
    in their preferences, so mail and the next login use it.

    With ``prefix_default_language=False`` LocaleMiddleware runs this unprefixed URL in the
    default language, and Django's view then cannot resolve an ``/en/…`` ``next`` to translate
    it, so an English page would never switch to Korean. Resolving ``next`` in its own
    language (read from its prefix) lets ``translate_url`` do its job.
    """
    next_path = urlsplit(request.POST.get("next", "")).path
    language_of_next = translation.get_language_from_path(next_path) or settings.LANGUAGE_CODE
    with translation.override(language_of_next):
        response = set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        language_set(user=request.user, language=language)
    return response
