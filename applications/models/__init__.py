"""The applications app's data, by concern: ``application`` (the application, documents,
information requests, messages), ``history`` (append-only status changes), ``decisions``
(allocations, decision policies, sign-offs, selection runs, the waitlist) and ``outcomes``
(outcome reports, buyer meetings, follow-ups). Django finds the models here; import them
from this package."""

from __future__ import annotations

from applications.models.application import Application, ApplicationDocument, ApplicationQuerySet, InfoRequest, Message
from applications.models.decisions import (
    Allocation,
    DecisionPolicy,
    DecisionSignOff,
    SelectionRun,
    WaitlistEntry,
    WaitlistOffer,
    WaitlistOfferQuerySet,
)
from applications.models.history import AppendOnlyError, AppendOnlyModel, AppendOnlyQuerySet, StatusChange
from applications.models.outcomes import BuyerMeeting, OutcomeFollowUp, OutcomeReport

__all__ = [
    "Allocation",
    "AppendOnlyError",
    "AppendOnlyModel",
    "AppendOnlyQuerySet",
    "Application",
    "ApplicationDocument",
    "ApplicationQuerySet",
    "BuyerMeeting",
    "DecisionPolicy",
    "DecisionSignOff",
    "InfoRequest",
    "Message",
    "OutcomeFollowUp",
    "OutcomeReport",
    "SelectionRun",
    "StatusChange",
    "WaitlistEntry",
    "WaitlistOffer",
    "WaitlistOfferQuerySet",
]
