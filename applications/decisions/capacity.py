"""Capacity: the only code that moves ``Program.allocated``.

Approved units never exceed capacity whatever the concurrency, because the check and the
increment are one conditional UPDATE: PostgreSQL re-evaluates its WHERE clause against the
latest committed row after waiting for any concurrent writer, so two approvals can never
both see the same "remaining" value. The table's check constraint backs it up.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.errors import CapacityExceeded
from applications.models import Allocation, Application
from programs.models import Program


def allocation_claim(*, application: Application, units: int, actor: User | None) -> Allocation:
    """Take ``units`` from the program's pool and record them; call inside the approving
    transaction so a later failure rolls the claim back too."""
    claimed = Program.objects.filter(pk=application.program_id, allocated__lte=F("capacity") - units).update(
        allocated=F("allocated") + units
    )
    if claimed == 0:
        # Another approval got there first (or the pool was already short): re-read only to
        # tell the officer how much is actually left.
        program = Program.objects.only("capacity", "allocated").get(pk=application.program_id)
        raise CapacityExceeded(
            _(
                "Only %(remaining)s of this program's capacity is left, so %(units)s cannot be "
                "granted. Grant less, or waitlist the application."
            )
            % {"remaining": program.capacity_remaining, "units": units}
        )
    return Allocation.objects.create(
        application=application,
        program_id=application.program_id,
        units=units,
        granted_by=actor,
        granted_at=timezone.now(),
    )


def allocation_release(*, application: Application) -> int:
    """Return an approved application's units to the pool; returns how many came back."""
    allocation = Allocation.objects.select_for_update().filter(application=application, released_at=None).first()
    if allocation is None:
        return 0
    allocation.released_at = timezone.now()
    allocation.save(update_fields=["released_at"])
    Program.objects.filter(pk=allocation.program_id).update(allocated=F("allocated") - allocation.units)
    return allocation.units
