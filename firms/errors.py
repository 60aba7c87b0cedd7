"""Refusals of the firm registry's services (registering, joining, invitations, profile
items), with a message a person can read."""

from __future__ import annotations

from sme_support.errors import Invalid


class FirmRefusal(Invalid):
    code = "refused"
