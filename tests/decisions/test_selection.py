"""Ranked selection: the documented order and tie-break, the capacity walk, preview equals
commit, stale previews, and what blocks a commit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from applications.decisions.selection import (
    SelectionNotReady,
    StaleSelection,
    selection_blockers,
    selection_commit,
    selection_fingerprint,
    selection_preview,
    selection_preview_fingerprint,
)
from applications.decisions.services import decision_request
from applications.errors import NotPermitted
from applications.models import Allocation, Application, SelectionRun, StatusChange, WaitlistEntry
from applications.workflow import ActorKind, Status
from notifications.models import Notification
from programs.models import Program, SelectionMode
from tests.decisions.helpers import (
    BASE,
    application_in,
    assert_pool_consistent,
    booths,
    lead_officer,
    manager,
    officer_of,
    policy,
    staff_of,
)

pytestmark = pytest.mark.django_db


def _commit(program, actor, scores=None):
    rows = selection_preview(program=program, scores=scores)
    return rows, selection_commit(
        program=program,
        actor=actor,
        fingerprint=selection_fingerprint(rows, program=Program.objects.get(pk=program.pk)),
        scores=scores,
    )


# --- Order and tie-break -------------------------------------------------------------------------


def test_ranking_orders_by_score_then_submission_then_units_then_id() -> None:
    program = booths(capacity=100, per_firm_cap=5)
    lead_officer(program)
    at = BASE
    low = application_in(program, units=1, submitted_at=at)
    # Four tied at 80.00 (80.004 rounds to 80.00): submission time, then units, then id decide.
    late = application_in(program, units=1, submitted_at=at + dt.timedelta(hours=2))
    early_big = application_in(program, units=3, submitted_at=at + dt.timedelta(hours=1))
    early_small_b = application_in(program, units=2, submitted_at=at + dt.timedelta(hours=1))
    early_small_a = application_in(program, units=2, submitted_at=at + dt.timedelta(hours=1))
    top = application_in(program, units=1, submitted_at=at + dt.timedelta(hours=5))
    unscored = application_in(program, units=1, submitted_at=at - dt.timedelta(hours=5))
    scores = {
        low.pk: Decimal("55"),
        late.pk: Decimal("80.004"),
        early_big.pk: Decimal("80"),
        early_small_b.pk: Decimal("80.00"),
        early_small_a.pk: Decimal("79.996"),
        top.pk: Decimal("91.5"),
    }

    rows = selection_preview(program=program, scores=scores)

    # early_small_b was created before early_small_a, so it has the lower id.
    assert early_small_b.pk < early_small_a.pk
    assert [r.application_id for r in rows] == [
        top.pk,
        early_small_b.pk,
        early_small_a.pk,
        early_big.pk,
        late.pk,
        low.pk,
        unscored.pk,
    ]
    assert [r.rank for r in rows] == [1, 2, 3, 4, 5, 6, 7]
    assert rows[1].score == rows[2].score == Decimal("80.00")
    assert rows[-1].score is None


def test_without_any_scores_the_tie_break_alone_orders() -> None:
    program = booths(capacity=10)
    second = application_in(program, submitted_at=BASE + dt.timedelta(minutes=5))
    first = application_in(program, submitted_at=BASE)
    assert [r.application_id for r in selection_preview(program=program, scores={})] == [first.pk, second.pk]


# --- The capacity walk ---------------------------------------------------------------------------


def test_capacity_exactly_full_approves_down_the_ranking_and_waitlists_the_rest() -> None:
    program = booths(capacity=5, per_firm_cap=3)
    officer = lead_officer(program)
    a, b, c, d = (application_in(program, units=u) for u in (2, 3, 1, 1))
    scores = {a.pk: Decimal(90), b.pk: Decimal(80), c.pk: Decimal(70), d.pk: Decimal(60)}

    rows, result = _commit(program, officer, scores)

    assert [(r.application_id, r.outcome, r.units, r.remaining_after) for r in rows] == [
        (a.pk, "approve", 2, 3),
        (b.pk, "approve", 3, 0),
        (c.pk, "waitlist", 0, 0),
        (d.pk, "waitlist", 0, 0),
    ]
    assert [r.waitlist_rank for r in rows] == [None, None, 1, 2]
    program.refresh_from_db()
    assert program.allocated == program.capacity == 5
    assert_pool_consistent(program)
    assert result.approved == [a.pk, b.pk] and result.waitlisted == [c.pk, d.pk]


def test_one_unit_left_and_a_request_for_two_is_skipped_but_a_later_one_fits() -> None:
    program = booths(capacity=4, per_firm_cap=3)
    officer = lead_officer(program)
    first, two, one, another = (application_in(program, units=u) for u in (3, 2, 1, 1))
    scores = {first.pk: Decimal(99), two.pk: Decimal(90), one.pk: Decimal(80), another.pk: Decimal(70)}

    rows, _result = _commit(program, officer, scores)

    assert [(r.application_id, r.outcome) for r in rows] == [
        (first.pk, "approve"),
        (two.pk, "waitlist"),  # 1 left, asks for 2: skipped, never cut down to 1
        (one.pk, "approve"),  # a smaller request further down still fits
        (another.pk, "waitlist"),
    ]
    statuses = dict(Application.objects.filter(program=program).values_list("pk", "status"))
    assert statuses == {
        first.pk: Status.APPROVED,
        two.pk: Status.WAITLISTED,
        one.pk: Status.APPROVED,
        another.pk: Status.WAITLISTED,
    }
    assert Allocation.objects.get(application=one).units == 1
    assert list(
        WaitlistEntry.objects.filter(program=program).order_by("rank").values_list("application_id", "rank")
    ) == [
        (two.pk, 1),
        (another.pk, 2),
    ]
    assert_pool_consistent(program)


def test_units_already_granted_count_against_the_capacity() -> None:
    program = booths(capacity=3)
    officer = lead_officer(program)
    early = application_in(program, units=2)
    decision_request(application=early, actor=officer, decision="approve", reason="Early")
    a, b = application_in(program, units=1), application_in(program, units=1)
    rows = selection_preview(program=program, scores={a.pk: Decimal(2), b.pk: Decimal(1)})
    assert [(r.application_id, r.outcome) for r in rows] == [(a.pk, "approve"), (b.pk, "waitlist")]


# --- Preview equals commit ------------------------------------------------------------------------


def test_commit_does_exactly_what_the_preview_showed() -> None:
    program = booths(capacity=6, per_firm_cap=3)
    officer = lead_officer(program)
    apps = [application_in(program, units=u) for u in (3, 2, 2, 1, 3, 1)]
    scores = {app.pk: Decimal(50 + i * 7 % 11) for i, app in enumerate(apps)}
    preview = selection_preview(program=program, scores=scores)

    rows, result = _commit(program, officer, scores)

    assert rows == preview == result.rows
    for row in preview:
        app = Application.objects.get(pk=row.application_id)
        if row.outcome == "approve":
            assert app.status == Status.APPROVED
            assert Allocation.objects.get(application=app).units == row.units
        else:
            assert app.status == Status.WAITLISTED
            assert app.waitlist_entry.rank == row.waitlist_rank
        change = StatusChange.objects.filter(application=app).latest("at", "pk")
        assert (change.actor, change.actor_kind) == (officer, ActorKind.OFFICER)
        assert f"ranked {row.rank} of 6" in change.note.lower()
        assert Notification.objects.get(user=staff_of(app)).kind == f"decision_{row.outcome}"
    run = SelectionRun.objects.get(program=program)
    assert (run.run_by, run.approved, run.waitlisted, run.capacity, run.allocated_before) == (
        officer,
        len(result.approved),
        len(result.waitlisted),
        6,
        0,
    )
    assert_pool_consistent(program)


def test_the_fingerprint_helper_matches_the_preview() -> None:
    program = booths()
    application_in(program)
    rows = selection_preview(program=program, scores={})
    assert selection_preview_fingerprint(program=program, scores={}) == selection_fingerprint(rows, program=program)


# --- Stale previews ---------------------------------------------------------------------------------


def _stale_changes():
    def new_application(program, officer):
        application_in(program, units=1)

    def capacity_changed(program, officer):
        Program.objects.filter(pk=program.pk).update(capacity=program.capacity + 1)

    def decided_meanwhile(program, officer):
        app = Application.objects.filter(program=program).order_by("pk").first()
        decision_request(application=app, actor=officer, decision="reject", reason="Decided by hand")

    return {"new_application": new_application, "capacity": capacity_changed, "decided": decided_meanwhile}


@pytest.mark.parametrize("change", sorted(_stale_changes()))
def test_a_stale_preview_is_refused_and_nothing_changes(change: str) -> None:
    program = booths(capacity=3)
    officer = lead_officer(program)
    for units in (2, 1, 1):
        application_in(program, units=units)
    rows = selection_preview(program=program, scores={})
    fingerprint = selection_fingerprint(rows, program=Program.objects.get(pk=program.pk))
    _stale_changes()[change](program, officer)
    before = sorted(Application.objects.filter(program=program).values_list("pk", "status"))

    with translation.override("en"), pytest.raises(StaleSelection) as caught:
        selection_commit(program=program, actor=officer, fingerprint=fingerprint, scores={})

    assert "changed since this preview" in str(caught.value)
    assert sorted(Application.objects.filter(program=program).values_list("pk", "status")) == before
    assert not SelectionRun.objects.exists()


def test_changed_scores_make_the_preview_stale() -> None:
    program = booths(capacity=1)
    officer = lead_officer(program)
    a, b = application_in(program), application_in(program)
    old = {a.pk: Decimal(90), b.pk: Decimal(80)}
    rows = selection_preview(program=program, scores=old)
    fingerprint = selection_fingerprint(rows, program=program)
    with pytest.raises(StaleSelection):
        selection_commit(
            program=program, actor=officer, fingerprint=fingerprint, scores={a.pk: Decimal(70), b.pk: Decimal(80)}
        )


# --- Who and when ---------------------------------------------------------------------------------------


def test_only_the_lead_or_a_manager_commits() -> None:
    program = booths()
    lead_officer(program)
    application_in(program)
    fingerprint = selection_preview_fingerprint(program=program, scores={})
    with translation.override("en"), pytest.raises(NotPermitted):
        selection_commit(program=program, actor=officer_of(program), fingerprint=fingerprint, scores={})
    with pytest.raises(NotPermitted):
        selection_commit(
            program=program,
            actor=staff_of(Application.objects.get(program=program)),
            fingerprint=fingerprint,
            scores={},
        )
    result = selection_commit(program=program, actor=manager(), fingerprint=fingerprint, scores={})
    assert result.approved


def test_selection_waits_for_the_call_to_close() -> None:
    program = booths(closed=False)
    officer = lead_officer(program)
    application_in(program)
    fingerprint = selection_preview_fingerprint(program=program, scores={})
    with translation.override("en"), pytest.raises(SelectionNotReady) as caught:
        selection_commit(program=program, actor=officer, fingerprint=fingerprint, scores={})
    assert "closes on" in str(caught.value)
    assert Application.objects.get(program=program).status == Status.UNDER_REVIEW


def test_an_fcfs_program_has_no_ranked_selection() -> None:
    program = booths(mode=SelectionMode.FCFS)
    with translation.override("en"):
        assert "first come, first served" in selection_blockers(program=program)[0]


@pytest.mark.parametrize(
    ("status", "words"),
    [(Status.SCREENING, "still being screened"), (Status.ELIGIBLE, "not been taken into review")],
)
def test_applications_not_ready_block_the_commit(status: str, words: str) -> None:
    program = booths()
    officer = lead_officer(program)
    application_in(program)
    application_in(program, status)
    fingerprint = selection_preview_fingerprint(program=program, scores={})
    with translation.override("en"), pytest.raises(SelectionNotReady) as caught:
        selection_commit(program=program, actor=officer, fingerprint=fingerprint, scores={})
    assert words in str(caught.value)


def test_applications_waiting_for_the_firm_are_left_out_of_the_ranking() -> None:
    program = booths()
    officer = lead_officer(program)
    ranked = application_in(program)
    waiting = application_in(program, Status.INFO_REQUESTED)
    rows, _result = _commit(program, officer, {})
    assert [r.application_id for r in rows] == [ranked.pk]
    waiting.refresh_from_db()
    assert waiting.status == Status.INFO_REQUESTED


def test_a_program_that_requires_scores_refuses_to_commit_with_unscored_applications() -> None:
    program = booths()
    officer = lead_officer(program)
    policy(program, requires_scores=True)
    scored, unscored = application_in(program), application_in(program)
    fingerprint = selection_preview_fingerprint(program=program, scores={scored.pk: Decimal(1)})
    with translation.override("en"), pytest.raises(SelectionNotReady) as caught:
        selection_commit(program=program, actor=officer, fingerprint=fingerprint, scores={scored.pk: Decimal(1)})
    assert "no score yet" in str(caught.value)
    both = {scored.pk: Decimal(1), unscored.pk: Decimal(2)}
    _rows, result = _commit(program, officer, both)
    assert result.approved == [unscored.pk, scored.pk]


def test_a_pending_sign_off_blocks_the_commit() -> None:
    program = booths(capacity=10)
    officer = lead_officer(program)
    app = application_in(program, units=5)
    decision_request(application=app, actor=officer, decision="approve", reason="Big")
    with translation.override("en"):
        assert any("sign-off" in b for b in selection_blockers(program=program, scores={}))


def test_a_request_above_the_per_firm_cap_blocks_the_commit() -> None:
    program = booths(per_firm_cap=3)
    application_in(program, units=3)
    Program.objects.filter(pk=program.pk).update(per_firm_cap=2)
    program.refresh_from_db()
    with translation.override("en"):
        assert any("per-firm cap" in b for b in selection_blockers(program=program, scores={}))


def test_selection_uses_the_reviews_scores_by_default(fake_scores) -> None:
    program = booths(capacity=1)
    officer = lead_officer(program)
    a, b = application_in(program), application_in(program)
    fake_scores.update({a.pk: Decimal(10), b.pk: Decimal(20)})
    rows = selection_preview(program=program)
    assert [r.application_id for r in rows] == [b.pk, a.pk]
    result = selection_commit(program=program, actor=officer, fingerprint=selection_fingerprint(rows, program=program))
    assert result.approved == [b.pk]


def test_a_second_selection_ranks_what_came_into_review_since() -> None:
    program = booths(capacity=3)
    officer = lead_officer(program)
    first = application_in(program, units=1)
    _commit(program, officer, {})
    later = application_in(program, units=1)
    rows, result = _commit(program, officer, {})
    assert [r.application_id for r in rows] == [later.pk]
    assert result.approved == [later.pk]
    assert SelectionRun.objects.filter(program=program).count() == 2
    first.refresh_from_db()
    assert first.status == Status.APPROVED
