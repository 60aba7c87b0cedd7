"""Property-based tests of the whole API against its own schema (schemathesis).

Every operation of /api/schema/ gets generated requests (a bounded number per operation),
sent in-process to the Django WSGI application — no network — once as a manager and once
as a firm's staff, each with an API token. Each response must not be a server error and
must conform to the schema (status code documented, body matching it).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import response_schema_conformance

from applications.models import Allocation, Application, OutcomeReport
from applications.workflow import Status
from firms.models import IPHolding
from sme_support.roles import Role
from tests.factories import ApplicationFactory, FirmFactory, ProgramFactory, assign_officer, firm_user, user_in_group

MAX_EXAMPLES = 10
CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 20260401,
        "generation": {"max-examples": MAX_EXAMPLES},
        # Examples and fuzzing (bounded by max-examples); the coverage phase enumerates
        # every boundary of every parameter, far beyond the budget of this suite.
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
    }
)
SUMMARY: Counter[str] = Counter()


@pytest.fixture(scope="module", autouse=True)
def _report_summary() -> Iterator[None]:
    yield
    lines = [f"  {key}: {count}" for key, count in sorted(SUMMARY.items())]
    print("\nschemathesis summary:\n" + "\n".join(lines))


@pytest.fixture
def api_world(db: Any) -> dict[str, Any]:
    """Real objects for generated requests to hit: path ids are swapped for these often."""
    program = ProgramFactory()
    program.target_countries.set(["FR", "JP"])
    show = ProgramFactory(trade_show=True)
    firm = FirmFactory()
    # So that the IP-filing statistics have rows to count and label.
    IPHolding.objects.create(firm=firm, kind=IPHolding.Kind.TRADEMARK, country_id="US", registration_number="TM-1")
    staff = firm_user(firm)
    manager = user_in_group(Role.MANAGER)
    assign_officer(program, user_in_group(Role.OFFICER))
    mine = ApplicationFactory(program=program, firm=firm)
    reviewed = ApplicationFactory(program=show, firm=firm, requested_units=2)
    Application.objects.filter(pk=reviewed.pk).update(
        status=Status.COMPLETED,
        submitted_at=timezone.now() - dt.timedelta(days=20),
        decided_at=timezone.now() - dt.timedelta(days=10),
    )
    Allocation.objects.create(application=reviewed, program=show, units=2, granted_at=timezone.now())
    other = ApplicationFactory(program=program)
    Application.objects.filter(pk=other.pk).update(status=Status.UNDER_REVIEW, submitted_at=timezone.now())
    report = OutcomeReport.objects.create(
        application=reviewed, status="accepted", due_on=timezone.localdate(), contracts_usd=1_000
    )
    return {
        "tokens": {
            "manager": Token.objects.create(user=manager).key,
            "firm": Token.objects.create(user=staff).key,
        },
        "ids": {
            "applications": [mine.pk, reviewed.pk, other.pk],
            "firms": [firm.pk, other.firm_id],
            "programs": [program.pk, show.pk],
            "outcome-reports": [report.pk],
            "countries": ["FR", "KR"],
        },
    }


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    # Django's test client does the same: a real WSGI request closes "old" connections when
    # it starts and finishes, which would close the test's transaction under our feet.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# Loaded once, at collection: the schema view needs no database. (schemathesis's lazy
# `from_fixture` loader does not work with pytest 9, whose nodes no longer have `_nodeid`.)
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application(), config=CONFIG)


def _with_real_id(case: Any, ids: dict[str, list[Any]]) -> None:
    """Most generated ids match nothing (a 404, also worth checking); swap two in three for
    the id of a real object so that the operation's other responses are exercised too."""
    if "id" not in (case.path_parameters or {}):
        return
    resource = case.path.split("/")[3]
    choices = ids.get(resource)
    if not choices:
        return
    slot = hash(str(case.path_parameters["id"])) % (len(choices) * 3 // 2 + 1)
    if slot < len(choices):
        case.path_parameters["id"] = choices[slot]


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.django_db
def test_api_conforms_to_its_schema(case: Any, api_world: dict[str, Any]) -> None:
    _with_real_id(case, api_world["ids"])
    for role, key in api_world["tokens"].items():
        cache.clear()  # the per-user throttle must not turn the run into 429s
        try:
            response = case.call_and_validate(
                headers={"Authorization": f"Token {key}"},
                checks=[not_a_server_error, response_schema_conformance],
            )
        except Exception:
            SUMMARY[f"{role} failures"] += 1
            raise
        SUMMARY[f"{role} {response.status_code}"] += 1
        SUMMARY["requests"] += 1
