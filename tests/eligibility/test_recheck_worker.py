"""The wiring: a rules change, once committed, reaches a real worker that re-checks the
program's open applications."""

from __future__ import annotations

import pytest

from applications.models import Application
from applications.workflow import Status
from programs.services import eligibility_rules_replace
from tests.eligibility.test_recheck import AT_MOST_9, AT_MOST_20, _application
from tests.factories import ProgramFactory
from tests.worker.conftest import wait_for, workers  # noqa: F401 - the fixture

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.worker,
    pytest.mark.slow,
]


def test_a_rules_change_is_rechecked_by_the_worker(workers):  # noqa: F811
    program = ProgramFactory()
    eligibility_rules_replace(program=program, rules=AT_MOST_20)  # committed; no worker yet to run its re-check
    apps = [_application(program, employees=employees, status=Status.ELIGIBLE) for employees in (5, 12, 15)]
    workers.start()

    eligibility_rules_replace(program=program, rules=AT_MOST_9)

    def rechecked() -> bool:
        versions = Application.objects.filter(pk__in=[a.pk for a in apps]).values_list(
            "eligibility_rules_version", flat=True
        )
        return set(versions) == {2}

    wait_for(rechecked, timeout=60, what="the worker to re-check the program")
    statuses = dict(Application.objects.filter(pk__in=[a.pk for a in apps]).values_list("firm__employees", "status"))
    assert statuses == {5: Status.ELIGIBLE, 12: Status.INELIGIBLE, 15: Status.INELIGIBLE}
