"""The re-check's batches on several connections at once (PostgreSQL, outside a transaction):
the same outcome as one after another, every batch once, errors raised, connections closed."""

from __future__ import annotations

import gc
import threading
from typing import Any

import pytest
from django.db import connection

from applications.eligibility import recheck
from applications.eligibility.recheck import program_recheck
from applications.models import Application, StatusChange
from applications.workflow import Status
from programs.services import eligibility_rules_replace
from tests.eligibility.test_recheck import AT_MOST_9, AT_MOST_20, _application
from tests.factories import ProgramFactory

# The batches run on connections of their own, which see only committed rows.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def program_of_30(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr("programs.services._enqueue_recheck", lambda program_id: None)
    program = ProgramFactory()
    eligibility_rules_replace(program=program, rules=AT_MOST_20)
    # Employees 1..30: under "at most 9", 1–9 stay eligible and 10–20 turn ineligible;
    # 21–30 were ineligible all along.
    for employees in range(1, 31):
        _application(program, employees=employees, status=Status.ELIGIBLE if employees <= 20 else Status.INELIGIBLE)
    eligibility_rules_replace(program=program, rules=AT_MOST_9)
    return program


def _threads_used(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    original = recheck._recheck_batch

    def spy(**kwargs: Any) -> tuple[int, int]:
        seen.append(threading.current_thread().name)
        return original(**kwargs)

    monkeypatch.setattr(recheck, "_recheck_batch", spy)
    return seen


def test_batches_run_on_several_threads_with_the_serial_outcome(program_of_30: Any, monkeypatch) -> None:
    threads = _threads_used(monkeypatch)
    assert program_recheck(program_id=program_of_30.pk, batch_size=4, workers=2) == 30
    assert len(threads) == 8  # ceil(30 / 4) batches, each once
    assert {name.startswith("recheck") for name in threads} == {True}
    assert len(set(threads)) == 2

    statuses = dict(Application.objects.filter(program=program_of_30).values_list("firm__employees", "status"))
    assert statuses == {n: Status.ELIGIBLE if n <= 9 else Status.INELIGIBLE for n in range(1, 31)}
    assert set(
        Application.objects.filter(program=program_of_30).values_list("eligibility_rules_version", flat=True)
    ) == {2}
    # One history row per application that moved (10–20), none for the others.
    moved = StatusChange.objects.filter(application__program=program_of_30, transition="recheck_ineligible")
    assert sorted(moved.values_list("application__firm__employees", flat=True)) == list(range(10, 21))
    assert gc.isenabled()


def test_a_second_run_moves_nothing(program_of_30: Any) -> None:
    program_recheck(program_id=program_of_30.pk, batch_size=4, workers=2)
    history = StatusChange.objects.count()
    assert program_recheck(program_id=program_of_30.pk, batch_size=4, workers=2) == 30
    assert StatusChange.objects.count() == history


def test_inside_a_transaction_the_batches_run_on_the_callers_connection(program_of_30: Any, monkeypatch) -> None:
    from django.db import transaction

    threads = _threads_used(monkeypatch)
    with transaction.atomic():
        assert program_recheck(program_id=program_of_30.pk, batch_size=4, workers=2) == 30
    assert set(threads) == {threading.current_thread().name}


def test_an_error_in_one_batch_is_raised_and_the_others_stop(program_of_30: Any, monkeypatch) -> None:
    original = recheck._recheck_batch
    calls: list[int] = []

    def failing(**kwargs: Any) -> tuple[int, int]:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("database went away")
        return original(**kwargs)

    monkeypatch.setattr(recheck, "_recheck_batch", failing)
    with pytest.raises(RuntimeError, match="database went away"):
        program_recheck(program_id=program_of_30.pk, batch_size=2, workers=2)
    assert len(calls) < 15  # not every batch ran after the failure
    assert gc.isenabled()
    # What was not re-checked keeps its old version, for the stale-results sweep to find.
    versions = set(
        Application.objects.filter(program=program_of_30).values_list("eligibility_rules_version", flat=True)
    )
    assert 1 in versions
    # This thread's connection still works; the batch threads closed theirs.
    assert connection.cursor() is not None
