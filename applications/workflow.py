"""The application workflow in one table: states, transitions, and who may fire each.

``applications.transitions`` is the only code that moves an application between states,
and it asks this table first. The services of each concern (intake, casework, decisions,
eligibility, outcomes) fire transitions through it; pages, API, admin and tasks call those
services and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    SCREENING = "screening", _("Screening")
    ELIGIBLE = "eligible", _("Eligible")
    INELIGIBLE = "ineligible", _("Ineligible")
    UNDER_REVIEW = "under_review", _("Under review")
    INFO_REQUESTED = "info_requested", _("Information requested")
    APPROVED = "approved", _("Approved")
    WAITLISTED = "waitlisted", _("Waitlisted")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    CANCELLED = "cancelled", _("Cancelled")
    COMPLETED = "completed", _("Completed")


class ActorKind(StrEnum):
    FIRM = "firm"
    OFFICER = "officer"
    SYSTEM = "system"


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[str]
    target: str
    actors: frozenset[ActorKind]
    label: str | Promise
    # The person firing it must say why (a decision the firm reads, an override).
    needs_note: bool = False


def _t(
    name: str,
    sources: set[Status],
    target: Status,
    actors: set[ActorKind],
    label: str | Promise,
    *,
    needs_note: bool = False,
) -> Transition:
    return Transition(name, frozenset(sources), target, frozenset(actors), label, needs_note)


S = Status
FIRM, OFFICER, SYSTEM = ActorKind.FIRM, ActorKind.OFFICER, ActorKind.SYSTEM

# Before a decision the firm may pull out; after approval it may still withdraw (units return).
WITHDRAWABLE = {
    S.DRAFT,
    S.SUBMITTED,
    S.SCREENING,
    S.ELIGIBLE,
    S.INELIGIBLE,
    S.UNDER_REVIEW,
    S.INFO_REQUESTED,
    S.WAITLISTED,
    S.APPROVED,
}

TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        _t("submit", {S.DRAFT}, S.SUBMITTED, {FIRM}, _("Submit")),
        _t("start_screening", {S.SUBMITTED}, S.SCREENING, {SYSTEM}, _("Start screening")),
        _t("mark_eligible", {S.SCREENING}, S.ELIGIBLE, {SYSTEM}, _("Mark eligible")),
        _t("mark_ineligible", {S.SCREENING}, S.INELIGIBLE, {SYSTEM}, _("Mark ineligible")),
        _t(
            "override_eligibility",
            {S.INELIGIBLE},
            S.ELIGIBLE,
            {OFFICER},
            _("Override eligibility"),
            needs_note=True,
        ),
        _t("start_review", {S.ELIGIBLE}, S.UNDER_REVIEW, {OFFICER}, _("Start review")),
        _t("request_info", {S.UNDER_REVIEW}, S.INFO_REQUESTED, {OFFICER}, _("Request information"), needs_note=True),
        _t("answer_info", {S.INFO_REQUESTED}, S.UNDER_REVIEW, {FIRM}, _("Answer information request"), needs_note=True),
        _t("approve", {S.UNDER_REVIEW, S.WAITLISTED}, S.APPROVED, {OFFICER, SYSTEM}, _("Approve"), needs_note=True),
        _t("waitlist", {S.UNDER_REVIEW}, S.WAITLISTED, {OFFICER, SYSTEM}, _("Waitlist"), needs_note=True),
        # From ineligible too: officers close out applications that failed screening with a
        # decision the firm reads (the queue's bulk "reject ineligible"), instead of leaving
        # them open for ever.
        _t(
            "reject",
            {S.UNDER_REVIEW, S.WAITLISTED, S.INELIGIBLE},
            S.REJECTED,
            {OFFICER, SYSTEM},
            _("Reject"),
            needs_note=True,
        ),
        _t("withdraw", WITHDRAWABLE, S.WITHDRAWN, {FIRM}, _("Withdraw")),
        _t("cancel", {S.APPROVED}, S.CANCELLED, {OFFICER}, _("Cancel"), needs_note=True),
        _t("complete", {S.APPROVED}, S.COMPLETED, {OFFICER}, _("Complete")),
        # A manager changed the program's rules: applications.eligibility.recheck moves the verdict,
        # only while no officer has taken the application into review.
        _t("recheck_eligible", {S.INELIGIBLE}, S.ELIGIBLE, {SYSTEM}, _("Eligible after a rules change")),
        _t("recheck_ineligible", {S.ELIGIBLE}, S.INELIGIBLE, {SYSTEM}, _("Ineligible after a rules change")),
        # First come, first served: the system takes an eligible application into review and
        # decides it at once (applications.decisions.fcfs.fcfs_on_eligible).
        _t("auto_review", {S.ELIGIBLE}, S.UNDER_REVIEW, {SYSTEM}, _("Start review automatically")),
        # The firm takes a freed place offered from the waitlist; the offer already holds the
        # units (applications.decisions.offers.waitlist_offer_accept).
        _t("accept_offer", {S.WAITLISTED}, S.APPROVED, {FIRM}, _("Accept the offered place")),
    ]
}

# A decision has been taken once an application reaches one of these.
DECIDED = frozenset({S.APPROVED, S.WAITLISTED, S.REJECTED})
# No transition leaves these.
TERMINAL = frozenset({S.REJECTED, S.WITHDRAWN, S.CANCELLED, S.COMPLETED})
# Still in play: counted as "open" by reminders and re-checks.
OPEN = frozenset({S.SUBMITTED, S.SCREENING, S.ELIGIBLE, S.INELIGIBLE, S.UNDER_REVIEW, S.INFO_REQUESTED, S.WAITLISTED})


def transitions_from(status: str) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if status in t.sources]
