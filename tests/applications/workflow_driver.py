"""Shared set-up for the workflow tests: the people involved, a way to bring an application
into any state through the real services, and one callable per transition.

Only ``put_in_state`` bypasses the services (a queryset ``update``), and only to set up the
refusal cases, where how the application got there does not matter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.utils import timezone

from applications.casework.services import (
    application_answer_info,
    application_override_eligibility,
    application_request_info,
    application_start_review,
)
from applications.decisions.grants import application_cancel, application_complete, application_withdraw
from applications.decisions.moves import application_approve, application_reject, application_waitlist
from applications.eligibility.screening import application_screen
from applications.intake.services import application_submit
from applications.models import Application
from applications.transitions import apply_transition
from applications.workflow import TRANSITIONS, ActorKind, Status
from firms.models import Firm, FirmMembership
from programs.models import Program
from sme_support.roles import Role
from tests.factories import ApplicationFactory, FirmFactory, ProgramFactory, assign_officer, firm_user, user_in_group

APPROVED_UNITS = 5_000_000
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class Cast:
    """The people around one program; each is created on first use, so a test pays only for
    the people it involves."""

    def __init__(self, **program_kwargs: Any) -> None:
        self.program: Program = ProgramFactory(**program_kwargs)
        self.firm: Firm = FirmFactory()

    @cached_property
    def firm_staff(self) -> Any:
        return firm_user(self.firm)

    @cached_property
    def officer(self) -> Any:
        user = user_in_group(Role.OFFICER)
        assign_officer(self.program, user, lead=True)
        return user

    @cached_property
    def other_firm_staff(self) -> Any:
        return firm_user(FirmFactory())

    @cached_property
    def unassigned_officer(self) -> Any:
        user = user_in_group(Role.OFFICER)
        # Assigned elsewhere: being an officer somewhere must not open this program.
        assign_officer(ProgramFactory(), user)
        return user

    @cached_property
    def manager(self) -> Any:
        return user_in_group(Role.MANAGER)

    def staff_of(self, firm_id: int) -> Any:
        """A portal user of the given firm (the cast's own staff for the cast's firm)."""
        if firm_id == self.firm.pk:
            return self.firm_staff
        membership = FirmMembership.objects.filter(firm_id=firm_id).select_related("user").first()
        return membership.user if membership else firm_user(Firm.objects.get(pk=firm_id))

    def new_application(self, **kwargs: Any) -> Application:
        return ApplicationFactory(program=self.program, firm=kwargs.pop("firm", self.firm), **kwargs)


def make_cast(**program_kwargs: Any) -> Cast:
    return Cast(**program_kwargs)


def approved_units(app: Application) -> int:
    return min(APPROVED_UNITS, app.requested_units)


# --- Driving an application through the services ------------------------------------------


def _submit(app: Application, cast: Cast) -> None:
    application_submit(application=app, actor=cast.staff_of(app.firm_id))


def _screen(app: Application, cast: Cast) -> None:
    application_screen(application_id=app.pk)


def _screen_ineligible(app: Application, cast: Cast) -> None:
    # A sanctioned firm fails the baseline rules; only this firm is affected.
    Firm.objects.filter(pk=app.firm_id).update(sanctioned_until=timezone.localdate() + dt.timedelta(days=90))
    application_screen(application_id=app.pk)


def _to_screening(app: Application, cast: Cast) -> None:
    # The worker moves submitted → screening → (in)eligible in one transaction, so no service
    # stops at "screening"; this is the state a worker that died mid-check leaves behind.
    put_in_state(app, Status.SCREENING)


def _start_review(app: Application, cast: Cast) -> None:
    application_start_review(application=app, actor=cast.officer)


def _request_info(app: Application, cast: Cast) -> None:
    application_request_info(application=app, actor=cast.officer, message="Please send the quotation.")


def _approve(app: Application, cast: Cast) -> None:
    application_approve(application=app, actor=cast.officer, units=approved_units(app), reason="Strong plan")


def _waitlist(app: Application, cast: Cast) -> None:
    application_waitlist(application=app, actor=cast.officer, reason="Ranked below the line")


def _reject(app: Application, cast: Cast) -> None:
    application_reject(application=app, actor=cast.officer, reason="Weak plan")


def _withdraw(app: Application, cast: Cast) -> None:
    application_withdraw(application=app, actor=cast.staff_of(app.firm_id))


def _cancel(app: Application, cast: Cast) -> None:
    application_cancel(application=app, actor=cast.officer, reason="Did not attend")


def _complete(app: Application, cast: Cast) -> None:
    application_complete(application=app, actor=cast.officer)


_UNDER_REVIEW = [_submit, _screen, _start_review]
PATHS: dict[str, list[Callable[[Application, Cast], None]]] = {
    Status.DRAFT: [],
    Status.SUBMITTED: [_submit],
    Status.SCREENING: [_submit, _to_screening],
    Status.ELIGIBLE: [_submit, _screen],
    Status.INELIGIBLE: [_submit, _screen_ineligible],
    Status.UNDER_REVIEW: _UNDER_REVIEW,
    Status.INFO_REQUESTED: [*_UNDER_REVIEW, _request_info],
    Status.APPROVED: [*_UNDER_REVIEW, _approve],
    Status.WAITLISTED: [*_UNDER_REVIEW, _waitlist],
    Status.REJECTED: [*_UNDER_REVIEW, _reject],
    Status.WITHDRAWN: [_withdraw],
    Status.CANCELLED: [*_UNDER_REVIEW, _approve, _cancel],
    Status.COMPLETED: [*_UNDER_REVIEW, _approve, _complete],
}
assert set(PATHS) == set(Status.values), "every state needs a path"


def drive_to(app: Application, status: str, cast: Cast) -> Application:
    """Bring a fresh draft to ``status`` through the services, as a firm and an officer would."""
    for step in PATHS[status]:
        step(app, cast)
    app.refresh_from_db()
    assert app.status == status, (status, app.status, app.eligibility_results)
    return app


def put_in_state(app: Application, status: str) -> Application:
    """Set-up only: place the application in ``status`` without the workflow."""
    Application.objects.filter(pk=app.pk).update(status=status)
    app.refresh_from_db()
    return app


# --- One callable per transition --------------------------------------------------------------


@dataclass(frozen=True)
class Firing:
    """How a test fires one transition: the service call, and who it runs as."""

    call: Callable[[Application, Any, str], Any]
    # "firm", "officer" or "system": which member of the cast acts by default.
    side: str
    # Whether the service takes a free-text note (all needs_note ones do).
    takes_note: bool = True


def _apply_as(name: str) -> Callable[[Application, Any, str], Any]:
    # The screening and re-check transitions have no service of their own that takes the
    # transition's name (application_screen and the bulk re-check pick them); the workflow's
    # single entry point is what accepts or refuses them.
    def call(app: Application, actor: Any, note: str) -> Any:
        return apply_transition(application=app, name=name, actor=actor, note=note)

    return call


FIRINGS: dict[str, Firing] = {
    "submit": Firing(lambda a, u, n: application_submit(application=a, actor=u), "firm", takes_note=False),
    "start_screening": Firing(_apply_as("start_screening"), "system", takes_note=False),
    "mark_eligible": Firing(_apply_as("mark_eligible"), "system", takes_note=False),
    "mark_ineligible": Firing(_apply_as("mark_ineligible"), "system", takes_note=False),
    "override_eligibility": Firing(
        lambda a, u, n: application_override_eligibility(application=a, actor=u, justification=n), "officer"
    ),
    "start_review": Firing(lambda a, u, n: application_start_review(application=a, actor=u, note=n), "officer"),
    "request_info": Firing(lambda a, u, n: application_request_info(application=a, actor=u, message=n), "officer"),
    "answer_info": Firing(lambda a, u, n: application_answer_info(application=a, actor=u, answer=n), "firm"),
    "approve": Firing(
        lambda a, u, n: application_approve(application=a, actor=u, units=approved_units(a), reason=n),
        "officer",
    ),
    "waitlist": Firing(lambda a, u, n: application_waitlist(application=a, actor=u, reason=n), "officer"),
    "reject": Firing(lambda a, u, n: application_reject(application=a, actor=u, reason=n), "officer"),
    "withdraw": Firing(lambda a, u, n: application_withdraw(application=a, actor=u, note=n), "firm"),
    "cancel": Firing(lambda a, u, n: application_cancel(application=a, actor=u, reason=n), "officer"),
    "complete": Firing(lambda a, u, n: application_complete(application=a, actor=u, note=n), "officer"),
    # Fired by the bulk re-check after a rules change; the workflow's entry point decides.
    "recheck_eligible": Firing(_apply_as("recheck_eligible"), "system", takes_note=False),
    "recheck_ineligible": Firing(_apply_as("recheck_ineligible"), "system", takes_note=False),
    # Fired by applications.decisions.fcfs and applications.decisions.offers (an accepted offer);
    # tests/decisions covers those services, the table's entry point is what is tested here.
    "auto_review": Firing(_apply_as("auto_review"), "system", takes_note=False),
    "accept_offer": Firing(_apply_as("accept_offer"), "firm", takes_note=False),
}
assert set(FIRINGS) == set(TRANSITIONS), "every transition needs a firing"

ACTOR_KIND_OF_SIDE = {"firm": ActorKind.FIRM, "officer": ActorKind.OFFICER, "system": ActorKind.SYSTEM}


def default_actor(side: str, cast: Cast) -> Any:
    return {"firm": cast.firm_staff, "officer": cast.officer, "system": None}[side]


def pair_id(pair: tuple[str, str]) -> str:
    return f"{pair[0]}-from-{pair[1]}"


def allowed_pairs() -> list[tuple[str, str]]:
    return [(name, source) for name, t in TRANSITIONS.items() for source in Status.values if source in t.sources]


def refused_pairs() -> list[tuple[str, str]]:
    return [(name, source) for name, t in TRANSITIONS.items() for source in Status.values if source not in t.sources]
