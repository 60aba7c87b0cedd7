"""Waitlist promotion under real concurrency on PostgreSQL: threads with their own
connections, released together by a barrier.

- Places freed at the same moment go to different waitlisted applications, in rank order.
- A withdrawal racing a manual approval never over-allocates, and the freed unit goes to the
  waitlist offer that reserved it, not to the approval.
- A withdrawal racing the manual approval of the very application it would offer the place to
  ends cleanly either way (no duplicate allocation, no error other than a domain refusal).
- The control: a naive promotion (read the next in line, then write) picks the same
  application twice; the partial unique index is what stops the second offer.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from applications import tasks
from applications.decisions.grants import application_withdraw
from applications.decisions.moves import application_approve
from applications.decisions.services import decision_request
from applications.eligibility.screening import application_screen
from applications.errors import ApplicationError
from applications.intake.services import application_submit
from applications.models import Allocation, Application, WaitlistOffer
from applications.workflow import Status
from programs.models import SelectionMode
from tests.decisions.helpers import (
    application_in,
    approved,
    assert_pool_consistent,
    booths,
    lead_officer,
    staff_of,
    waitlisted,
)

pytestmark = pytest.mark.django_db(transaction=True)

BARRIER_TIMEOUT = 30


def _race(targets: list[Any], attempt: Callable[[Any], Any]) -> list[Any]:
    """Run ``attempt(target)`` for every target at once, one thread and connection each.
    Returns "ok", a domain refusal's class name, or the unexpected exception."""
    barrier = threading.Barrier(len(targets), timeout=BARRIER_TIMEOUT)
    outcomes: list[Any] = [""] * len(targets)

    def run(index: int, target: Any) -> None:
        try:
            connection.ensure_connection()
            barrier.wait()
            attempt(target)
            outcomes[index] = "ok"
        except ApplicationError as refusal:
            outcomes[index] = type(refusal).__name__
        except BaseException as unexpected:
            outcomes[index] = unexpected
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, t)) for i, t in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=BARRIER_TIMEOUT * 2)
    assert not any(thread.is_alive() for thread in threads), "a racer hung"
    return outcomes


def _no_unexpected(outcomes: list[Any]) -> None:
    unexpected = [o for o in outcomes if isinstance(o, BaseException)]
    assert not unexpected, unexpected


def _full_program(*, holders: int, waiting: int):
    program = booths(capacity=holders, per_firm_cap=1, mode=SelectionMode.FCFS)
    officer = lead_officer(program)
    held = [approved(program, officer) for _ in range(holders)]
    queue = [waitlisted(program, officer) for _ in range(waiting)]
    return program, officer, held, queue


def test_places_freed_at_once_go_to_different_applications_in_rank_order() -> None:
    program, _officer, held, queue = _full_program(holders=4, waiting=6)
    staff = {app.pk: staff_of(app) for app in held}

    outcomes = _race(held, lambda app: application_withdraw(application=app, actor=staff[app.pk]))

    _no_unexpected(outcomes)
    assert outcomes == ["ok"] * 4
    live = list(WaitlistOffer.objects.filter(status="offered").values_list("application_id", flat=True))
    assert len(live) == len(set(live)) == 4, live
    assert sorted(live) == sorted(a.pk for a in queue[:4])
    assert not WaitlistOffer.objects.filter(application__in=queue[4:]).exists()
    assert_pool_consistent(program)
    program.refresh_from_db()
    assert program.allocated == program.capacity


ROUNDS = range(3)


@pytest.mark.parametrize("round_", ROUNDS)
def test_two_withdrawals_at_once_never_offer_the_same_application_twice(round_: int) -> None:
    program, _officer, held, queue = _full_program(holders=2, waiting=2)
    staff = {app.pk: staff_of(app) for app in held}

    outcomes = _race(held, lambda app: application_withdraw(application=app, actor=staff[app.pk]))

    _no_unexpected(outcomes)
    offers = Counter(WaitlistOffer.objects.filter(program=program).values_list("application_id", flat=True))
    assert offers == {queue[0].pk: 1, queue[1].pk: 1}
    assert_pool_consistent(program)


@pytest.mark.parametrize("round_", ROUNDS)
def test_a_withdrawal_racing_a_manual_approval_never_over_allocates(round_: int) -> None:
    program, officer, (holder,), (next_in_line,) = _full_program(holders=1, waiting=1)
    candidate = application_in(program, units=1)
    holder_staff = staff_of(holder)

    def act(kind: str) -> None:
        if kind == "withdraw":
            application_withdraw(application=holder, actor=holder_staff)
        else:
            decision_request(application=candidate, actor=officer, decision="approve", reason="By hand")

    outcomes = dict(zip(["withdraw", "approve"], _race(["withdraw", "approve"], act), strict=True))

    _no_unexpected(list(outcomes.values()))
    assert outcomes["withdraw"] == "ok"
    # The freed booth is reserved for the waitlist offer in the withdrawal's own transaction,
    # so the approval never gets it, whichever ran first.
    assert outcomes["approve"] == "CapacityExceeded"
    assert WaitlistOffer.objects.get(application=next_in_line).status == "offered"
    candidate.refresh_from_db()
    assert candidate.status == Status.UNDER_REVIEW
    assert_pool_consistent(program)
    program.refresh_from_db()
    assert program.allocated == program.capacity


@pytest.mark.parametrize("round_", ROUNDS)
def test_a_withdrawal_racing_the_approval_of_the_next_in_line_ends_cleanly(round_: int, monkeypatch) -> None:
    retries: list[int] = []
    monkeypatch.setattr("applications.decisions.waitlist.enqueue_promotion", retries.append)
    program, officer, (holder,), (next_in_line,) = _full_program(holders=1, waiting=1)
    holder_staff = staff_of(holder)

    def act(kind: str) -> None:
        if kind == "withdraw":
            application_withdraw(application=holder, actor=holder_staff)
        else:
            application_approve(
                application=Application.objects.get(pk=next_in_line.pk), actor=officer, units=1, reason="By hand"
            )

    outcomes = dict(zip(["withdraw", "approve"], _race(["withdraw", "approve"], act), strict=True))

    _no_unexpected(list(outcomes.values()))
    assert outcomes["withdraw"] == "ok"
    assert_pool_consistent(program)
    next_in_line.refresh_from_db()
    if outcomes["approve"] == "ok":
        # The officer held the row: the promotion passed it over, and the approval took the booth.
        assert next_in_line.status == Status.APPROVED
        assert not WaitlistOffer.objects.filter(application=next_in_line).exists()
    else:
        assert outcomes["approve"] in {"TransitionNotAllowed", "CapacityExceeded"}
        if not WaitlistOffer.objects.filter(application=next_in_line).exists():
            # The approval came too early (the pool was still full) and failed, but held the row
            # while the promotion ran: the promotion passed it over and asked to run again.
            assert outcomes["approve"] == "CapacityExceeded"
            assert retries == [program.pk]
            tasks.waitlist_promote_program.apply((program.pk,))
        next_in_line.refresh_from_db()
        assert next_in_line.status == Status.WAITLISTED
        assert WaitlistOffer.objects.get(application=next_in_line).status == "offered"
    assert Allocation.objects.filter(application=next_in_line).count() == 1
    assert_pool_consistent(program)
    program.refresh_from_db()
    assert program.allocated == program.capacity


def test_control_a_naive_promotion_offers_the_same_application_twice() -> None:
    """Without the program-row lock both promoters read the same next-in-line; only the
    partial unique index on live offers keeps the second offer out."""
    program, _officer, _held, (first, _second) = _full_program(holders=1, waiting=2)
    picked: list[int] = []
    lock = threading.Lock()
    read_barrier = threading.Barrier(2, timeout=BARRIER_TIMEOUT)

    def naive_promote(_: Any) -> None:
        with transaction.atomic():
            nxt = (
                Application.objects.filter(program=program, status=Status.WAITLISTED)
                .exclude(waitlist_offers__status="offered")
                .order_by("waitlist_entry__rank")
                .first()
            )
            with lock:
                picked.append(nxt.pk)
            read_barrier.wait()  # both have read before either writes
            now = timezone.now()
            WaitlistOffer.objects.create(
                application=nxt, program=program, units=1, offered_at=now, expires_at=now + timezone.timedelta(days=1)
            )

    outcomes = _race([1, 2], naive_promote)

    assert picked == [first.pk, first.pk]
    errors = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(errors) == 1 and isinstance(errors[0], IntegrityError), outcomes
    assert WaitlistOffer.objects.filter(application=first, status="offered").count() == 1


def test_concurrent_fcfs_screenings_fill_the_capacity_exactly_and_rank_the_rest() -> None:
    from tests.factories import ApplicationFactory, FirmFactory, firm_user

    program = booths(capacity=3, per_firm_cap=1, mode=SelectionMode.FCFS, closed=False)
    apps = []
    for _ in range(8):
        firm = FirmFactory()
        app = ApplicationFactory(program=program, firm=firm, requested_units=1)
        application_submit(application=app, actor=firm_user(firm))
        apps.append(app)

    outcomes = _race(apps, lambda app: application_screen(application_id=app.pk))

    _no_unexpected(outcomes)
    statuses = Counter(Application.objects.filter(program=program).values_list("status", flat=True))
    assert statuses == {Status.APPROVED: 3, Status.WAITLISTED: 5}
    ranks = sorted(
        Application.objects.filter(program=program, status=Status.WAITLISTED).values_list(
            "waitlist_entry__rank", flat=True
        )
    )
    assert ranks == [1, 2, 3, 4, 5]
    assert_pool_consistent(program)
