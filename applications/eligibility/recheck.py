"""Re-check a program's open applications after its eligibility rules change, in bulk.

Which applications, and what happens to them:

- ``eligible`` / ``ineligible`` — re-evaluated and their stored results replaced; when the
  verdict flips, the application moves through the workflow's ``recheck_ineligible`` /
  ``recheck_eligible`` (actor: the system) with a history row. An officer's override stands:
  an application overridden to eligible gets fresh results but is never moved back.
- ``under_review`` / ``info_requested`` / ``waitlisted`` — results refreshed so the officer
  sees the verdict under the current rules; the status never moves (an officer has taken the
  application into review or decided on it, and only an officer moves it on).
- ``submitted`` / ``screening`` — not evaluated here: their screening is still to run and
  reads the rules when it does. They are *locked* with the batch, though, so that a screening
  in flight finishes first and is then re-checked (see ``_recheck_batch``).
- approved, rejected, withdrawn, cancelled, completed — never touched.

Set-based: one query lists the open applications' ids; per batch of ``RECHECK_BATCH_SIZE``
of them, one query locks and loads them with their firms, ``load_facts`` adds at most five (one per kind of
fact the rules use), then one UPDATE writes every row's results and status and one INSERT
writes the history rows. Nothing runs per application or per rule.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import logging
import queue
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.eligibility.engine import RuleSet, evaluate_many, rule_set_for
from applications.eligibility.reasons import ReasonRenderer, labels
from applications.models import Application, StatusChange
from applications.workflow import TRANSITIONS, ActorKind, Status
from programs.choices import EligibilityRuleType
from programs.models import EligibilityRuleSet, Program
from sme_support.queue import enqueue_or_leave_to_sweeper

logger = logging.getLogger(__name__)
_T = TypeVar("_T")

RECHECK_BATCH_SIZE = 1000
# Batches in flight at once (see program_recheck): two keep both of a small server's cores busy.
RECHECK_WORKERS = 2

# Results refreshed; of these only eligible/ineligible can move.
REFRESHED = frozenset(
    {Status.ELIGIBLE, Status.INELIGIBLE, Status.UNDER_REVIEW, Status.INFO_REQUESTED, Status.WAITLISTED}
)
# Locked but left to their pending screening.
SCREENING = frozenset({Status.SUBMITTED, Status.SCREENING})
LOCKED = REFRESHED | SCREENING

_WRITTEN_FIELDS = [
    "eligibility_results",
    "eligibility_rules_version",
    "eligibility_checked_at",
    "updated_at",
    "status",
    "status_changed_at",
]


def program_recheck(*, program_id: int, batch_size: int = RECHECK_BATCH_SIZE, workers: int = RECHECK_WORKERS) -> int:
    """Re-evaluate every open application of the program against its current rules.

    Returns how many applications were re-evaluated. Each batch commits on its own, so a
    large program never holds thousands of row locks at once, and a retry after a failure
    simply runs again: re-checking is idempotent.

    On PostgreSQL, outside a transaction, ``workers`` batches run at once, each thread on a
    connection of its own: while one waits for its UPDATE, another evaluates in Python, so
    the database and the interpreter work side by side (bench/RESULTS.md, re-check). The
    batches are disjoint, so they never wait for each other's locks. Called inside a
    transaction (it cannot see other connections' work), or on SQLite (one writer at a time),
    the batches run one after another on the caller's connection.
    """
    program = Program.objects.filter(pk=program_id).first()
    if program is None:
        return 0
    rule_set = rule_set_for(program)
    today = timezone.localdate()
    renderer = ReasonRenderer()
    checked = moved = 0
    # The open applications as the re-check starts, listed once. One that opens later was
    # submitted after the rules changed and its screening reads the new rules; each batch
    # re-reads the status under its lock, so one that moved on meanwhile is left alone.
    candidates = list(
        Application.objects.filter(program_id=program_id, status__in=LOCKED).order_by("pk").values_list("pk", flat=True)
    )
    batches = [candidates[start : start + batch_size] for start in range(0, len(candidates), batch_size)]

    def run(ids: list[int]) -> tuple[int, int]:
        with _CYCLIC_GC.paused():
            return _recheck_batch(rule_set=rule_set, ids=ids, today=today, renderer=renderer)

    parallel = workers > 1 and len(batches) > 1 and connection.vendor == "postgresql"
    if parallel and not connection.in_atomic_block:
        counts = _in_threads(run, batches, workers=workers)
    else:
        counts = [run(ids) for ids in batches]
    for batch_checked, batch_moved in counts:
        checked += batch_checked
        moved += batch_moved
    logger.info(
        "Re-checked %d applications of program %s under rules version %s; %d changed status.",
        checked,
        program_id,
        rule_set.version,
        moved,
    )
    return checked


def _in_threads(run: Callable[[list[int]], _T], batches: list[list[int]], *, workers: int) -> list[_T]:
    """``run`` every batch on ``workers`` threads; the first error is raised once all stop."""
    pending: queue.SimpleQueue[list[int]] = queue.SimpleQueue()
    for batch in batches:
        pending.put(batch)
    failed = threading.Event()

    def work() -> list[_T]:
        done: list[_T] = []
        try:
            while not failed.is_set():
                try:
                    batch = pending.get_nowait()
                except queue.Empty:
                    break
                done.append(run(batch))
        except BaseException:
            failed.set()  # the other threads stop after their current batch
            raise
        finally:
            connection.close()  # this thread's own connection
        return done

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="recheck") as pool:
        futures = [pool.submit(work) for _ in range(min(workers, len(batches)))]
    return [count for future in futures for count in future.result()]


class _CyclicGcPause:
    """Pauses the cyclic garbage collector while any batch runs, in any thread.

    A batch allocates tens of thousands of small objects that reference-counting frees on
    its own (rows, facts, result dicts); the collector's full passes over them, triggered by
    the allocation count alone, took as long as the evaluation itself. A batch is bounded,
    and collection resumes (if it was on) as soon as no batch is running. The collector is
    process-wide, so concurrent batches share one count rather than each restoring it; with
    batches overlapping that can be the end of the re-check, which is harmless: a re-check of
    50,000 applications with the collector off left 180 objects in cycles and the process's
    peak memory grew by 1 MB.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running = 0
        self._was_enabled = False

    @contextmanager
    def paused(self) -> Iterator[None]:
        with self._lock:
            if self._running == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._running += 1
        try:
            yield
        finally:
            with self._lock:
                self._running -= 1
                if self._running == 0 and self._was_enabled:
                    gc.enable()


_CYCLIC_GC = _CyclicGcPause()


@transaction.atomic
def _recheck_batch(*, rule_set: RuleSet, ids: list[int], today: dt.date, renderer: ReasonRenderer) -> tuple[int, int]:
    """Lock, re-evaluate and write one batch; returns (re-evaluated, moved).

    The lock query filters on status again and PostgreSQL re-reads a row it had to wait for:
    if a screening worker holds an application, we wait until it commits and then see the
    verdict it wrote — and re-check that verdict under the current rules — rather than
    skipping it and letting a verdict reached under the old rules stand.
    """
    if connection.vendor == "postgresql":
        # Re-checking is idempotent and resumable: a batch lost in a server crash keeps its old
        # rules version, and requeue_stale_rechecks runs the program again. So the commit need
        # not wait for its WAL flush, which was a tenth of a batch's time.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
    overridden = StatusChange.objects.filter(application_id=OuterRef("pk"), transition="override_eligibility")
    applications = list(
        Application.objects.filter(pk__in=ids, status__in=LOCKED)
        # The rules judge the firm and the request, never the answers or the old results:
        # decoding those two JSON documents per row cost a tenth of the re-check.
        .defer("answers", "eligibility_results")
        .select_related("firm")
        .select_for_update(of=("self",))
        .order_by("pk")
        .annotate(overridden=Exists(overridden))
    )
    # A newer re-check or screening may already have judged some of them under newer rules.
    stale = [
        a
        for a in applications
        if a.status in REFRESHED
        and (a.eligibility_rules_version is None or a.eligibility_rules_version <= rule_set.version)
    ]
    if not stale:
        return 0, 0
    outcomes = evaluate_many(rule_set=rule_set, applications=stale, today=today, renderer=renderer)

    now = timezone.now()
    history: list[StatusChange] = []
    for application, outcome in zip(stale, outcomes, strict=True):
        application.eligibility_results = outcome.results
        application.eligibility_rules_version = outcome.rules_version
        application.eligibility_checked_at = now
        application.updated_at = now
        name = _move_for(application, passed=outcome.passed)
        if name is None:
            continue
        history.append(
            StatusChange(
                application=application,
                transition=name,
                from_status=application.status,
                to_status=TRANSITIONS[name].target,
                actor=None,
                actor_kind=ActorKind.SYSTEM,
                at=now,
                note=_history_note(rule_set=rule_set, failed=outcome.failed_rules),
            )
        )
        # The rows are locked by this transaction, so the status read above is still theirs
        # and the move is one the workflow table allows from it (see _move_for).
        application.status = TRANSITIONS[name].target
        application.status_changed_at = now

    _write(stale, version=rule_set.version, now=now)
    # History is append-only and these rows are new, so a bulk INSERT keeps it intact.
    StatusChange.objects.bulk_create(history)
    return len(stale), len(history)


def _write(applications: list[Application], *, version: int, now: dt.datetime) -> None:
    """Store each application's new results and status in one UPDATE.

    On PostgreSQL the per-row values travel as arrays joined back by id (``unnest``):
    Django's ``bulk_update`` builds a CASE expression with one branch per row and field,
    which costs more to build in Python than the whole evaluation. Elsewhere (the embedded
    SQLite default) ``bulk_update`` does the same job.
    """
    if connection.vendor != "postgresql":
        Application.objects.bulk_update(applications, _WRITTEN_FIELDS)
        return
    meta = Application._meta
    column = {field.name: field.column for field in meta.concrete_fields if field.name in _WRITTEN_FIELDS}
    sql = (
        f"UPDATE {meta.db_table} AS a SET "  # noqa: S608 — names from the model's own metadata
        f"{column['eligibility_results']} = r.results, "
        f"{column['status']} = v.status, "
        f"{column['status_changed_at']} = v.status_changed_at, "
        f"{column['eligibility_rules_version']} = %s, "
        f"{column['eligibility_checked_at']} = %s, "
        f"{column['updated_at']} = %s "
        f"FROM unnest(%s::bigint[], %s::varchar[], %s::timestamptz[]) WITH ORDINALITY "
        f"AS v(id, status, status_changed_at, n) "
        f"JOIN jsonb_array_elements(%s::jsonb) WITH ORDINALITY AS r(results, n) USING (n) "
        f"WHERE a.{meta.pk.column} = v.id"
    )
    # The results travel as ONE JSON array, matched to the ids by position: a jsonb[] array
    # literal of a thousand escaped documents took longer for the server to parse than the
    # UPDATE took to run.
    params: list[Any] = [
        version,
        now,
        now,
        [a.pk for a in applications],
        [a.status for a in applications],
        [a.status_changed_at for a in applications],
        json.dumps([a.eligibility_results for a in applications], ensure_ascii=False),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _move_for(application: Application, *, passed: bool) -> str | None:
    """The re-check transition to fire, if the workflow table allows one."""
    if passed:
        name = "recheck_eligible"
    elif application.overridden:  # type: ignore[attr-defined]
        return None
    else:
        name = "recheck_ineligible"
    transition = TRANSITIONS[name]
    if application.status not in transition.sources or ActorKind.SYSTEM not in transition.actors:
        return None
    return name


def _history_note(*, rule_set: RuleSet, failed: list[str]) -> str:
    if not failed:
        return _("Re-checked under eligibility rules version %(version)s: every rule passed.") % {
            "version": rule_set.version
        }
    return _("Re-checked under eligibility rules version %(version)s; not met: %(rules)s.") % {
        "version": rule_set.version,
        "rules": labels(EligibilityRuleType, failed).render(),
    }


def enqueue_recheck(program_id: int) -> None:
    """Queue the re-check; a broker outage must not undo the rules change that asked for it
    (``requeue_stale_rechecks`` finds the program later)."""
    enqueue_or_leave_to_sweeper(
        "applications.tasks.recheck_program", program_id, what=f"the re-check of program {program_id}"
    )


def programs_with_stale_results(*, settled_before: dt.datetime) -> list[int]:
    """Programs whose rules changed before ``settled_before`` and that still have open
    applications judged under an older version: their re-check was lost or failed for good."""
    behind = Application.objects.filter(program_id=OuterRef("program_id"), status__in=REFRESHED).filter(
        Q(eligibility_rules_version__isnull=True) | Q(eligibility_rules_version__lt=OuterRef("version"))
    )
    return list(
        EligibilityRuleSet.objects.filter(changed_at__lt=settled_before)
        .filter(Exists(behind))
        .values_list("program_id", flat=True)
    )
