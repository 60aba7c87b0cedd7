"""The drill: Redis stopped and started under a real worker and a real beat while the worker
holds unacknowledged tasks. Nothing is restarted by hand; nothing is lost; nothing runs twice
to any effect; every submission, including those made during the outage, is screened soon
after Redis is back."""

from __future__ import annotations

import datetime as dt
import time
from unittest import mock

import pytest
from django.utils import timezone

from applications.intake.services import application_submit
from applications.models import Application
from applications.tasks import screen_application
from applications.workflow import Status
from tests.factories import ApplicationFactory, FirmFactory, ProgramFactory, firm_user
from tests.worker.conftest import broker_at, wait_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.worker,
    pytest.mark.slow,
]

HELD = 3  # screenings the worker holds, unacknowledged, when Redis goes away
DURING = 2  # submissions made while Redis is away
ETA_SECONDS = 8
# Beat's sweeper in this drill: every 2 s, for submissions waiting 2 s or more.
SWEEP = {"SCREENING_SWEEP_SECONDS": "2", "SCREENING_STUCK_AFTER_SECONDS": "2"}


def _submitted(count: int) -> list[int]:
    program = ProgramFactory()
    ids = []
    for _ in range(count):
        firm = FirmFactory()
        user = firm_user(firm)
        application = ApplicationFactory(program=program, firm=firm, created_by=user)
        application_submit(application=application, actor=user)
        ids.append(application.pk)
    return ids


def _screened(ids: list[int]) -> bool:
    return Application.objects.filter(pk__in=ids, status=Status.ELIGIBLE).count() == len(ids)


def test_worker_and_beat_outlive_a_redis_restart_with_tasks_in_flight(persistent_redis, workers, tmp_path):
    redis_client = persistent_redis.client()
    queue = workers.env(persistent_redis.url, {})["CELERY_TASK_DEFAULT_QUEUE"]
    with broker_at(persistent_redis.url):
        # 1. Submissions whose screening the worker will be holding: enqueued here with an ETA,
        #    so that the worker has received them and not acknowledged them when Redis goes.
        with mock.patch("applications.intake.services.enqueue_screening"):
            held = _submitted(HELD)
        # Out of the sweeper's sight, so that only the held messages can screen these.
        Application.objects.filter(pk__in=held).update(status_changed_at=timezone.now() + dt.timedelta(hours=1))
        worker = workers.start(broker_url=persistent_redis.url, env=SWEEP)
        # Beat, started on a schedule file whose folder does not exist yet (a fresh clone).
        beat = workers.start_beat(broker_url=persistent_redis.url, env=SWEEP, schedule=tmp_path / "new" / "schedule")
        for pk in held:
            screen_application.apply_async((pk,), countdown=ETA_SECONDS)
        wait_for(lambda: redis_client.hlen("unacked") >= HELD, timeout=30, what="the worker to hold the screenings")

        # 2. Redis goes away.
        persistent_redis.stop()
        wait_for(lambda: "Connection to broker lost" in worker.output, timeout=30, what="the worker to notice")

        # 3. Firms go on submitting; the publish fails fast and the submission stands.
        during = _submitted(DURING)
        assert Application.objects.filter(pk__in=during, status=Status.SUBMITTED).count() == DURING
        # The worker is trying to reconnect rather than dying.
        wait_for(lambda: "Cannot connect to redis" in worker.output, timeout=30, what="a reconnect attempt")
        assert worker.proc.poll() is None, worker.output[-3000:]

        # 4. Redis comes back: nobody restarts anything.
        persistent_redis.start()
        back = time.monotonic()
        wait_for(lambda: _screened(held + during), timeout=60, what="every submission to be screened")
        recovered_in = time.monotonic() - back

        # 5. Everything was consumed, once: no message left behind, unacknowledged or queued.
        wait_for(
            lambda: redis_client.hlen("unacked") == 0 and redis_client.llen(queue) == 0,
            timeout=60,
            what="the queues to drain",
        )

    assert worker.proc.poll() is None and beat.proc.poll() is None  # same processes, alive
    assert "Unrecoverable error" not in worker.output
    assert f"Restored {HELD} message(s) left unacknowledged" in worker.output
    for pk in held + during:
        transitions = list(Application.objects.get(pk=pk).history.values_list("transition", flat=True))
        assert transitions == ["submit", "start_screening", "mark_eligible"], (pk, transitions)
    print(
        f"drill: Redis restarted under a worker holding {HELD} unacked tasks, {DURING} submissions made "
        f"during the outage; all {HELD + DURING} screened {recovered_in:.1f}s after Redis returned; "
        "lost 0, duplicated 0, processes restarted 0"
    )
