"""Keep what a person typed when their session expired while the form was open.

The form's POST then arrives unauthenticated. Instead of dropping it, the portal puts the
fields (never files, passwords or the CSRF token) in a signed, compressed, HttpOnly cookie
bound to the form's path, sends the person to log in, and the form page restores the fields
once they are back. Anything too large for a cookie is left to the browser-side autosave
(static/js/portal-autosave.js), which keeps every form in localStorage as it is typed.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse, QueryDict

STASH_COOKIE = "portal_form_stash"
_SALT = "portal.form-stash"
# Browsers drop cookies over about 4 KB; stay under it with the cookie's name and attributes.
_MAX_COOKIE_CHARS = 3800
_NEVER_KEPT = frozenset({"csrfmiddlewaretoken", "password", "password1", "password2", "action"})


def stash_post(request: HttpRequest, response: HttpResponse) -> bool:
    """Put ``request.POST`` in the stash cookie on ``response``; ``False`` if it did not fit."""
    fields = {key: request.POST.getlist(key) for key in request.POST if key not in _NEVER_KEPT}
    if not fields:
        return False
    value = signing.dumps({"path": request.path, "fields": fields}, salt=_SALT, compress=True)
    if len(value) > _MAX_COOKIE_CHARS:
        return False
    response.set_cookie(
        STASH_COOKIE,
        value,
        max_age=int(settings.PORTAL_STASH_MAX_AGE.total_seconds()),
        path="/",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return True


def stash_take(request: HttpRequest, response: HttpResponse | None = None) -> QueryDict | None:
    """The stashed fields for this page, if any. Pass the response to clear the cookie."""
    raw = request.COOKIES.get(STASH_COOKIE)
    if not raw:
        return None
    try:
        payload = signing.loads(raw, salt=_SALT, max_age=settings.PORTAL_STASH_MAX_AGE)
    except signing.BadSignature:
        if response is not None:
            stash_clear(response)
        return None
    if payload.get("path") != request.path:
        return None
    data = QueryDict(mutable=True)
    for key, values in payload.get("fields", {}).items():
        data.setlist(key, [str(v) for v in values])
    if response is not None:
        stash_clear(response)
    return data


def stash_clear(response: HttpResponse) -> None:
    response.delete_cookie(STASH_COOKIE, path="/", samesite="Lax")


_SAVED_SESSION_KEY = "portal_autosave_saved"


def autosave_done(request: HttpRequest, *keys: str) -> None:
    """Tell the next page that these forms' contents are saved on the server, so the
    browser-side autosave copies (keyed ``KEY-<user id>``) can be dropped."""
    user_id = getattr(request.user, "pk", "")
    pending = list(request.session.get(_SAVED_SESSION_KEY, []))
    pending += [f"{key}-{user_id}" for key in keys]
    request.session[_SAVED_SESSION_KEY] = pending[-20:]


def autosave_saved_keys(request: HttpRequest) -> list[str]:
    """Keys announced by ``autosave_done``, once."""
    session = getattr(request, "session", None)
    if session is None or _SAVED_SESSION_KEY not in session:
        return []
    return list(session.pop(_SAVED_SESSION_KEY))
