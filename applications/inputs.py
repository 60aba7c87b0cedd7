"""What people may type into the workflow's free-text fields.

One rule for every door: text is trimmed, must not be empty where it is required, stays
under its limit, and holds no NUL character or lone UTF-16 surrogate (PostgreSQL refuses the
first, and the second cannot be stored as UTF-8) — each refused with a message that says so,
never passed on to fail in the database.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from applications.errors import InvalidInput, NoteRequired

TEXT_MAX = 4000
MESSAGE_MAX = 5000

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable_text(text: str, *, limit: int = TEXT_MAX) -> str:
    """``text`` trimmed, or ``InvalidInput`` if it is too long or holds characters that cannot
    be stored."""
    cleaned = (text or "").strip()
    if _UNSTORABLE.search(cleaned):
        raise InvalidInput(_("The text contains a character that cannot be stored (a NUL or an invalid character)."))
    if len(cleaned) > limit:
        raise InvalidInput(
            _("Please keep it under %(limit)s characters (it has %(count)s).")
            % {"limit": f"{limit:,}", "count": f"{len(cleaned):,}"}
        )
    return cleaned


def required_text(text: str, *, missing: str, limit: int = TEXT_MAX) -> str:
    """``storable_text`` that must not be empty; ``missing`` says what to write."""
    cleaned = storable_text(text, limit=limit)
    if not cleaned:
        raise NoteRequired(missing)
    return cleaned
