"""Refusals the domain raises, each with a message a person can read in the active language.

Every app's domain errors derive from ``DomainError``; the doors present them the same way
whatever the app: a page shows the message on the form, the REST API answers
``http_status`` in its error shape, the admin shows it as an error message. ``code`` is the
stable machine-readable name the API puts in ``error.code``.
"""

from __future__ import annotations

from django.utils.functional import Promise


class DomainError(Exception):
    code = "invalid"
    # The client's to fix, unless a subclass says otherwise.
    http_status = 400

    def __init__(self, message: str | Promise) -> None:
        super().__init__(str(message))
        self.message = str(message)

    def __str__(self) -> str:
        return self.message


class Refused(DomainError):
    """Not this person: their role, their scope or a declared conflict of interest."""

    code = "not_permitted"
    http_status = 403


class Conflict(DomainError):
    """Not now: the record's current state, or what is left of a limited pool, does not allow it."""

    code = "conflict"
    http_status = 409


class Invalid(DomainError):
    """Not these values."""

    code = "invalid_input"
    http_status = 400
