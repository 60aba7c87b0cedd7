"""The Django admin door of the applications app: the read-only application page with the
workflow as admin actions (``applications``, ``actions``, ``forms``), decision policies,
sign-offs, selection runs and the waitlist (``decisions``), outcome reports and follow-ups
reviewed through actions (``outcomes``, ``notes``), and the records listed on their own (``records``). Every change goes through the same services as the other doors."""

from __future__ import annotations

# Importing the modules registers their ModelAdmins.
from applications.admin import applications, decisions, outcomes, records

__all__ = ["applications", "decisions", "outcomes", "records"]
