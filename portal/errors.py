"""Refusals from the portal's own services, with a message a person can read."""

from __future__ import annotations

from django.utils.functional import Promise


class PortalRefusal(Exception):
    def __init__(self, message: str | Promise) -> None:
        super().__init__(str(message))
        self.message = str(message)

    def __str__(self) -> str:
        return self.message
