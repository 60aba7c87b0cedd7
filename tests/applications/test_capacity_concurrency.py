"""Capacity under real concurrency on PostgreSQL.

Twenty approvals race for five booths, each in its own thread with its own database
connection, released together by a barrier. The conditional UPDATE in allocation_claim lets
exactly five through. The control runs a naive read-check-write approval the same way and
over-allocates, which shows the race is real and that the conditional update is what wins it.

These tests commit (transaction=True). The flush that follows every transactional test
empties the reference tables the migrations seeded, so ``reference_data`` seeds again what
these tests use, idempotently, whichever transactional test ran before.
"""

from __future__ import annotations

import importlib
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.db import connection, transaction
from django.db.models import F, Sum
from django.utils import timezone

from applications.decisions import capacity as allocation
from applications.decisions.grants import application_withdraw
from applications.decisions.moves import application_approve
from applications.errors import CapacityExceeded, TransitionNotAllowed
from applications.models import Allocation, Application, StatusChange
from applications.workflow import Status
from programs.models import Country, Program
from sme_support.roles import Role
from tests.applications.workflow_driver import FAST_HASHERS
from tests.factories import (
    ApplicationFactory,
    FirmFactory,
    ProgramFactory,
    assign_officer,
    firm_user,
    user_in_group,
)

pytestmark = pytest.mark.django_db(transaction=True)

CAPACITY = 5
RACERS = 20
BARRIER_TIMEOUT = 30


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(autouse=True)
def reference_data(transactional_db) -> None:
    seed = importlib.import_module("firms.migrations.0002_reference_data").seed
    seed(django_apps, None)  # role groups, size-class thresholds, export-tier bands
    Country.objects.get_or_create(
        iso2="FR", defaults={"iso3": "FRA", "numeric": "250", "name_en": "France", "name_ko": "프랑스"}
    )


@pytest.fixture
def officer() -> Any:
    return user_in_group(Role.OFFICER)


def _booths(officer: Any, *, capacity: int = CAPACITY) -> Program:
    program = ProgramFactory(trade_show=True, capacity=capacity, per_firm_cap=1)
    assign_officer(program, officer, lead=True)
    return program


def _under_review(program: Program, count: int) -> list[Application]:
    apps = [ApplicationFactory(program=program, firm=FirmFactory(), requested_units=1) for _ in range(count)]
    # Set-up only: how they reached review is not what these tests are about.
    Application.objects.filter(pk__in=[a.pk for a in apps]).update(status=Status.UNDER_REVIEW)
    for app in apps:
        app.refresh_from_db()
    return apps


def _race(targets: list[Any], attempt: Callable[[Any], None]) -> list[str | BaseException]:
    """Run ``attempt(target)`` for every target at once, one thread and one connection each.

    Returns each thread's outcome: "ok", the error class name for a domain refusal, or the
    unexpected exception itself.
    """
    barrier = threading.Barrier(len(targets), timeout=BARRIER_TIMEOUT)
    outcomes: list[str | BaseException] = [""] * len(targets)

    def run(index: int, target: Any) -> None:
        try:
            # Connect before the barrier, so the race is between queries, not handshakes.
            connection.ensure_connection()
            barrier.wait()
            attempt(target)
            outcomes[index] = "ok"
        except (CapacityExceeded, TransitionNotAllowed) as refusal:
            outcomes[index] = type(refusal).__name__
        except BaseException as unexpected:  # reported by the test, not swallowed
            outcomes[index] = unexpected
        finally:
            connection.close()  # Django connections are per thread; don't leak one per racer

    threads = [threading.Thread(target=run, args=(i, t)) for i, t in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=BARRIER_TIMEOUT * 2)
    assert not any(thread.is_alive() for thread in threads), "a racer hung"
    unexpected = [o for o in outcomes if isinstance(o, BaseException)]
    assert not unexpected, unexpected
    return outcomes


def _live_units(program: Program) -> int:
    return Allocation.objects.filter(program=program, released_at=None).aggregate(s=Sum("units"))["s"] or 0


def test_parallel_approvals_never_exceed_capacity(officer: Any) -> None:
    program = _booths(officer)
    apps = _under_review(program, RACERS)

    outcomes = _race(
        apps,
        lambda app: application_approve(application=app, actor=officer, units=1, reason="First come"),
    )

    assert Counter(outcomes) == {"ok": CAPACITY, "CapacityExceeded": RACERS - CAPACITY}
    program.refresh_from_db()
    assert program.allocated == CAPACITY == _live_units(program)
    assert Allocation.objects.filter(program=program).count() == CAPACITY
    by_status = Counter(Application.objects.filter(program=program).values_list("status", flat=True))
    assert by_status == {Status.APPROVED: CAPACITY, Status.UNDER_REVIEW: RACERS - CAPACITY}
    # The refused ones were refused cleanly: no history, no allocation, still under review.
    for app, outcome in zip(apps, outcomes, strict=True):
        app.refresh_from_db()
        approvals = StatusChange.objects.filter(application=app, transition="approve").count()
        if outcome == "ok":
            assert (app.status, approvals) == (Status.APPROVED, 1)
            assert Allocation.objects.get(application=app).units == 1
        else:
            assert (app.status, approvals) == (Status.UNDER_REVIEW, 0)
            assert not Allocation.objects.filter(application=app).exists()


def test_parallel_claims_never_exceed_capacity(officer: Any) -> None:
    """The conditional UPDATE on its own, without the application lock the approval service
    also takes: the database alone keeps the pool from going negative."""
    program = _booths(officer)
    apps = _under_review(program, RACERS)

    def claim(app: Application) -> None:
        with transaction.atomic():
            allocation.allocation_claim(application=app, units=1, actor=officer)

    outcomes = _race(apps, claim)

    assert Counter(outcomes) == {"ok": CAPACITY, "CapacityExceeded": RACERS - CAPACITY}
    program.refresh_from_db()
    assert program.allocated == CAPACITY == _live_units(program)


def _naive_approve(app: Application, officer: Any) -> None:
    """The bug the conditional update prevents: check a value read earlier, then write it back."""
    with transaction.atomic():
        program = Program.objects.get(pk=app.program_id)
        read = program.allocated
        if read + 1 > program.capacity:
            raise CapacityExceeded("full")
        time.sleep(0.005)  # the few milliseconds a real request spends between read and write
        Program.objects.filter(pk=program.pk).update(allocated=read + 1)
        Allocation.objects.create(
            application=app, program=program, units=1, granted_by=officer, granted_at=timezone.now()
        )
        Application.objects.filter(pk=app.pk).update(status=Status.APPROVED)


def test_control_naive_read_then_write_over_allocates(officer: Any) -> None:
    program = _booths(officer)
    apps = _under_review(program, RACERS)

    outcomes = _race(apps, lambda app: _naive_approve(app, officer))

    program.refresh_from_db()
    granted = _live_units(program)
    # Without the conditional update more booths are handed out than exist, and the counter
    # lost updates, so it no longer matches the allocations either.
    assert granted > program.capacity, (granted, Counter(outcomes))
    assert program.allocated < granted
    assert Application.objects.filter(program=program, status=Status.APPROVED).count() == granted


def test_two_concurrent_approvals_of_the_same_application_approve_it_once(officer: Any) -> None:
    program = _booths(officer, capacity=10)
    (app,) = _under_review(program, 1)
    second_officer = user_in_group(Role.OFFICER)
    assign_officer(program, second_officer)

    outcomes = _race(
        [officer, second_officer],
        lambda actor: application_approve(
            application=Application.objects.get(pk=app.pk), actor=actor, units=1, reason="Approve"
        ),
    )

    assert sorted(outcomes) == ["TransitionNotAllowed", "ok"]
    app.refresh_from_db()
    assert app.status == Status.APPROVED
    assert StatusChange.objects.filter(application=app, transition="approve").count() == 1
    assert Allocation.objects.filter(application=app).count() == 1
    program.refresh_from_db()
    assert program.allocated == 1 == _live_units(program)


def test_parallel_withdrawals_and_approvals_keep_the_counter_exact(officer: Any) -> None:
    """Units returned while others are being granted: the counter still equals the live sum."""
    program = _booths(officer, capacity=CAPACITY)
    approved = _under_review(program, CAPACITY)
    for app in approved:
        application_approve(application=app, actor=officer, units=1, reason="Early")
    waiting = _under_review(program, CAPACITY)
    staff = {app.pk: firm_user(app.firm) for app in approved}

    def act(item: tuple[str, Application]) -> None:
        kind, app = item
        if kind == "withdraw":
            application_withdraw(application=app, actor=staff[app.pk])
        else:
            application_approve(application=app, actor=officer, units=1, reason="Freed booth")

    _race([("withdraw", a) for a in approved] + [("approve", a) for a in waiting], act)

    program.refresh_from_db()
    assert 0 <= program.allocated <= CAPACITY
    assert program.allocated == _live_units(program)
    assert program.allocated == Application.objects.filter(program=program, status=Status.APPROVED).count()
    assert Program.objects.filter(pk=program.pk, allocated__lte=F("capacity")).exists()
