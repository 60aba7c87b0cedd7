"""The review's refusals are the application workflow's own (``applications.errors``), so
every door reports both the same way; this module names the one the register raises."""

from __future__ import annotations

from applications.errors import ConflictOfInterestError

__all__ = ["ConflictOfInterestError"]
