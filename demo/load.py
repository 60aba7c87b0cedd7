"""Write a ``DemoSpec`` to the database through the same services the portal and the officer
workspace call, so every application's history, allocation and capacity is the real thing.

Idempotent by natural key: users by username, firms by business registration number,
calls by code. A call's applications are seeded together with the call (see
``_seed_program``), so an existing call is left alone with everything in it. Run it inside
one transaction (the ``seed_demo`` command does).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.casework.services import (
    application_answer_info,
    application_override_eligibility,
    application_request_info,
    application_start_review,
)
from applications.decisions.grants import application_cancel, application_complete, application_withdraw
from applications.decisions.offers import waitlist_offer_accept
from applications.decisions.services import decision_request, decision_sign_off
from applications.decisions.waitlist import live_offer_for
from applications.eligibility.screening import application_screen
from applications.intake.services import application_create, application_submit
from applications.models import Application, OutcomeReport
from applications.outcomes import services as outcomes
from applications.transitions import apply_transition
from applications.workflow import Status
from demo.records import ADMIN_ROLE, DEMO_PASSWORD, ApplicationSpec, DemoSpec, OutcomeSpec, ProgramSpec, StepSpec
from demo.spec import OFFERED_RECIPES, STAGE_INDEX
from firms.models import Firm, FirmMembership
from firms.services.profile import export_product_add, ip_holding_add
from firms.services.registry import firm_create
from programs.models import Country, Program, ProgramOfficer
from sme_support.roles import Role


class DemoSeedError(Exception):
    """The database holds something the demo cannot build on; the message says what."""


@dataclass
class SeedResult:
    users: int = 0
    firms: int = 0
    programs: int = 0
    applications: int = 0

    @property
    def created_anything(self) -> bool:
        return bool(self.users or self.firms or self.programs or self.applications)


def seed_demo(*, spec: DemoSpec) -> SeedResult:
    result = SeedResult()
    users = _seed_users(spec, result)
    firms = _seed_firms(spec, users, result)
    for program_spec in spec.programs:
        _seed_program(program_spec, users, firms, result)
    return result


# --- Users -----------------------------------------------------------------------------------


def _seed_users(spec: DemoSpec, result: SeedResult) -> dict[str, User]:
    users: dict[str, User] = {
        u.get_username(): u for u in User.objects.filter(username__in=[s.username for s in spec.users])
    }
    groups = {role: Group.objects.get_or_create(name=role)[0] for role in Role}
    # What set_password stores, hashed once: PBKDF2 takes a good fraction of a second per
    # call, and hashing it for each of the ~60 demo users would dominate the seeding time.
    password_hash = make_password(DEMO_PASSWORD)
    for user_spec in spec.users:
        if user_spec.username in users:
            continue
        staff = user_spec.role != Role.SME_STAFF
        user = User(
            username=user_spec.username,
            email=user_spec.email,
            first_name=user_spec.first_name,
            last_name=user_spec.last_name,
            is_staff=staff,
            is_superuser=user_spec.role == ADMIN_ROLE,
            password=password_hash,
        )
        user.full_clean()
        user.save()
        if staff:
            user.groups.add(groups[Role.MANAGER if user_spec.role == ADMIN_ROLE else Role(user_spec.role)])
        # SME staff join their group through firms.services when their firm is created.
        users[user_spec.username] = user
        result.users += 1
    return users


# --- Firms -----------------------------------------------------------------------------------


def _seed_firms(spec: DemoSpec, users: Mapping[str, User], result: SeedResult) -> dict[str, Firm]:
    firms = {f.brn: f for f in Firm.objects.filter(brn__in=[s.brn for s in spec.firms])}
    countries = Country.objects.in_bulk({ip.country for s in spec.firms for ip in s.ip_holdings})
    for firm_spec in spec.firms:
        if firm_spec.brn in firms:
            continue
        owner = users[firm_spec.owner]
        other = FirmMembership.objects.filter(user=owner).select_related("firm").first()
        if other is not None:
            raise DemoSeedError(
                _(
                    "The demo user %(user)s already belongs to %(firm)s, not to the firm this seed gives them "
                    "(%(new_firm)s): the database holds demo data made with another --seed. Seed a fresh database, "
                    "or run again with the seed used before."
                )
                % {"user": firm_spec.owner, "firm": other.firm, "new_firm": firm_spec.name_en}
            )
        # firm_create derives the size class and export tier from the threshold tables.
        firm = firm_create(
            brn=firm_spec.brn,
            name_ko=firm_spec.name_ko,
            name_en=firm_spec.name_en,
            region=firm_spec.region,
            founded_on=firm_spec.founded_on,
            employees=firm_spec.employees,
            annual_revenue_krw=firm_spec.annual_revenue_krw,
            exports_last_year_usd=firm_spec.exports_last_year_usd,
            sector=firm_spec.sector,
            markets_of_interest=firm_spec.markets,
            owner=owner,
            website=firm_spec.website,
            sanctioned_until=firm_spec.sanctioned_until,
            sanction_reason=firm_spec.sanction_reason,
        )
        # The firm's own staff record what it holds and sells, as on the portal's profile page.
        for ip in firm_spec.ip_holdings:
            ip_holding_add(
                firm=firm,
                actor=owner,
                kind=ip.kind,
                country=countries[ip.country],
                registration_number=ip.registration_number,
                registered_on=ip.registered_on,
                title=ip.title,
            )
        for product in firm_spec.products:
            export_product_add(firm=firm, actor=owner, hs_code=product.hs_code, description=product.description)
        firms[firm_spec.brn] = firm
        result.firms += 1
    return firms


# --- Calls and their applications ---------------------------------------------------------------


def _seed_program(
    program_spec: ProgramSpec,
    users: Mapping[str, User],
    firms: Mapping[str, Firm],
    result: SeedResult,
) -> None:
    if Program.objects.filter(code=program_spec.code).exists():
        return
    now = timezone.now()
    # A closed call's applications were submitted while it was open, and the services refuse
    # to submit to a closed call (rightly). A command cannot travel in time, so such a call is
    # created open (its real opening, closing tomorrow), its applications are driven through
    # the workflow, and only then is its window moved to the real dates with a queryset
    # update. The history therefore carries the time of seeding, not dates inside the window.
    reopened = program_spec.closes_at <= now and bool(program_spec.applications)
    program = Program(
        code=program_spec.code,
        kind=program_spec.kind,
        title_ko=program_spec.title_ko,
        title_en=program_spec.title_en,
        description_ko=program_spec.description_ko,
        description_en=program_spec.description_en,
        fiscal_year=program_spec.fiscal_year,
        opens_at=program_spec.opens_at,
        closes_at=now + dt.timedelta(days=1) if reopened else program_spec.closes_at,
        capacity=program_spec.capacity,
        per_firm_cap=program_spec.per_firm_cap,
        selection_mode=program_spec.selection_mode,
        target_sectors=list(program_spec.target_sectors),
        co_funding_share=program_spec.co_funding_share,
        eligible_expenses=list(program_spec.eligible_expenses),
        event_name=program_spec.event_name,
        event_city=program_spec.event_city,
        event_country_id=program_spec.event_country,
        organiser=program_spec.organiser,
        event_starts_on=program_spec.event_starts_on,
        event_ends_on=program_spec.event_ends_on,
        subsidy_per_booth_krw=program_spec.subsidy_per_booth_krw,
        firm_fee_krw=program_spec.firm_fee_krw,
        buyer_matchmaking=program_spec.buyer_matchmaking,
    )
    program.full_clean()
    program.save()
    program.target_countries.set(Country.objects.filter(iso2__in=program_spec.target_countries))
    ProgramOfficer.objects.create(program=program, user=users[program_spec.lead_officer], is_lead=True)
    for username in program_spec.officers:
        ProgramOfficer.objects.create(program=program, user=users[username], is_lead=False)
    result.programs += 1

    _seed_applications(program, program_spec, users, firms, reopened=reopened)
    result.applications += len(program_spec.applications)
    if reopened:
        Program.objects.filter(pk=program.pk).update(opens_at=program_spec.opens_at, closes_at=program_spec.closes_at)


def _seed_applications(
    program: Program,
    program_spec: ProgramSpec,
    users: Mapping[str, User],
    firms: Mapping[str, Firm],
    *,
    reopened: bool,
) -> None:
    """Advance the call's applications stage by stage (see ``demo.spec.STAGES``): every
    first-round approval before any cancellation, every cancellation before the waiting
    list moves up, as an officer working the call would. Within a stage they go in the
    spec's order, which in a first come, first served call is the order screening decides
    them in (see ``demo.spec._plan_fcfs``)."""
    applications: dict[int, Application] = {}
    work = sorted(
        (
            (STAGE_INDEX[step.action], n, step)
            for n, spec in enumerate(program_spec.applications)
            for step in spec.steps
        ),
        key=lambda item: (item[0], item[1]),
    )
    officer = users[program_spec.acting_officer]
    manager = next(user for user in users.values() if user.groups.filter(name=Role.MANAGER).exists())
    for stage, n, step in work:
        if reopened and stage >= STAGE_INDEX["approve"] and program.closes_at != program_spec.closes_at:
            # Every submission is in: the call closes at its real date before anything is decided,
            # as the decision rules expect (a ranked call is decided once it has closed).
            Program.objects.filter(pk=program.pk).update(closes_at=program_spec.closes_at)
            program.refresh_from_db()
        spec = program_spec.applications[n]
        applications[n] = _perform(
            step,
            application=applications.get(n),
            spec=spec,
            program=program,
            firm=firms[spec.firm_brn],
            applicant=users[spec.applicant],
            officer=officer,
            manager=manager,
        )
    for n, spec in enumerate(program_spec.applications):
        application = applications[n]
        application.refresh_from_db(fields=["status"])
        if application.status != spec.expected_status:
            raise DemoSeedError(
                f"{program.code}: the application of {spec.firm_brn} ended “{application.status}”, not "
                f"“{spec.expected_status}” as the {spec.recipe!r} recipe plans; the workflow rules and the demo "
                f"recipes disagree."
            )
        if (spec.recipe in OFFERED_RECIPES) != (live_offer_for(application) is not None):
            raise DemoSeedError(
                f"{program.code}: the application of {spec.firm_brn} "
                f"{'holds no' if spec.recipe in OFFERED_RECIPES else 'holds a'} live waitlist offer, unlike what "
                f"the {spec.recipe!r} recipe plans; the waitlist rules and the demo recipes disagree."
            )


def _perform(
    step: StepSpec,
    *,
    application: Application | None,
    spec: ApplicationSpec,
    program: Program,
    firm: Firm,
    applicant: User,
    officer: User,
    manager: User,
) -> Application:
    if step.action == "create":
        return application_create(
            program=program, firm=firm, actor=applicant, requested_units=spec.requested_units, answers=spec.answers
        )
    assert application is not None, "a step other than create needs the application"
    match step.action:
        case "submit":
            application_submit(application=application, actor=applicant)
        case "start_screening":
            _start_screening(application)
        case "screen":
            application_screen(application_id=application.pk)
            application.refresh_from_db()
        case "override":
            application_override_eligibility(application=application, actor=officer, justification=step.note)
        case "review":
            application_start_review(application=application, actor=officer, note=step.note)
        case "request_info":
            application_request_info(application=application, actor=officer, message=step.note)
        case "answer_info":
            application_answer_info(application=application, actor=applicant, answer=step.note)
        case "approve" | "promote":
            assert step.units is not None
            outcome = decision_request(
                application=application, actor=officer, decision="approve", units=step.units, reason=step.note
            )
            if outcome.sign_off is not None and not outcome.applied:
                # Above the sign-off threshold: the manager signs it off, as they would on the dashboard.
                decision_sign_off(sign_off=outcome.sign_off, actor=manager, approve=True)
            application.refresh_from_db()
        case "waitlist":
            decision_request(application=application, actor=officer, decision="waitlist", reason=step.note)
        case "reject" | "close_out":
            # A close-out is the officer rejecting what is left on the waiting list once the call's
            # support period has ended.
            decision_request(application=application, actor=officer, decision="reject", reason=step.note)
        case "accept_offer":
            offer = live_offer_for(application)
            if offer is None:
                raise DemoSeedError(
                    f"{program.code}: the application of {spec.firm_brn} was to accept an offered place, but no "
                    f"place was offered to it; the waitlist rules and the demo recipes disagree."
                )
            waitlist_offer_accept(offer=offer, actor=applicant)
            application.refresh_from_db()
        case "withdraw":
            application_withdraw(application=application, actor=applicant, note=step.note)
        case "cancel":
            application_cancel(application=application, actor=officer, reason=step.note)
        case "outcome":
            assert step.outcome is not None
            _outcome_report(application, step.outcome, applicant, officer)
        case "complete":
            application.refresh_from_db()
            # A trade show or a delegation completed when its outcome report was accepted.
            if application.status != Status.COMPLETED:
                application_complete(application=application, actor=officer, note=step.note)
        case _:
            raise DemoSeedError(f"Unknown demo step {step.action!r}.")
    return application


@transaction.atomic
def _start_screening(application: Application) -> None:
    """Leave an application mid-check, as a worker holds it while it evaluates the rules.

    ``application_screen`` runs the check and its verdict in one transaction, so only the
    workflow's own transition function can stop half-way; the worker finishes the check
    when the demo runs (screening resumes from ``screening``).
    """
    locked = Application.objects.select_for_update().select_related("program").get(pk=application.pk)
    apply_transition(application=locked, name="start_screening", actor=None)
    application.refresh_from_db()


def _outcome_report(application: Application, outcome: OutcomeSpec, applicant: User, officer: User) -> OutcomeReport:
    """The firm files its report through applications.outcomes.services (as the portal does); an
    accepted one is then signed off by the program's officer."""
    draft = outcome.status == OutcomeReport.ReportStatus.DRAFT
    write = outcomes.outcome_report_save_draft if draft else outcomes.outcome_report_submit
    report = write(
        application=application,
        actor=applicant,
        buyer_meetings=outcome.buyer_meetings,
        consultation_usd=outcome.consultation_usd,
        contracts_usd=outcome.contracts_usd,
        ip_filed=outcome.ip_filed,
        new_countries=outcome.new_countries,
        narrative=outcome.narrative,
    )
    if outcome.status == OutcomeReport.ReportStatus.ACCEPTED:
        # Accepting completes the application and opens its 6- and 12-month follow-ups.
        report = outcomes.outcome_report_accept(report=report, actor=officer, note=outcome.officer_note)
    return report
