"""The review's refusals: domain errors with a message a person can read, like the
application services' own (``applications.errors``), so views report both the same way."""

from __future__ import annotations

from applications.errors import NotPermitted


class ConflictOfInterestError(NotPermitted):
    """The officer declared a conflict of interest with the applying firm."""

    code = "conflict_of_interest"
