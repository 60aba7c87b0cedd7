"""Approval consumes capacity through an allocation; a refusal changes nothing; withdrawing or
cancelling an approved application gives its units back."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone, translation

from applications.decisions.grants import application_cancel, application_withdraw
from applications.decisions.moves import application_approve, application_waitlist
from applications.errors import CapacityExceeded, InvalidUnits
from applications.models import Allocation, Application, StatusChange
from applications.workflow import Status
from programs.models import Program
from tests.applications.workflow_driver import FAST_HASHERS, Cast, drive_to, make_cast
from tests.factories import FirmFactory

pytestmark = pytest.mark.django_db

CAPACITY = 100
CAP = 40


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture
def cast() -> Cast:
    return make_cast(capacity=CAPACITY, per_firm_cap=CAP)


def _in_review(cast: Cast, requested: int = CAP) -> Application:
    return drive_to(cast.new_application(firm=FirmFactory(), requested_units=requested), Status.UNDER_REVIEW, cast)


def _drive_for_own_firm(cast: Cast, status: str, requested: int = CAP) -> Application:
    return drive_to(cast.new_application(requested_units=requested), status, cast)


def _approve(cast: Cast, app: Application, units: int) -> Application:
    return application_approve(application=app, actor=cast.officer, units=units, reason="Fits the plan")


def _allocated(cast: Cast) -> int:
    return Program.objects.get(pk=cast.program.pk).allocated


def _live_sum(cast: Cast) -> int:
    return Allocation.objects.filter(program=cast.program, released_at=None).aggregate(s=Sum("units"))["s"] or 0


def _state(app: Application) -> tuple[object, ...]:
    app = Application.objects.get(pk=app.pk)
    return (
        app.status,
        app.decided_at,
        app.decision_reason,
        StatusChange.objects.filter(application=app).count(),
        Allocation.objects.filter(application=app).exists(),
        Program.objects.get(pk=app.program_id).allocated,
    )


# --- Approval --------------------------------------------------------------------------------


def test_approve_allocates_the_granted_units(cast: Cast) -> None:
    app = _drive_for_own_firm(cast, Status.UNDER_REVIEW, requested=30)
    started = timezone.now()
    _approve(cast, app, 25)
    allocation = Allocation.objects.get(application=app)
    assert (allocation.units, allocation.program_id, allocation.granted_by) == (25, cast.program.pk, cast.officer)
    assert started <= allocation.granted_at <= timezone.now()
    assert allocation.is_live
    assert _allocated(cast) == 25 == _live_sum(cast)


@pytest.mark.parametrize("units", [0, -1])
def test_approve_refuses_units_below_one(units: int, cast: Cast) -> None:
    app = _in_review(cast)
    before = _state(app)
    with pytest.raises(InvalidUnits):
        _approve(cast, app, units)
    assert _state(app) == before


def test_approve_refuses_more_than_the_firm_asked_for(cast: Cast) -> None:
    app = _in_review(cast, requested=10)
    before = _state(app)
    with translation.override("en"), pytest.raises(InvalidUnits) as caught:
        _approve(cast, app, 11)
    assert "11" in str(caught.value) and "10" in str(caught.value)
    assert _state(app) == before


def test_approve_refuses_more_than_the_per_firm_cap(cast: Cast) -> None:
    app = _in_review(cast)
    Application.objects.filter(pk=app.pk).update(requested_units=CAP + 1)  # an old draft, cap lowered since
    before = _state(app)
    with pytest.raises(InvalidUnits):
        _approve(cast, app, CAP + 1)
    assert _state(app) == before


def test_approve_may_grant_less_than_requested(cast: Cast) -> None:
    app = _in_review(cast, requested=30)
    _approve(cast, app, 1)
    assert Allocation.objects.get(application=app).units == 1
    assert _allocated(cast) == 1


def test_approve_beyond_remaining_capacity_is_refused_and_changes_nothing(cast: Cast) -> None:
    first, second = _in_review(cast), _in_review(cast)
    _approve(cast, first, CAP)
    _approve(cast, second, CAP)  # 80 of 100 used
    third = _in_review(cast)
    before = _state(third)

    with translation.override("en"), pytest.raises(CapacityExceeded) as caught:
        _approve(cast, third, 21)

    message = str(caught.value)
    assert "20" in message and "21" in message  # what is left, and what was asked
    assert _state(third) == before
    assert before[0] == Status.UNDER_REVIEW
    assert not Allocation.objects.filter(application=third).exists()
    assert not StatusChange.objects.filter(application=third, transition="approve").exists()
    assert _allocated(cast) == 2 * CAP == _live_sum(cast)


def test_approve_can_fill_capacity_exactly_and_not_one_unit_more(cast: Cast) -> None:
    apps = [_in_review(cast) for _ in range(4)]
    _approve(cast, apps[0], CAP)
    _approve(cast, apps[1], CAP)
    _approve(cast, apps[2], CAPACITY - 2 * CAP)  # exactly full
    assert _allocated(cast) == CAPACITY
    with pytest.raises(CapacityExceeded):
        _approve(cast, apps[3], 1)
    assert _allocated(cast) == CAPACITY == _live_sum(cast)


def test_database_refuses_an_allocated_counter_above_capacity(cast: Cast) -> None:
    """The last line of defence, should any code bypass allocation_claim."""
    with pytest.raises(IntegrityError), transaction.atomic():
        Program.objects.filter(pk=cast.program.pk).update(allocated=CAPACITY + 1)
    assert _allocated(cast) == 0


# --- Units come back ---------------------------------------------------------------------------


def test_withdrawing_an_approved_application_returns_its_units(cast: Cast) -> None:
    app = _drive_for_own_firm(cast, Status.APPROVED)
    assert _allocated(cast) > 0
    granted = Allocation.objects.get(application=app).units
    started = timezone.now()
    application_withdraw(application=app, actor=cast.firm_staff, note="Could not travel")
    allocation = Allocation.objects.get(application=app)
    assert allocation.units == granted
    assert started <= allocation.released_at <= timezone.now()
    assert not allocation.is_live
    assert _allocated(cast) == 0 == _live_sum(cast)
    app.refresh_from_db()
    assert app.status == Status.WITHDRAWN


def test_cancelling_an_approved_application_returns_its_units(cast: Cast) -> None:
    keep = _in_review(cast)
    _approve(cast, keep, 10)
    app = _drive_for_own_firm(cast, Status.APPROVED)
    application_cancel(application=app, actor=cast.officer, reason="Did not attend")
    assert Allocation.objects.get(application=app).released_at is not None
    assert Allocation.objects.get(application=keep).released_at is None
    assert _allocated(cast) == 10 == _live_sum(cast)


def test_returned_units_can_be_granted_to_a_waitlisted_application(cast: Cast) -> None:
    approved = [_in_review(cast) for _ in range(2)]
    for app in approved:
        _approve(cast, app, CAP)
    waiting = _in_review(cast)
    application_waitlist(application=waiting, actor=cast.officer, reason="Capacity used up")
    with pytest.raises(CapacityExceeded):
        _approve(cast, waiting, CAP)

    own = _drive_for_own_firm(cast, Status.UNDER_REVIEW, requested=10)
    _approve(cast, own, 10)
    application_withdraw(application=own, actor=cast.firm_staff)
    # 80 granted: the withdrawn 10 are back, so 20 remain.
    _approve(cast, waiting, 20)
    waiting.refresh_from_db()
    assert waiting.status == Status.APPROVED
    assert _allocated(cast) == CAPACITY == _live_sum(cast)


@pytest.mark.parametrize("status", [Status.DRAFT, Status.UNDER_REVIEW, Status.WAITLISTED])
def test_withdrawing_before_approval_touches_no_capacity(status: str, cast: Cast) -> None:
    other = _in_review(cast)
    _approve(cast, other, 7)
    app = _drive_for_own_firm(cast, status)
    application_withdraw(application=app, actor=cast.firm_staff)
    assert not Allocation.objects.filter(application=app).exists()
    assert _allocated(cast) == 7 == _live_sum(cast)


def test_completing_keeps_the_allocation(cast: Cast) -> None:
    app = _drive_for_own_firm(cast, Status.COMPLETED)
    assert Allocation.objects.get(application=app).is_live
    assert _allocated(cast) == _live_sum(cast) > 0
