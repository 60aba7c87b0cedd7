"""The application workflow's refusals: each carries a message a person can read, in the
active language, and the HTTP status the API answers it with (``sme_support.errors``)."""

from __future__ import annotations

from sme_support.errors import Conflict, DomainError, Invalid, Refused


class ApplicationError(DomainError):
    """Base for every refusal of the application services."""

    code = "application_error"


class TransitionNotAllowed(ApplicationError, Conflict):
    code = "transition_not_allowed"


class NotPermitted(ApplicationError, Refused):
    code = "not_permitted"


class CapacityExceeded(ApplicationError, Conflict):
    code = "capacity_exceeded"


class InvalidUnits(ApplicationError, Invalid):
    code = "invalid_units"


class CallClosed(ApplicationError, Conflict):
    code = "call_closed"


class NoteRequired(ApplicationError, Invalid):
    code = "note_required"


class InvalidInput(ApplicationError, Invalid):
    code = "invalid_input"


class DuplicateApplication(ApplicationError, Conflict):
    """The firm already has a live (not withdrawn) application to this program."""

    code = "duplicate_application"


class ConflictOfInterestError(NotPermitted):
    """The officer declared a conflict of interest with the applying firm: they take no part
    in its applications, whatever the door."""

    code = "conflict_of_interest"
