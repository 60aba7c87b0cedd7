"""Refusals from the portal's own services, with a message a person can read."""

from __future__ import annotations

from sme_support.errors import Invalid


class PortalRefusal(Invalid):
    code = "refused"
