"""The benchmark data generator at smoke size, so it never rots between benchmark runs."""

from __future__ import annotations

import pytest
from django.db.models import F, OuterRef, Subquery, Sum

from applications.models import Allocation, Application, OutcomeFollowUp, OutcomeReport, StatusChange
from applications.workflow import Status
from bench.generate import PATHS, brn_for, generate
from firms.models import Firm
from firms.validators import is_valid_brn
from programs.models import Program

pytestmark = pytest.mark.django_db


@pytest.fixture
def generated():
    return generate(firms=300, applications=1000, programs_per_year=6, years=3, seed=7)


def test_counts_are_exact(generated) -> None:
    assert generated.firms == Firm.objects.count() == 300
    assert generated.applications == Application.objects.count() == 1000
    assert generated.programs == Program.objects.count() == 18
    assert generated.history == StatusChange.objects.count()


def test_every_status_of_the_past_and_current_calls_appears(generated) -> None:
    seen = set(Application.objects.values_list("status", flat=True).distinct())
    assert seen == set(Status.values)


def test_history_ends_in_the_applications_status(generated) -> None:
    last = StatusChange.objects.filter(application=OuterRef("pk")).order_by("-at", "-pk").values("to_status")[:1]
    apps = Application.objects.exclude(status=Status.DRAFT).annotate(last=Subquery(last))
    assert not apps.exclude(last=F("status")).exists()
    for app in Application.objects.order_by("pk")[:50]:
        assert [h.transition for h in app.history.all()] == [name for name, _, _ in PATHS[app.status]]


def test_allocated_matches_live_allocations_and_stays_within_capacity(generated) -> None:
    for program in Program.objects.all():
        live = Allocation.objects.filter(program=program, released_at=None).aggregate(s=Sum("units"))["s"] or 0
        assert program.allocated == live <= program.capacity


def test_accepted_reports_carry_new_markets_and_follow_ups(generated) -> None:
    accepted = OutcomeReport.objects.filter(status=OutcomeReport.ReportStatus.ACCEPTED)
    assert accepted.exists()
    assert accepted.filter(new_countries__isnull=False).exists()
    # Both follow-ups of every accepted report, and none of any other report.
    assert OutcomeFollowUp.objects.count() == 2 * accepted.count()
    assert not OutcomeFollowUp.objects.exclude(report__in=accepted).exists()
    filed = OutcomeFollowUp.objects.filter(status=OutcomeFollowUp.FollowUpStatus.ACCEPTED)
    assert filed.exists() and not filed.filter(submitted_at=None).exists()
    # A 12-month follow-up reports contracts signed by then: never fewer than at 6 months.
    for six in OutcomeFollowUp.objects.filter(months=6).select_related("report")[:100]:
        twelve = OutcomeFollowUp.objects.get(report=six.report, months=12)
        assert twelve.contracts_usd >= six.contracts_usd


def test_firms_are_valid_and_derived(generated) -> None:
    assert all(is_valid_brn(b) for b in Firm.objects.values_list("brn", flat=True))
    assert len({f.size_class for f in Firm.objects.all()}) >= 2


def test_brns_are_unique_and_valid() -> None:
    numbers = [brn_for(n) for n in range(5000)]
    assert len(set(numbers)) == 5000
    assert all(is_valid_brn(n) for n in numbers)
