"""Background jobs at scale: the reminder sweep with ~10,000 reminders due, and the bulk
eligibility re-check of a 50,000-application program. Rows are created in bulk (COPY or
bulk_create), never one by one."""

from __future__ import annotations

import datetime as dt
import random
import time
from typing import Any
from unittest import mock

from bench.common import Timing, firm_users_create, settle

SWEEP_TARGET_S = 60.0
RECHECK_TARGET_PER_S = 5000.0


# --- Reminder sweep ---------------------------------------------------------------------------


def _history_copier(cur: Any) -> Any:
    from applications.models import StatusChange
    from bench.generate import Copier

    return Copier(
        StatusChange, ["application_id", "transition", "from_status", "to_status", "actor_kind", "at", "note"], cur
    )


def arrange_info_requests(*, count: int, officer: Any) -> list[int]:
    """``count`` open info requests due in REMINDER_INFO_DUE_DAYS[0] days, one per application,
    on applications in info_requested whose firms have a portal user. Takes the data set's
    info_requested applications first and moves more from under_review (with their history
    row, as the workflow would) when there are too few. Returns the application ids."""
    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone

    from applications.models import Application, InfoRequest
    from applications.workflow import Status
    from notifications.models import Reminder

    # The sent-log of earlier benchmark runs (its subjects may be gone with a regenerated
    # data set) would turn part of this run's sweep into no-ops.
    Reminder.objects.filter(recipient__username__startswith="bench-firm-").delete()
    now = timezone.now()
    today = timezone.localdate(now, timezone.get_default_timezone())
    due_on = today + dt.timedelta(days=settings.REMINDER_INFO_DUE_DAYS[0])
    with transaction.atomic():
        ids = list(
            Application.objects.filter(status=Status.INFO_REQUESTED, info_requests__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)[:count]
        )
        if len(ids) < count:
            more = list(
                Application.objects.filter(status=Status.UNDER_REVIEW)
                .order_by("pk")
                .values_list("pk", flat=True)[: count - len(ids)]
            )
            Application.objects.filter(pk__in=more).update(
                status=Status.INFO_REQUESTED, status_changed_at=now, updated_at=now
            )
            with connection.cursor() as cur:
                hc = _history_copier(cur)
                for pk in more:
                    hc.add([pk, "request_info", Status.UNDER_REVIEW, Status.INFO_REQUESTED, "officer", now, "bench"])
                hc.flush()
            ids += more
        InfoRequest.objects.bulk_create(
            [
                InfoRequest(
                    application_id=pk, requested_by=officer, message="Please send the export contract.", due_on=due_on
                )
                for pk in ids
            ],
            batch_size=2000,
        )
        firm_ids = sorted(set(Application.objects.filter(pk__in=ids).values_list("firm_id", flat=True)))
        firm_users_create(firm_ids=firm_ids)
    return ids


def measure_sweep(*, repeat: int, sample: int = 200) -> dict[str, Any]:
    """Time ``reminders_sweep`` (deciding what is due and inserting the sent-log rows; the
    broker hand-off after commit is recorded, not sent, so the figure is the sweep's own
    work). Between runs the rows a run inserted are deleted so every run does the full job;
    the last run's rows stay, and one more sweep must then queue nothing. Finally a sample
    of the queued reminders is sent with the locmem email backend."""
    from django.core import mail as django_mail
    from django.test.utils import override_settings
    from django.utils import timezone

    from notifications.delivery import Outcome, reminder_deliver
    from notifications.models import Reminder
    from notifications.reminders import reminders_sweep

    handed_to_broker: list[int] = []

    def record(ids: list[int]) -> int:
        handed_to_broker.extend(ids)
        return len(ids)

    timing = Timing()
    queued: list[int] = []
    now = timezone.now()
    with mock.patch("notifications.reminders.enqueue_reminders", record):
        for run in range(max(1, repeat)):
            started = time.perf_counter()
            queued = reminders_sweep(now=now)
            timing.runs.append(time.perf_counter() - started)
            if run < repeat - 1:
                Reminder.objects.filter(pk__in=queued).delete()
        started = time.perf_counter()
        again = reminders_sweep(now=now)
        rerun_s = time.perf_counter() - started

    chosen = random.Random(1).sample(queued, min(sample, len(queued)))
    outcomes: dict[str, int] = {}
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        django_mail.outbox = []
        started = time.perf_counter()
        for pk in chosen:
            outcome = reminder_deliver(reminder_id=pk).outcome
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
        send_s = time.perf_counter() - started
        mails = len(django_mail.outbox)
    return {
        "queued": len(queued),
        "sweep": timing,
        "sweep_s": timing.median,
        "rerun_queued": len(again),
        "rerun_s": rerun_s,
        "handed_to_broker": len(handed_to_broker),
        "sent_sample": len(chosen),
        "sent_ok": outcomes.get(Outcome.SENT, 0),
        "outcomes": outcomes,
        "mails": mails,
        "send_s": send_s,
        "send_per_s": len(chosen) / send_s if send_s else 0.0,
        "met": timing.median <= SWEEP_TARGET_S and not again,
    }


# --- Bulk eligibility re-check ----------------------------------------------------------------


def program_clone(*, code: str, **fields: Any) -> Any:
    """A new program copied from the data set's latest export-funding call (so every field
    the model requires has a sensible value), with ``fields`` overriding."""
    from django.utils import timezone

    from programs.models import Program, ProgramKind

    template = (
        Program.objects.filter(kind=fields.get("kind", ProgramKind.EXPORT_FUNDING))
        .order_by("-fiscal_year", "-pk")
        .first()
    )
    if template is None:
        template = Program.objects.order_by("-fiscal_year", "-pk").first()
    if template is None:
        raise SystemExit("The data set has no programs; generate it first (bench.generate).")
    # History is append-only (a PostgreSQL trigger refuses DELETE), so an earlier run's
    # program can't be deleted with its applications: retire it under another code, closed.
    now = timezone.now()
    Program.objects.filter(code=code).update(
        code=f"{code[:24]}-{now:%Y%m%d%H%M%S%f}"[:40],
        opens_at=now - dt.timedelta(days=2),
        closes_at=now - dt.timedelta(days=1),
    )
    program = Program.objects.get(pk=template.pk)
    program.pk = None
    program.id = None
    program._state.adding = True
    program.code = code
    program.allocated = 0
    now = timezone.now()
    program.opens_at = now - dt.timedelta(days=10)
    program.closes_at = now + dt.timedelta(days=20)
    program.created_at = now
    for key, value in fields.items():
        setattr(program, key, value)
    program.save()
    return program


def applications_copy(*, program: Any, firm_ids: list[int], statuses: list[str], units: int) -> list[int]:
    """COPY one application per firm into ``program`` with the given statuses and the history
    that leads to each (bench.generate.PATHS). Returns the new ids in firm order."""
    from django.db import connection, transaction
    from django.utils import timezone

    from applications.models import Application
    from bench.generate import PATHS, Copier

    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cur:
        ac = Copier(
            Application,
            ["program_id", "firm_id", "status", "requested_units", "receipt_number", "created_at", "updated_at",
             "submitted_at", "decided_at", "status_changed_at", "decision_reason"],
            cur,
        )  # fmt: skip
        for i, (fid, status) in enumerate(zip(firm_ids, statuses, strict=True)):
            submitted = now - dt.timedelta(days=5) if status != "draft" else None
            receipt = f"B{program.pk}-{i:07d}" if submitted else None
            ac.add([program.pk, fid, status, units, receipt, now - dt.timedelta(days=6), now, submitted, None, now, ""])
        ac.flush()
        rows = dict(Application.objects.filter(program=program).values_list("firm_id", "pk"))
        ids = [rows[f] for f in firm_ids]
        hc = _history_copier(cur)
        for pk, status in zip(ids, statuses, strict=True):
            at = now - dt.timedelta(days=5)
            for name, src, dst in PATHS[status]:
                at += dt.timedelta(minutes=10)
                hc.add([pk, name, src, dst, "officer" if name in ("start_review", "approve") else "system", at, ""])
        hc.flush()
    return ids


def arrange_recheck(*, size: int) -> Any:
    """A program with ``size`` applications, eligible or ineligible, from ``size`` distinct
    firms, and two eligibility rules (set through the service; its after-commit enqueue of a
    re-check task is suppressed, the benchmark runs the re-check itself)."""

    from firms.models import Firm, Sector
    from programs.services import eligibility_rules_replace

    firm_ids = list(Firm.objects.order_by("pk").values_list("pk", flat=True)[:size])
    if len(firm_ids) < size:
        raise SystemExit(f"The re-check needs {size} firms; the data set has {len(firm_ids)}.")
    program = program_clone(code="bench-recheck", title_en="Bench re-check call", title_ko="벤치 재검토")
    rng = random.Random(5)
    statuses = ["eligible" if rng.random() < 0.7 else "ineligible" for _ in firm_ids]
    applications_copy(program=program, firm_ids=firm_ids, statuses=statuses, units=10_000_000)
    sectors = [s for s in Sector.values][: len(Sector.values) * 2 // 3]
    with mock.patch("programs.services._enqueue_recheck"):
        eligibility_rules_replace(
            program=program,
            rules=[
                {"rule_type": "sector_in", "params": {"sectors": sectors}},
                {"rule_type": "min_years_since_founding", "params": {"years": 3}},
            ],
        )
    settle("applications_application", "applications_statuschange")
    return program


def measure_recheck(*, size: int, repeat: int) -> dict[str, Any]:
    """``program_recheck`` over a program of ``size`` applications; applications/second."""
    from django.db.models import Count

    from applications.eligibility.recheck import program_recheck
    from applications.models import Application

    program = arrange_recheck(size=size)
    before = dict(
        Application.objects.filter(program=program).values("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    timing = Timing()
    checked = []
    for _ in range(max(1, repeat)):
        started = time.perf_counter()
        checked.append(program_recheck(program_id=program.pk))
        timing.runs.append(time.perf_counter() - started)
    after = dict(
        Application.objects.filter(program=program).values("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    per_s = size / timing.median
    return {
        "size": size,
        "program_id": program.pk,
        "checked": checked,
        "recheck": timing,
        "first_s": timing.runs[0],
        "median_s": timing.median,
        "per_s": per_s,
        "before": before,
        "after": after,
        "met": per_s >= RECHECK_TARGET_PER_S,
    }
