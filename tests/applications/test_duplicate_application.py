"""One live application per firm and call: application_create refuses a second one with a
domain error (DuplicateApplication), whether it sees the first one in its check or only the
database's unique constraint does (two colleagues applying at the same moment)."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import translation

from applications.decisions.grants import application_withdraw
from applications.errors import ApplicationError, DuplicateApplication
from applications.intake import services as intake_services
from applications.intake.services import application_create, live_application_exists
from applications.models import Application
from applications.workflow import Status
from tests.factories import FirmFactory, ProgramFactory, firm_user

BARRIER_TIMEOUT = 30


def _create(program: Any, firm: Any, actor: Any, units: int = 1_000_000) -> Application:
    return application_create(program=program, firm=firm, actor=actor, requested_units=units)


@pytest.mark.django_db
def test_a_second_live_application_is_refused_with_a_clear_message(firm, firm_staff, program) -> None:
    first = _create(program, firm, firm_staff)
    colleague = firm_user(firm)
    with translation.override("en"), pytest.raises(DuplicateApplication) as caught:
        _create(program, firm, colleague)
    assert isinstance(caught.value, ApplicationError)
    assert caught.value.code == "duplicate_application"
    assert "already has an application to this program" in caught.value.message
    assert list(Application.objects.filter(program=program, firm=firm)) == [first]


@pytest.mark.django_db
@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.UNDER_REVIEW, Status.APPROVED, Status.REJECTED])
def test_any_application_that_is_not_withdrawn_blocks_a_new_one(firm, firm_staff, program, status: str) -> None:
    first = _create(program, firm, firm_staff)
    Application.objects.filter(pk=first.pk).update(status=status)
    with pytest.raises(DuplicateApplication):
        _create(program, firm, firm_staff)


@pytest.mark.django_db
def test_a_withdrawn_application_does_not_block_a_new_try(firm, firm_staff, program) -> None:
    first = _create(program, firm, firm_staff)
    application_withdraw(application=first, actor=firm_staff)
    second = _create(program, firm, firm_staff)
    assert second.pk != first.pk and second.status == Status.DRAFT


@pytest.mark.django_db
def test_other_firms_and_other_programs_are_not_blocked(firm, firm_staff, program) -> None:
    _create(program, firm, firm_staff)
    other_firm = FirmFactory()
    assert _create(program, other_firm, firm_user(other_firm)).firm == other_firm
    other_program = ProgramFactory()
    assert _create(other_program, firm, firm_staff).program == other_program


@pytest.mark.django_db
def test_the_constraint_is_turned_into_the_domain_error_and_the_transaction_survives(
    firm, firm_staff, program, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race in one thread: the check misses the first application (as it would if that
    one committed a moment after the check), so the unique index refuses the insert."""
    first = _create(program, firm, firm_staff)
    monkeypatch.setattr(intake_services, "live_application_exists", lambda **kwargs: False)

    with transaction.atomic():
        with pytest.raises(DuplicateApplication):
            _create(program, firm, firm_staff)
        # The insert failed inside a savepoint: the caller's transaction is still usable.
        assert Application.objects.filter(program=program, firm=firm).count() == 1
    assert list(Application.objects.filter(program=program, firm=firm)) == [first]


@pytest.mark.django_db(transaction=True)
def test_two_colleagues_applying_at_the_same_moment_get_one_application(monkeypatch: pytest.MonkeyPatch) -> None:
    """Both pass the check before either has committed (a barrier holds them there); the
    partial unique index lets one insert through and the other gets DuplicateApplication,
    not an IntegrityError."""
    program = ProgramFactory()
    firm = FirmFactory()
    colleagues = [firm_user(firm), firm_user(firm)]
    barrier = threading.Barrier(len(colleagues), timeout=BARRIER_TIMEOUT)
    real_check = live_application_exists
    checks: list[bool] = []

    def check_then_wait(**kwargs: Any) -> bool:
        found = real_check(**kwargs)
        checks.append(found)
        barrier.wait()
        return found

    monkeypatch.setattr(intake_services, "live_application_exists", check_then_wait)
    outcomes: list[Any] = [None] * len(colleagues)

    def apply(index: int, user: Any) -> None:
        try:
            connection.ensure_connection()
            _create(program, firm, user)
            outcomes[index] = "ok"
        except DuplicateApplication:
            outcomes[index] = "duplicate"
        except BaseException as unexpected:  # reported by the test, not swallowed
            outcomes[index] = unexpected
        finally:
            connection.close()

    threads = [threading.Thread(target=apply, args=(i, user)) for i, user in enumerate(colleagues)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=BARRIER_TIMEOUT * 2)
    assert not any(thread.is_alive() for thread in threads), "a racer hung"

    assert checks == [False, False]  # neither saw the other: only the constraint could decide
    assert Counter(outcomes) == {"ok": 1, "duplicate": 1}, outcomes
    assert Application.objects.filter(program=program, firm=firm).count() == 1
