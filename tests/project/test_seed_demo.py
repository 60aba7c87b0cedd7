"""``manage.py seed_demo``: a deterministic, idempotent demo data set driven through the services."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from collections import Counter
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Sum
from django.test import override_settings
from django.utils import timezone, translation

from applications.models import Allocation, Application, OutcomeReport, StatusChange, WaitlistOffer
from applications.workflow import ActorKind, Status
from demo.catalogue import catalogue
from demo.records import DEMO_PASSWORD
from demo.spec import FCFS_RECIPES, OFFERED_RECIPES, RANKED_RECIPES, RECIPES, _plan_program, build_spec
from firms.models import ExportProduct, ExportTier, Firm, FirmMembership, IPHolding, Region, Sector, SizeClass
from firms.validators import is_valid_brn
from programs.models import Program, ProgramKind, ProgramOfficer, SelectionMode
from sme_support.roles import Role

User = get_user_model()
SEOUL = ZoneInfo("Asia/Seoul")


def _seed(*args: str, language: str = "en") -> str:
    out = io.StringIO()
    with translation.override(language):  # assertions read the English messages
        call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


# What only an officer does before a decision, and the decisions themselves.
OFFICER_REVIEW_STEPS = {"override", "review", "request_info", "answer_info", "approve", "waitlist", "reject", "promote"}


def _counts() -> dict[str, int]:
    models = (
        User, Firm, FirmMembership, IPHolding, ExportProduct, Program, ProgramOfficer, Application,
        StatusChange, Allocation, OutcomeReport,
    )  # fmt: skip
    return {model.__name__: model.objects.count() for model in models}


# --- The spec: pure and deterministic -----------------------------------------------------------


def test_same_seed_and_day_give_an_equal_spec() -> None:
    day = dt.date(2026, 3, 10)
    first = build_spec(seed=2026, firm_count=60, today=day, tz=SEOUL)
    again = build_spec(seed=2026, firm_count=60, today=day, tz=SEOUL)
    other = build_spec(seed=7, firm_count=60, today=day, tz=SEOUL)
    assert first == again
    assert [f.name_ko for f in first.firms] != [f.name_ko for f in other.firms]


@pytest.mark.parametrize(
    ("seed", "firms", "day"),
    [(2026, 60, dt.date(2026, 3, 10)), (1, 30, dt.date(2026, 12, 31)), (99, 200, dt.date(2027, 1, 2))],
)
def test_spec_covers_every_state_sector_region_size_and_tier(seed: int, firms: int, day: dt.date) -> None:
    spec = build_spec(seed=seed, firm_count=firms, today=day, tz=SEOUL)
    assert {a.expected_status for a in spec.applications} == set(Status.values)
    assert {f.sector for f in spec.firms} == set(Sector.values)
    assert {f.region for f in spec.firms} == set(Region.values)
    assert {f.intended_size_class for f in spec.firms} == set(SizeClass.values)
    assert len({f.brn for f in spec.firms}) == len({f.name_ko for f in spec.firms}) == firms
    assert all(is_valid_brn(f.brn) for f in spec.firms)


@pytest.mark.parametrize(
    ("seed", "firms", "day"),
    [(2026, 60, dt.date(2026, 3, 10)), (1, 30, dt.date(2026, 12, 31)), (99, 200, dt.date(2027, 1, 2))],
)
def test_first_come_first_served_calls_are_planned_without_officer_review(seed: int, firms: int, day: dt.date) -> None:
    spec = build_spec(seed=seed, firm_count=firms, today=day, tz=SEOUL)
    fcfs = [p for p in spec.programs if p.selection_mode == SelectionMode.FCFS]
    assert fcfs
    for program in fcfs:
        for application in program.applications:
            assert application.recipe in FCFS_RECIPES, (program.code, application.recipe)
            assert not {step.action for step in application.steps} & OFFICER_REVIEW_STEPS, application.recipe
        # Screening approves while the capacity lasts: the planned approvals fill it exactly.
        first_in = ("fcfs_approved", "fcfs_withdrawn_approved", "fcfs_reported", "fcfs_completed")
        approved = sum(a.requested_units for a in program.applications if a.recipe in first_in)
        assert approved == program.capacity
    ranked = [a for p in spec.programs if p.selection_mode == SelectionMode.RANKED for a in p.applications]
    assert {a.recipe for a in ranked} <= RANKED_RECIPES
    # The open pavilion keeps a place on offer for the demo's design studio to answer.
    assert [a.applicant for a in spec.applications if a.recipe in OFFERED_RECIPES] == ["sme2"]


def test_a_call_refuses_recipes_of_the_other_selection_mode() -> None:
    import random

    day = dt.date(2026, 3, 10)
    spec = build_spec(seed=1, firm_count=30, today=day, tz=SEOUL)
    entries = catalogue(today=day, tz=SEOUL)
    ranked = next(e for e in entries if e.program.selection_mode == SelectionMode.RANKED)
    fcfs = next(e for e in entries if e.program.selection_mode == SelectionMode.FCFS)
    with pytest.raises(ValueError, match="do not fit a ranked call"):
        _plan_program(random.Random(1), replace(ranked, slots=(("fcfs_approved", None),)), spec.firms, day)
    with pytest.raises(ValueError, match="do not fit a fcfs call"):
        _plan_program(random.Random(1), replace(fcfs, slots=(("under_review", None),)), spec.firms, day)


def test_spec_refuses_too_few_firms() -> None:
    with pytest.raises(ValueError, match=r"30 to 500 firms"):
        build_spec(seed=1, firm_count=5, today=dt.date(2026, 3, 10), tz=SEOUL)


# --- The command on the database -------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.django_db
def test_two_fresh_databases_with_the_same_seed_get_the_same_firms() -> None:
    assert not Firm.objects.exists(), "needs an empty database: keep this test before the seeded ones"
    runs = []
    for _ in range(2):
        with transaction.atomic():
            _seed("--seed", "11", "--firms", "30")
            runs.append(list(Firm.objects.order_by("brn").values_list("brn", "name_ko", "name_en", "size_class")))
            transaction.set_rollback(True)  # the next run starts from an empty database again
    assert runs[0] == runs[1]
    assert len(runs[0]) == 30


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed once for the module, inside a transaction rolled back at the end (so
    ``on_commit`` screening tasks are never enqueued and other modules see an empty DB)."""
    # The hasher the per-test settings use (tests/conftest.py), or check_password can't read
    # the demo's hashes: this module-scoped fixture runs before those per-test settings.
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        output = _seed()
        yield output
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_firms_cover_every_sector_region_size_class_and_export_tier(seeded: str) -> None:
    firms = Firm.objects.all()
    assert firms.count() == 60
    assert set(firms.values_list("sector", flat=True)) == set(Sector.values)
    assert set(firms.values_list("region", flat=True)) == set(Region.values)
    assert set(firms.values_list("size_class", flat=True)) == set(SizeClass.values)
    assert set(firms.values_list("export_tier", flat=True)) == set(ExportTier.values)
    assert all(is_valid_brn(brn) for brn in firms.values_list("brn", flat=True))
    assert Firm.objects.filter(markets_of_interest__isnull=False).distinct().count() == 60
    assert IPHolding.objects.exists()
    assert ExportProduct.objects.exists()
    assert Firm.objects.filter(sanctioned_until__gt=timezone.localdate()).count() == 1


@pytest.mark.django_db
def test_every_firm_has_a_portal_user_in_the_sme_staff_group(seeded: str) -> None:
    assert not Firm.objects.filter(memberships__isnull=True).exists()
    sme1 = User.objects.get(username="sme1")
    assert sme1.firm_membership.role == FirmMembership.Role.OWNER
    assert set(sme1.groups.values_list("name", flat=True)) == {Role.SME_STAFF}
    assert sme1.check_password(DEMO_PASSWORD)


@pytest.mark.django_db
def test_staff_logins_have_their_roles_and_program_assignments(seeded: str) -> None:
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    for username, group in (("manager", Role.MANAGER), ("officer1", Role.OFFICER), ("officer2", Role.OFFICER)):
        user = User.objects.get(username=username)
        assert user.is_staff and not user.is_superuser
        assert list(user.groups.values_list("name", flat=True)) == [group]
        assert user.check_password(DEMO_PASSWORD)
    programs = Program.objects.count()
    assert ProgramOfficer.objects.filter(user__username="officer1", is_lead=True).count() == programs
    assert ProgramOfficer.objects.filter(user__username="officer2").count() >= 3


@pytest.mark.django_db
def test_programs_of_every_kind_open_closed_and_upcoming_in_two_fiscal_years(seeded: str) -> None:
    now = timezone.now()
    programs = Program.objects.all()
    assert set(programs.values_list("kind", flat=True)) == set(ProgramKind.values)
    year = timezone.localdate().year
    assert set(programs.values_list("fiscal_year", flat=True)) == {year, year - 1}
    open_now = Program.objects.open_at(now)
    assert set(open_now.values_list("selection_mode", flat=True)) == set(SelectionMode.values)
    assert programs.filter(closes_at__lte=now).count() >= 5
    assert programs.filter(opens_at__gt=now).exists()
    for program in programs:
        program.full_clean()  # every kind has the fields it needs
        assert program.target_countries.exists()


@pytest.mark.django_db
def test_applications_reach_every_workflow_state(seeded: str) -> None:
    assert set(Application.objects.values_list("status", flat=True)) == set(Status.values)
    # Open calls keep some unscreened applications for the worker.
    waiting = Application.objects.filter(status=Status.SUBMITTED, program__in=Program.objects.open_at(timezone.now()))
    assert waiting.count() >= 3


@pytest.mark.django_db
def test_each_applications_history_is_an_unbroken_chain_ending_in_its_status(seeded: str) -> None:
    statuses = dict(Application.objects.values_list("pk", "status"))
    history = StatusChange.objects.order_by("application_id", "at", "pk").values_list(
        "application_id", "from_status", "to_status"
    )
    seen = set()
    for application_id, rows in itertools.groupby(history, key=lambda row: row[0]):
        chain = list(rows)
        assert chain[0][1] == Status.DRAFT
        assert all(prev[2] == nxt[1] for prev, nxt in itertools.pairwise(chain)), chain
        assert chain[-1][2] == statuses[application_id]
        seen.add(application_id)
    drafts = {pk for pk, status in statuses.items() if status == Status.DRAFT}
    never_submitted = {a.pk for a in Application.objects.filter(status=Status.WITHDRAWN, submitted_at__isnull=True)}
    assert set(statuses) - seen == drafts
    assert never_submitted <= seen


@pytest.mark.django_db
def test_allocated_equals_live_allocations_and_stays_within_capacity(seeded: str) -> None:
    for program in Program.objects.all():
        live = Allocation.objects.filter(program=program, released_at__isnull=True).aggregate(s=Sum("units"))["s"] or 0
        assert program.allocated == live, program.code
        assert 0 <= program.allocated <= program.capacity, program.code
    # Approved and completed applications hold units; cancelled ones gave theirs back.
    assert not Application.objects.filter(
        status__in=[Status.APPROVED, Status.COMPLETED], allocation__isnull=True
    ).exists()
    assert not Allocation.objects.filter(application__status=Status.CANCELLED, released_at__isnull=True).exists()
    assert Allocation.objects.filter(application__status=Status.WITHDRAWN, released_at__isnull=False).exists()


@pytest.mark.django_db
def test_first_come_first_served_applications_are_decided_by_the_system_at_screening(seeded: str) -> None:
    fcfs = Application.objects.filter(program__selection_mode=SelectionMode.FCFS)
    history = StatusChange.objects.filter(application__in=fcfs)
    assert not history.filter(transition__in=["start_review", "request_info", "override_eligibility"]).exists()
    decisions = history.filter(transition__in=["approve", "waitlist"])
    assert decisions.filter(transition="approve").exists() and decisions.filter(transition="waitlist").exists()
    assert set(decisions.values_list("actor_kind", flat=True)) == {ActorKind.SYSTEM}
    assert history.filter(transition="auto_review").count() == decisions.count()
    assert set(fcfs.values_list("status", flat=True)) == {
        Status.DRAFT, Status.SUBMITTED, Status.APPROVED, Status.WAITLISTED, Status.WITHDRAWN, Status.REJECTED,
        Status.COMPLETED,
    }  # fmt: skip
    # Ranked calls keep the officer's review.
    assert StatusChange.objects.filter(
        application__program__selection_mode=SelectionMode.RANKED, transition="start_review", actor_kind="officer"
    ).exists()


@pytest.mark.django_db
def test_a_freed_booth_is_on_offer_to_a_demo_firm_and_another_was_accepted(seeded: str) -> None:
    live = WaitlistOffer.objects.live().select_related("application__program", "application__firm")
    assert live.count() == 1
    offer = live.get()
    assert offer.application.status == Status.WAITLISTED
    assert offer.application.firm.memberships.get().user.username == "sme2"
    assert offer.application.program.selection_mode == SelectionMode.FCFS
    assert offer.expires_at > timezone.now()
    # The offer holds its units until the firm answers.
    assert Allocation.objects.get(application=offer.application, released_at=None).units == offer.units
    accepted = WaitlistOffer.objects.get(status=WaitlistOffer.State.ACCEPTED)
    assert accepted.application.status == Status.APPROVED
    assert StatusChange.objects.filter(application=accepted.application, transition="accept_offer").exists()
    assert "sme2 " in seeded and "accept or decline an offered place" in seeded


@pytest.mark.django_db
def test_outcome_reports_for_trade_shows_and_delegations(seeded: str) -> None:
    reports = OutcomeReport.objects.select_related("application__program")
    assert reports.count() >= 10
    kinds = {r.application.program.kind for r in reports}
    assert kinds == {ProgramKind.TRADE_SHOW, ProgramKind.BUSINESS_DELEGATION}
    for report in reports:
        assert report.application.status in (Status.APPROVED, Status.COMPLETED)
        if report.application.status == Status.COMPLETED:
            assert report.status == OutcomeReport.ReportStatus.ACCEPTED
    assert reports.aggregate(s=Sum("contracts_usd"))["s"] > 0
    assert Counter(r.status for r in reports)[OutcomeReport.ReportStatus.ACCEPTED] >= 5


@pytest.mark.django_db
def test_output_prints_site_admin_and_every_login_with_the_password(seeded: str) -> None:
    assert "Demo data created" in seeded
    assert "http://127.0.0.1:8000/" in seeded
    assert "/admin/" in seeded
    for username in ("admin", "manager", "officer1", "officer2", "sme1", "sme60"):
        assert f"  {username} " in seeded
    assert seeded.count(DEMO_PASSWORD) >= 65


@pytest.mark.django_db
def test_second_run_adds_nothing_and_prints_the_logins_again(seeded: str) -> None:
    before = _counts()
    output = _seed()
    assert _counts() == before
    assert "already there" in output
    assert "sme1" in output and DEMO_PASSWORD in output


@pytest.mark.django_db
def test_login_table_headings_line_up_with_the_logins_in_korean_too(seeded: str) -> None:
    output = _seed(language="ko")
    assert "이미" in output  # the rest of the output is in Korean
    lines = output.splitlines()
    heading = next(line for line in lines if line.lstrip().startswith("Login"))
    admin = next(line for line in lines if line.startswith("  admin "))
    assert heading.index("Password") == admin.index(DEMO_PASSWORD)
    assert heading.index("Role") == admin.index(DEMO_PASSWORD) + len(DEMO_PASSWORD) + 2


@pytest.mark.django_db
def test_another_seed_on_the_same_database_is_refused_with_a_clear_message(seeded: str) -> None:
    with pytest.raises(CommandError, match="another --seed"):
        _seed("--seed", "5")


@pytest.mark.django_db
def test_firm_count_out_of_range_is_refused(seeded: str) -> None:
    with pytest.raises(CommandError, match="--firms must be between"):
        _seed("--firms", "3")


def test_every_recipe_ends_in_a_workflow_status() -> None:
    assert {status for status, _steps in RECIPES.values()} == set(Status.values)


def test_unreachable_broker_warnings_are_counted_not_printed_one_by_one() -> None:
    import logging

    from demo.management.commands.seed_demo import _UnqueuedScreening

    unqueued = _UnqueuedScreening()
    logger = logging.getLogger("sme_support.queue")

    def record(msg: str, level: int = logging.WARNING) -> logging.LogRecord:
        return logger.makeRecord(logger.name, level, __file__, 1, msg, (7,), None)

    assert unqueued.filter(record("Could not enqueue screening of application %s; the sweeper will retry.")) is False
    assert unqueued.filter(record("Something else went wrong with %s")) is True
    assert unqueued.filter(record("Could not enqueue screening of application %s", logging.ERROR)) is True
    assert unqueued.count == 1
