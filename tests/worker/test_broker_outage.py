"""Nothing is lost while the broker is away: a submission still succeeds, quickly, and the
sweeper gets the screening done once the broker is back — exactly once."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from applications.intake.services import application_submit
from applications.models import Application
from applications.tasks import requeue_stuck_screening
from applications.workflow import Status
from tests.factories import ApplicationFactory, FirmFactory, ProgramFactory, firm_user
from tests.worker.conftest import broker_at, wait_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.worker,
    pytest.mark.slow,
]

# The brief a web request has: the submission must come back within this, broker or not.
SUBMIT_BUDGET_SECONDS = 3.0


@pytest.fixture
def draft():
    firm = FirmFactory()
    user = firm_user(firm)
    return ApplicationFactory(program=ProgramFactory(), firm=firm, created_by=user), user


@pytest.mark.parametrize("outage", ["stopped", "hung"])
def test_a_submission_during_a_broker_outage_is_screened_once_after_it(
    draft, own_redis, workers, settings, outage, caplog
):
    application, user = draft
    with broker_at(own_redis.url):
        # 1. The broker goes away: stopped (connection refused) or hung (accepts, never answers).
        own_redis.stop() if outage == "stopped" else own_redis.freeze()

        started = time.monotonic()
        application_submit(application=application, actor=user)
        took = time.monotonic() - started

        assert took < SUBMIT_BUDGET_SECONDS, f"submission took {took:.1f}s with the broker {outage}"
        assert "Could not enqueue screening" in caplog.text  # the publish really failed
        print(f"submission with the broker {outage} returned in {took:.2f}s")
        application.refresh_from_db()
        assert application.status == Status.SUBMITTED
        assert application.receipt_number

        # 2. The broker comes back on the same port; a worker starts on it.
        own_redis.start() if outage == "stopped" else own_redis.thaw()
        workers.start(broker_url=own_redis.url)

        # 3. The beat's sweeper finds the submission waiting and enqueues it — twice here, as
        #    overlapping sweeps would; screening the same application twice must do no harm.
        settings.SCREENING_STUCK_AFTER = dt.timedelta(0)
        assert requeue_stuck_screening() == 1
        requeue_stuck_screening()

        wait_for(
            lambda: Application.objects.get(pk=application.pk).status == Status.ELIGIBLE,
            timeout=30,
            what="the worker to screen the application",
        )
        queue = settings.CELERY_TASK_DEFAULT_QUEUE
        broker = own_redis.client()
        wait_for(
            lambda: broker.llen(queue) == 0 and broker.hlen("unacked") == 0,
            timeout=30,
            what="the worker to finish both messages",
        )

    transitions = list(application.history.values_list("transition", flat=True))
    assert transitions == ["submit", "start_screening", "mark_eligible"]


def test_the_publish_policy_is_short(settings):
    # What makes the budget above hold: one quick retry, and socket timeouts on the transport.
    assert settings.CELERY_TASK_PUBLISH_RETRY_POLICY["max_retries"] <= 1
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["socket_timeout"] <= 2
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["socket_connect_timeout"] <= 2
