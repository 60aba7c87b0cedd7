"""Domain errors: each carries a message a person can read, in the active language."""

from __future__ import annotations

from django.utils.functional import Promise


class ApplicationError(Exception):
    """Base for every refusal the application services raise."""

    code = "application_error"

    def __init__(self, message: str | Promise) -> None:
        super().__init__(str(message))
        self.message = str(message)

    def __str__(self) -> str:
        return self.message


class TransitionNotAllowed(ApplicationError):
    code = "transition_not_allowed"


class NotPermitted(ApplicationError):
    code = "not_permitted"


class CapacityExceeded(ApplicationError):
    code = "capacity_exceeded"


class InvalidUnits(ApplicationError):
    code = "invalid_units"


class CallClosed(ApplicationError):
    code = "call_closed"


class NoteRequired(ApplicationError):
    code = "note_required"


class InvalidInput(ApplicationError):
    code = "invalid_input"


class DuplicateApplication(ApplicationError):
    """The firm already has a live (not withdrawn) application to this program."""

    code = "duplicate_application"
