"""Read queries behind the officers' reminders: what waits for them, program by program."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Count, Min

from applications.models import Application
from programs.models import Program

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@dataclass
class ProgramWaiting:
    """What waits for an officer in one program: counts per status and the oldest item."""

    program: Program
    counts: list[tuple[str, int]] = field(default_factory=list)
    oldest: Application | None = None

    @property
    def total(self) -> int:
        return sum(n for _, n in self.counts)


def officer_waiting_summary(*, officer: User, statuses: Iterable[str]) -> list[ProgramWaiting]:
    """Applications in ``statuses`` on the programs ``officer`` is assigned to, grouped by
    program and status in one aggregate query, plus the longest-waiting application of each
    program (one query per program; an officer has a handful)."""
    statuses = list(statuses)
    waiting = Application.objects.for_officer(officer).filter(status__in=statuses)
    rows = waiting.values("program_id", "status").annotate(n=Count("pk"), since=Min("status_changed_at"))
    by_program: dict[int, dict[str, int]] = {}
    for row in rows:
        by_program.setdefault(row["program_id"], {})[row["status"]] = row["n"]
    programs = Program.objects.in_bulk(list(by_program))
    summary = []
    for program_id in sorted(by_program, key=lambda pk: (programs[pk].closes_at, pk)):
        counts = by_program[program_id]
        oldest = (
            waiting.filter(program_id=program_id).select_related("firm").order_by("status_changed_at", "pk").first()
        )
        summary.append(
            ProgramWaiting(
                program=programs[program_id],
                counts=[(status, counts[status]) for status in statuses if status in counts],
                oldest=oldest,
            )
        )
    return summary


def officers_with_waiting_work(*, statuses: Iterable[str]) -> list[int]:
    """Ids of active officers with at least one application in ``statuses`` on a program
    they are assigned to."""
    return sorted(
        set(
            Application.objects.filter(
                status__in=list(statuses),
                program__officer_assignments__user__is_active=True,
            ).values_list("program__officer_assignments__user_id", flat=True)
        )
    )
