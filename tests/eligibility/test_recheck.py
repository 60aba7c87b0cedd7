"""The bulk re-check after a rules change: which applications it re-evaluates, which it
moves (with history), and which it never touches."""

from __future__ import annotations

import datetime as dt

import pytest

from applications import tasks
from applications.eligibility import evaluate
from applications.eligibility.recheck import program_recheck, programs_with_stale_results
from applications.models import Application, StatusChange
from applications.workflow import Status
from programs.models import EligibilityRuleSet
from programs.services import eligibility_rules_replace
from tests.factories import ApplicationFactory, FirmFactory, ProgramFactory

pytestmark = pytest.mark.django_db

AT_MOST_9 = [{"rule_type": "employees_range", "params": {"max": 9}}]
AT_MOST_20 = [{"rule_type": "employees_range", "params": {"max": 20}}]


def _application(program, *, employees: int, status: str) -> Application:
    """An application screened under the program's current rules, then placed in ``status``."""
    application = ApplicationFactory(program=program, firm=FirmFactory(employees=employees))
    outcome = evaluate(Application.objects.select_related("program", "firm").get(pk=application.pk))
    Application.objects.filter(pk=application.pk).update(
        status=status,
        eligibility_results=outcome.results,
        eligibility_rules_version=outcome.rules_version,
        eligibility_checked_at=dt.datetime(2026, 6, 1, tzinfo=dt.UTC),
        decision_reason="kept",
    )
    application.refresh_from_db()
    return application


@pytest.fixture
def program():
    program = ProgramFactory()
    eligibility_rules_replace(program=program, rules=AT_MOST_20)
    return program


def test_tightened_rules_move_eligible_to_ineligible_with_history(program):
    app = _application(program, employees=12, status=Status.ELIGIBLE)
    eligibility_rules_replace(program=program, rules=AT_MOST_9)

    assert program_recheck(program_id=program.pk) == 1

    app.refresh_from_db()
    assert app.status == Status.INELIGIBLE
    assert app.eligibility_rules_version == 2
    assert app.eligibility_results[-1]["reason"]["en"] == (
        "Your firm reported 12 employees; this program is for firms with at most 9."
    )
    row = app.history.get()
    assert (row.transition, row.from_status, row.to_status, row.actor, row.actor_kind) == (
        "recheck_ineligible",
        "eligible",
        "ineligible",
        None,
        "system",
    )
    assert row.note == "Re-checked under eligibility rules version 2; not met: Employees within a range."
    assert app.status_changed_at == row.at


def test_loosened_rules_move_ineligible_to_eligible_with_history(program):
    eligibility_rules_replace(program=program, rules=AT_MOST_9)
    app = _application(program, employees=12, status=Status.INELIGIBLE)
    eligibility_rules_replace(program=program, rules=AT_MOST_20)

    program_recheck(program_id=program.pk)

    app.refresh_from_db()
    assert app.status == Status.ELIGIBLE
    row = app.history.get()
    assert (row.transition, row.from_status, row.to_status) == ("recheck_eligible", "ineligible", "eligible")
    assert row.note == "Re-checked under eligibility rules version 3: every rule passed."


def test_an_unchanged_verdict_refreshes_results_without_history(program):
    app = _application(program, employees=5, status=Status.ELIGIBLE)
    eligibility_rules_replace(program=program, rules=AT_MOST_9)

    program_recheck(program_id=program.pk)

    app.refresh_from_db()
    assert app.status == Status.ELIGIBLE
    assert app.eligibility_rules_version == 2
    assert app.eligibility_checked_at == dt.datetime(2026, 6, 15, 1, 0, tzinfo=dt.UTC)
    assert not app.history.exists()


@pytest.mark.parametrize("status", [Status.UNDER_REVIEW, Status.INFO_REQUESTED, Status.WAITLISTED])
def test_applications_in_review_get_fresh_results_but_keep_their_status(program, status):
    app = _application(program, employees=12, status=status)
    eligibility_rules_replace(program=program, rules=AT_MOST_9)

    assert program_recheck(program_id=program.pk) == 1

    app.refresh_from_db()
    assert app.status == status
    assert app.eligibility_rules_version == 2
    assert app.eligibility_results[-1]["passed"] is False
    assert not app.history.exists()


@pytest.mark.parametrize(
    "status",
    [Status.DRAFT, Status.APPROVED, Status.REJECTED, Status.WITHDRAWN, Status.CANCELLED, Status.COMPLETED],
)
def test_drafts_and_decided_applications_are_never_touched(program, status):
    app = _application(program, employees=12, status=status)
    before = (app.eligibility_results, app.eligibility_rules_version, app.eligibility_checked_at, app.updated_at)
    eligibility_rules_replace(program=program, rules=AT_MOST_9)

    assert program_recheck(program_id=program.pk) == 0

    app.refresh_from_db()
    assert app.status == status
    assert (
        app.eligibility_results,
        app.eligibility_rules_version,
        app.eligibility_checked_at,
        app.updated_at,
    ) == before
    assert app.decision_reason == "kept"


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.SCREENING])
def test_applications_awaiting_screening_are_left_to_the_screening(program, status):
    app = _application(program, employees=12, status=status)
    eligibility_rules_replace(program=program, rules=AT_MOST_9)

    assert program_recheck(program_id=program.pk) == 0

    app.refresh_from_db()
    assert (app.status, app.eligibility_rules_version) == (status, 1)


def test_results_from_newer_rules_are_not_overwritten_by_an_older_recheck(program):
    app = _application(program, employees=12, status=Status.ELIGIBLE)
    Application.objects.filter(pk=app.pk).update(eligibility_rules_version=7)

    assert program_recheck(program_id=program.pk) == 0

    app.refresh_from_db()
    assert (app.status, app.eligibility_rules_version) == (Status.ELIGIBLE, 7)


def test_other_programs_are_not_touched(program):
    other = ProgramFactory()
    eligibility_rules_replace(program=other, rules=AT_MOST_20)
    theirs = _application(other, employees=12, status=Status.ELIGIBLE)
    eligibility_rules_replace(program=program, rules=AT_MOST_9)
    eligibility_rules_replace(program=other, rules=AT_MOST_9)  # changed, but its own re-check is not run here

    program_recheck(program_id=program.pk)

    theirs.refresh_from_db()
    assert (theirs.status, theirs.eligibility_rules_version) == (Status.ELIGIBLE, 1)


def test_running_the_recheck_twice_is_harmless(program):
    app = _application(program, employees=12, status=Status.ELIGIBLE)
    eligibility_rules_replace(program=program, rules=AT_MOST_9)
    program_recheck(program_id=program.pk)
    program_recheck(program_id=program.pk)
    assert StatusChange.objects.filter(application=app).count() == 1


def test_batches_cover_every_application(program):
    apps = [_application(program, employees=12, status=Status.ELIGIBLE) for _ in range(7)]
    eligibility_rules_replace(program=program, rules=AT_MOST_9)

    assert program_recheck(program_id=program.pk, batch_size=3) == 7

    assert set(Application.objects.filter(pk__in=[a.pk for a in apps]).values_list("status", flat=True)) == {
        Status.INELIGIBLE
    }
    assert StatusChange.objects.filter(transition="recheck_ineligible").count() == 7


def test_an_unknown_program_rechecks_nothing():
    assert program_recheck(program_id=987654) == 0


def test_the_task_runs_the_recheck(program):
    app = _application(program, employees=12, status=Status.ELIGIBLE)
    eligibility_rules_replace(program=program, rules=AT_MOST_9)

    result = tasks.recheck_program.apply(args=[program.pk])

    assert result.successful()
    assert result.get() == 1
    app.refresh_from_db()
    assert app.status == Status.INELIGIBLE


def test_the_sweeper_requeues_programs_still_judged_under_old_rules(program, monkeypatch):
    queued = []
    monkeypatch.setattr(tasks.recheck_program, "delay", lambda program_id: queued.append(program_id))
    _application(program, employees=12, status=Status.ELIGIBLE)
    eligibility_rules_replace(program=program, rules=AT_MOST_9)  # the re-check was lost
    fresh = ProgramFactory()
    eligibility_rules_replace(program=fresh, rules=AT_MOST_9)
    _application(fresh, employees=12, status=Status.ELIGIBLE)  # judged under the current version
    EligibilityRuleSet.objects.update(changed_at=dt.datetime(2026, 6, 14, tzinfo=dt.UTC))

    assert tasks.requeue_stale_rechecks.apply().get() == 1
    assert queued == [program.pk]

    program_recheck(program_id=program.pk)
    assert programs_with_stale_results(settled_before=dt.datetime(2026, 6, 15, tzinfo=dt.UTC)) == []


def test_the_sweeper_leaves_a_recent_change_to_the_recheck_under_way(program, monkeypatch):
    queued = []
    monkeypatch.setattr(tasks.recheck_program, "delay", lambda program_id: queued.append(program_id))
    _application(program, employees=12, status=Status.ELIGIBLE)
    eligibility_rules_replace(program=program, rules=AT_MOST_9)

    assert tasks.requeue_stale_rechecks.apply().get() == 0
    assert queued == []
