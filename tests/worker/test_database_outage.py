"""PostgreSQL cut under a real worker (through a TCP proxy of the test's own; the machine's
server is never touched): screenings and a beat sweeper that meet the outage retry with
backoff and finish once it is back, once each, with no restart."""

from __future__ import annotations

import time
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection

from applications.intake.services import application_submit
from applications.models import Application
from applications.tasks import requeue_stuck_screening
from applications.workflow import Status
from tests.factories import ApplicationFactory, FirmFactory, ProgramFactory, firm_user
from tests.tcp_proxy import proxy_to
from tests.worker.conftest import _test_database_url, wait_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.worker,
    pytest.mark.slow,
]

SUBMISSIONS = 3


def _through(port: int) -> str:
    url = urlsplit(_test_database_url())
    auth = url.netloc.rsplit("@", 1)[0]
    return urlunsplit(url._replace(netloc=f"{auth}@127.0.0.1:{port}"))


def test_tasks_that_meet_a_database_outage_retry_and_finish_once_it_is_back(workers):
    db = connection.settings_dict
    with proxy_to(db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)) as proxy:
        worker = workers.start(env={"DATABASE_URL": _through(proxy.port)})

        proxy.cut()
        # Submitted by this process, straight to the database; the worker's screenings and a
        # sweep started by beat meet the outage.
        program = ProgramFactory()
        ids = []
        for _ in range(SUBMISSIONS):
            firm = FirmFactory()
            user = firm_user(firm)
            application = ApplicationFactory(program=program, firm=firm, created_by=user)
            application_submit(application=application, actor=user)
            ids.append(application.pk)
        requeue_stuck_screening.delay()

        wait_for(
            lambda: (
                _retried(worker.output).count("screen_application") >= SUBMISSIONS
                and "requeue_stuck_screening" in _retried(worker.output)
            ),
            timeout=30,
            what="the screenings and the sweep to meet the outage and schedule their retries",
        )
        assert Application.objects.filter(pk__in=ids, status=Status.SUBMITTED).count() == SUBMISSIONS

        proxy.restore()
        back = time.monotonic()
        wait_for(
            lambda: Application.objects.filter(pk__in=ids, status=Status.ELIGIBLE).count() == SUBMISSIONS,
            timeout=60,
            what="every screening to finish",
        )
        recovered_in = time.monotonic() - back
        wait_for(
            lambda: "requeue_stuck_screening" in _succeeded(worker.output),
            timeout=60,
            what="the sweeper to run once the database is back",
        )

    assert worker.proc.poll() is None
    for pk in ids:
        transitions = list(Application.objects.get(pk=pk).history.values_list("transition", flat=True))
        assert transitions == ["submit", "start_screening", "mark_eligible"], (pk, transitions)
    print(
        f"drill: PostgreSQL cut under a worker; {SUBMISSIONS} screenings and a sweep retried with backoff and "
        f"finished {recovered_in:.1f}s after it returned; lost 0, duplicated 0, processes restarted 0"
    )


def _retried(output: str) -> str:
    return "\n".join(line for line in output.splitlines() if "retry: Retry in" in line)


def _succeeded(output: str) -> str:
    return "\n".join(line for line in output.splitlines() if " succeeded in " in line)
