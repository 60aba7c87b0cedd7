"""Build the demo data set from a seed: who, which firms, which calls, which applications.

Pure: no database, no clock. Every random choice comes from one ``random.Random(seed)``
drawn in a fixed order, so the same seed, firm count and day give an equal ``DemoSpec``.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Any

from applications.models import OutcomeReport
from applications.workflow import Status
from demo import words
from demo.catalogue import (
    NON_SME_DESIGN_FIRM,
    NON_SME_GAMES_FIRM,
    SANCTIONED_FIRM,
    SHOWCASE_DESIGN_FIRM,
    SHOWCASE_FIRM,
    CatalogueEntry,
    catalogue,
)
from demo.records import (
    ADMIN_ROLE,
    ApplicationSpec,
    DemoSpec,
    FirmSpec,
    IPSpec,
    OutcomeSpec,
    ProductSpec,
    ProgramSpec,
    StepSpec,
    UserSpec,
)
from firms.models import ExportTier, IPHolding, Region, Sector, SizeClass
from firms.validators import brn_check_digit
from programs.models import OUTCOME_REPORTING_KINDS, ProgramKind, SelectionMode
from sme_support.roles import Role

DEFAULT_SEED = 2026
DEFAULT_FIRM_COUNT = 60
# Below this the calls cannot all find applicants and some workflow states would be missing.
MIN_FIRM_COUNT = 30
# Above this seeding stops being quick; bench/generate.py makes agency-scale data.
MAX_FIRM_COUNT = 500

MARKETS = ("VN", "ID", "TH", "US", "JP", "FR", "DE", "AE", "MX", "BR", "IN", "PH", "MY", "SA", "KZ")

# --- Applications: the paths through the workflow ------------------------------------------

# The order a call's actions run in: every application's steps are in this order, and a
# call's applications advance stage by stage, so all first-round approvals happen before
# cancellations free units and the waiting list moves up.
STAGES = (
    "create",
    "submit",
    "start_screening",
    "screen",
    "override",
    "review",
    "request_info",
    "answer_info",
    "approve",
    "waitlist",
    "reject",
    "withdraw",
    "cancel",
    "promote",
    "accept_offer",
    "close_out",
    "outcome",
    "complete",
)
STAGE_INDEX = {name: i for i, name in enumerate(STAGES)}

_SUBMITTED = ("create", "submit")
_SCREENED = (*_SUBMITTED, "screen")
_REVIEWED = (*_SCREENED, "review")
_APPROVED = (*_REVIEWED, "approve")

# recipe → (final status, actions). Calls ranked after they close go through an officer's
# review; first come, first served calls are decided by the system the moment screening
# finds an application eligible (applications.decisions.fcfs.fcfs_on_eligible), so their
# ``fcfs_*`` recipes have no review step: whether screening approves or waitlists them
# follows from the order they are screened in and the capacity (see ``_plan_fcfs``).
RECIPES: dict[str, tuple[str, tuple[str, ...]]] = {
    "draft": (Status.DRAFT, ("create",)),
    "withdrawn_draft": (Status.WITHDRAWN, ("create", "withdraw")),
    "submitted": (Status.SUBMITTED, _SUBMITTED),
    "screening": (Status.SCREENING, (*_SUBMITTED, "start_screening")),
    "eligible": (Status.ELIGIBLE, _SCREENED),
    "ineligible": (Status.INELIGIBLE, _SCREENED),
    "withdrawn": (Status.WITHDRAWN, (*_SCREENED, "withdraw")),
    "under_review": (Status.UNDER_REVIEW, _REVIEWED),
    "under_review_answered": (Status.UNDER_REVIEW, (*_REVIEWED, "request_info", "answer_info")),
    "info_requested": (Status.INFO_REQUESTED, (*_REVIEWED, "request_info")),
    "approved": (Status.APPROVED, _APPROVED),
    "override_approved": (Status.APPROVED, (*_SCREENED, "override", "review", "approve")),
    "waitlisted": (Status.WAITLISTED, (*_REVIEWED, "waitlist")),
    "promoted": (Status.APPROVED, (*_REVIEWED, "waitlist", "promote")),
    "closed_out": (Status.REJECTED, (*_REVIEWED, "waitlist", "close_out")),
    "rejected": (Status.REJECTED, (*_REVIEWED, "reject")),
    "withdrawn_approved": (Status.WITHDRAWN, (*_APPROVED, "withdraw")),
    "cancelled": (Status.CANCELLED, (*_APPROVED, "cancel")),
    "reported": (Status.APPROVED, (*_APPROVED, "outcome")),
    "completed": (Status.COMPLETED, (*_APPROVED, "outcome", "complete")),
    "fcfs_approved": (Status.APPROVED, _SCREENED),
    "fcfs_withdrawn_approved": (Status.WITHDRAWN, (*_SCREENED, "withdraw")),
    "fcfs_reported": (Status.APPROVED, (*_SCREENED, "outcome")),
    "fcfs_completed": (Status.COMPLETED, (*_SCREENED, "outcome", "complete")),
    "fcfs_waitlisted": (Status.WAITLISTED, _SCREENED),
    # Waitlisted, then offered a place another firm gave up (applications.decisions.waitlist).
    "fcfs_offered": (Status.WAITLISTED, _SCREENED),
    "fcfs_accepted": (Status.APPROVED, (*_SCREENED, "accept_offer")),
    "fcfs_closed_out": (Status.REJECTED, (*_SCREENED, "close_out")),
}
# Recipes whose firm must fail screening (the rest need a firm that passes it).
_UNFIT_RECIPES = {"ineligible", "override_approved"}
_RELEASES = {"withdrawn_approved", "cancelled"}
# Recipes no decision touches: the same in either kind of call.
_UNDECIDED = {"draft", "withdrawn_draft", "submitted", "screening", "ineligible"}
# First come, first served: approved by screening while capacity lasts ...
_FCFS_FIRST_IN = ("fcfs_approved", "fcfs_withdrawn_approved", "fcfs_reported", "fcfs_completed")
# ... and waitlisted once it is used up, in this order of the waitlist.
_FCFS_QUEUE = ("fcfs_offered", "fcfs_accepted", "fcfs_waitlisted", "fcfs_closed_out")
FCFS_RECIPES = frozenset({*_UNDECIDED, *_FCFS_FIRST_IN, *_FCFS_QUEUE})
RANKED_RECIPES = frozenset(RECIPES) - {*_FCFS_FIRST_IN, *_FCFS_QUEUE}
# Applications left holding a live offer of a freed place, for the firm to answer.
OFFERED_RECIPES = frozenset({"fcfs_offered"})

# --- Firms -----------------------------------------------------------------------------------

# Demo weights lean toward the sectors the demo's calls target, so each call finds applicants.
SECTOR_WEIGHTS = {
    Sector.GAMES: 8, Sector.DESIGN: 12, Sector.ICT_SERVICES: 4, Sector.CONTENT_SOLUTIONS: 4, Sector.MUSIC: 5,
    Sector.BROADCASTING: 5, Sector.FILM: 4, Sector.ANIMATION: 7, Sector.CHARACTER: 7, Sector.PUBLISHING: 4,
    Sector.COMICS: 6, Sector.ADVERTISING: 5, Sector.ARCHITECTURE: 4, Sector.KNOWLEDGE_INFORMATION: 3,
    Sector.RND_SERVICES: 2,
}  # fmt: skip
REGION_WEIGHTS = {
    Region.SEOUL: 40, Region.GYEONGGI: 18, Region.BUSAN: 6, Region.INCHEON: 4, Region.DAEGU: 3, Region.DAEJEON: 3,
    Region.GWANGJU: 3, Region.ULSAN: 1, Region.SEJONG: 1, Region.GANGWON: 2, Region.CHUNGBUK: 2,
    Region.CHUNGNAM: 2, Region.JEONBUK: 2, Region.JEONNAM: 1, Region.GYEONGBUK: 2, Region.GYEONGNAM: 2,
    Region.JEJU: 2,
}  # fmt: skip
SIZE_WEIGHTS = {SizeClass.MICRO: 36, SizeClass.SMALL: 44, SizeClass.MEDIUM: 17, SizeClass.NON_SME: 3}
TIER_WEIGHTS_BY_SIZE = {
    SizeClass.MICRO: {ExportTier.DOMESTIC: 40, ExportTier.STARTER: 45, ExportTier.PROMISING: 15},
    SizeClass.SMALL: {ExportTier.DOMESTIC: 20, ExportTier.STARTER: 35, ExportTier.PROMISING: 35, ExportTier.GROWING: 10},
    SizeClass.MEDIUM: {ExportTier.STARTER: 10, ExportTier.PROMISING: 35, ExportTier.GROWING: 40, ExportTier.GLOBAL: 15},
    SizeClass.NON_SME: {ExportTier.GROWING: 40, ExportTier.GLOBAL: 60},
}  # fmt: skip
# Every size class and export tier appears at least once, whatever the seed.
SIZE_TIER_COVERAGE = (
    (SizeClass.MICRO, ExportTier.DOMESTIC),
    (SizeClass.MICRO, ExportTier.STARTER),
    (SizeClass.SMALL, ExportTier.PROMISING),
    (SizeClass.SMALL, ExportTier.GROWING),
    (SizeClass.MEDIUM, ExportTier.GLOBAL),
    (SizeClass.MEDIUM, ExportTier.GROWING),
    (SizeClass.SMALL, ExportTier.STARTER),
    (SizeClass.MEDIUM, ExportTier.PROMISING),
)
# The firms the story needs: (sector, size class, export tier, region).
SPECIAL_FIRMS = {
    SHOWCASE_FIRM: (Sector.ANIMATION, SizeClass.SMALL, ExportTier.PROMISING, Region.SEOUL),
    SHOWCASE_DESIGN_FIRM: (Sector.DESIGN, SizeClass.MICRO, ExportTier.STARTER, Region.BUSAN),
    NON_SME_DESIGN_FIRM: (Sector.DESIGN, SizeClass.NON_SME, ExportTier.GLOBAL, Region.GYEONGGI),
    NON_SME_GAMES_FIRM: (Sector.GAMES, SizeClass.NON_SME, ExportTier.GROWING, Region.GYEONGGI),
    SANCTIONED_FIRM: (Sector.ARCHITECTURE, SizeClass.SMALL, ExportTier.DOMESTIC, Region.DAEGU),
}
SPECIAL_MARKETS = {SHOWCASE_FIRM: ("VN", "ID", "TH", "US"), SHOWCASE_DESIGN_FIRM: ("FR", "DE", "JP", "MX")}

# Framework Act on SMEs limits by industry (see firms/migrations/0002_reference_data.py):
# professional services (M) are smaller than information and communication (J).
_M_SECTORS = {Sector.ADVERTISING, Sector.DESIGN, Sector.ARCHITECTURE, Sector.RND_SERVICES}
BN = 1_000_000_000
_EXPORTS_BY_TIER: dict[str, tuple[int, int]] = {
    ExportTier.DOMESTIC: (0, 0),
    ExportTier.STARTER: (5_000, 95_000),
    ExportTier.PROMISING: (120_000, 950_000),
    ExportTier.GROWING: (1_100_000, 4_800_000),
    ExportTier.GLOBAL: (5_500_000, 45_000_000),
}
_FOUNDED_BY_SIZE: dict[str, tuple[int, int]] = {
    SizeClass.MICRO: (2016, 2023),
    SizeClass.SMALL: (2008, 2021),
    SizeClass.MEDIUM: (1997, 2014),
    SizeClass.NON_SME: (1985, 2003),
}
_IP_SECOND_KIND: dict[str, str] = {
    Sector.DESIGN: IPHolding.Kind.DESIGN,
    Sector.CHARACTER: IPHolding.Kind.DESIGN,
    Sector.ARCHITECTURE: IPHolding.Kind.DESIGN,
    Sector.GAMES: IPHolding.Kind.PATENT,
    Sector.ICT_SERVICES: IPHolding.Kind.PATENT,
    Sector.RND_SERVICES: IPHolding.Kind.PATENT,
    Sector.CONTENT_SOLUTIONS: IPHolding.Kind.PATENT,
    Sector.KNOWLEDGE_INFORMATION: IPHolding.Kind.PATENT,
}
_KR_IP_PREFIX: dict[str, str] = {
    IPHolding.Kind.PATENT: "10",
    IPHolding.Kind.TRADEMARK: "40",
    IPHolding.Kind.DESIGN: "30",
}
STAFF_USERS = (
    UserSpec("admin", ADMIN_ROLE, "Demo", "Admin"),
    UserSpec("manager", Role.MANAGER, "Jiyoung", "Kim"),
    UserSpec("officer1", Role.OFFICER, "Seojun", "Lee"),
    UserSpec("officer2", Role.OFFICER, "Minji", "Park"),
)


def sme_username(firm_index: int) -> str:
    return f"sme{firm_index + 1}"


def build_spec(*, seed: int, firm_count: int, today: dt.date, tz: dt.tzinfo) -> DemoSpec:
    """The whole demo data set for ``seed``, with windows and events placed around ``today``."""
    if not MIN_FIRM_COUNT <= firm_count <= MAX_FIRM_COUNT:
        raise ValueError(f"The demo needs {MIN_FIRM_COUNT} to {MAX_FIRM_COUNT} firms, got {firm_count}.")
    rng = random.Random(seed)  # noqa: S311 -- demo data: reproducible on purpose, not secret
    firms = _firms(rng, firm_count, today)
    users = STAFF_USERS + tuple(_sme_user(rng, i) for i in range(firm_count))
    programs = tuple(_plan_program(rng, entry, firms, today) for entry in catalogue(today=today, tz=tz))
    return DemoSpec(seed=seed, users=users, firms=tuple(firms), programs=programs)


# --- Users -----------------------------------------------------------------------------------


def _sme_user(rng: random.Random, firm_index: int) -> UserSpec:
    _, surname = rng.choice(words.SURNAMES)
    _, given = rng.choice(words.GIVEN_NAMES)
    return UserSpec(sme_username(firm_index), Role.SME_STAFF, given, surname)


# --- Firms -----------------------------------------------------------------------------------


def _weighted(rng: random.Random, weights: dict[Any, int]) -> Any:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _covering(rng: random.Random, every: Sequence[Any], weights: dict[Any, int], count: int) -> list[Any]:
    """``count`` values containing each of ``every`` (while count allows), the rest by weight, shuffled."""
    values = list(every)[:count]
    values += [_weighted(rng, weights) for _ in range(count - len(values))]
    rng.shuffle(values)
    return values


def _firms(rng: random.Random, count: int, today: dt.date) -> list[FirmSpec]:
    rest = count - len(SPECIAL_FIRMS)
    sectors = _covering(rng, list(Sector), SECTOR_WEIGHTS, rest)
    regions = _covering(rng, list(Region), REGION_WEIGHTS, rest)
    sizes_tiers = list(SIZE_TIER_COVERAGE)[:rest]
    while len(sizes_tiers) < rest:
        size = _weighted(rng, SIZE_WEIGHTS)
        sizes_tiers.append((size, _weighted(rng, TIER_WEIGHTS_BY_SIZE[size])))
    rng.shuffle(sizes_tiers)

    profiles = [SPECIAL_FIRMS[i] for i in sorted(SPECIAL_FIRMS)]
    profiles += [(sectors[i], sizes_tiers[i][0], sizes_tiers[i][1], regions[i]) for i in range(rest)]
    used_names: set[str] = set()
    used_brns: set[str] = set()
    firms = []
    for index, (sector, size, tier, region) in enumerate(profiles):
        firms.append(_firm(rng, index, sector, size, tier, region, today, used_names, used_brns))
    return firms


def _firm(
    rng: random.Random,
    index: int,
    sector: str,
    size: str,
    tier: str,
    region: str,
    today: dt.date,
    used_names: set[str],
    used_brns: set[str],
) -> FirmSpec:
    _stem_ko, stem_en, name_ko, name_en, corporate = _name(rng, sector, size, used_names)
    small_limit, medium_limit = (3 * BN, 60 * BN) if sector in _M_SECTORS else (5 * BN, 80 * BN)
    size_ranges: dict[str, Callable[[], tuple[int, float]]] = {
        SizeClass.MICRO: lambda: (rng.randint(1, 4), rng.uniform(0.08 * BN, 0.5 * small_limit)),
        SizeClass.SMALL: lambda: (rng.randint(5, 45), rng.uniform(0.3 * BN, 0.9 * small_limit)),
        SizeClass.MEDIUM: lambda: (rng.randint(40, 260), rng.uniform(1.3 * small_limit, 0.5 * medium_limit)),
        SizeClass.NON_SME: lambda: (rng.randint(300, 1400), rng.uniform(1.3 * medium_limit, 3 * medium_limit)),
    }
    employees, revenue = size_ranges[size]()
    low, high = _EXPORTS_BY_TIER[tier]
    exports = round(rng.randint(low, high), -3)
    first_year, last_year = _FOUNDED_BY_SIZE[size]
    founded_on = dt.date(rng.randint(first_year, last_year), rng.randint(1, 12), rng.randint(1, 28))
    markets = SPECIAL_MARKETS.get(index) or tuple(rng.sample(MARKETS, rng.randint(1, 4)))
    slug = re.sub(r"[^a-z0-9]", "", f"{stem_en}{_suffix_en(name_en, stem_en)}".lower())
    website = f"https://{slug}.example.com" if corporate and rng.random() < 0.7 else ""
    sanctioned_until = today + dt.timedelta(days=rng.randint(120, 300)) if index == SANCTIONED_FIRM else None
    sanction_reason = (
        "이전 지원사업 협약 위반(정산 서류 허위 제출)으로 참여 제한 / Barred after breaching a previous support "
        "agreement (false settlement documents)"
        if sanctioned_until
        else ""
    )
    has_ip = index in SPECIAL_MARKETS or index == NON_SME_DESIGN_FIRM or rng.random() < 0.35
    ip_holdings = _ip_holdings(rng, sector, stem_en, markets, founded_on, today) if has_ip else ()
    products: tuple[ProductSpec, ...] = ()
    if exports > 0 and rng.random() < 0.75:
        choices = words.SECTOR_PRODUCTS[sector]
        picked = rng.sample(choices, min(len(choices), rng.randint(1, 2)))
        products = tuple(ProductSpec(hs, description) for hs, description in picked)
    return FirmSpec(
        brn=_brn(rng, corporate, used_brns),
        name_ko=name_ko,
        name_en=name_en,
        region=region,
        sector=sector,
        founded_on=founded_on,
        employees=employees,
        annual_revenue_krw=int(round(revenue, -6)),
        exports_last_year_usd=exports,
        markets=markets,
        website=website,
        owner=sme_username(index),
        intended_size_class=size,
        sanctioned_until=sanctioned_until,
        sanction_reason=sanction_reason,
        ip_holdings=ip_holdings,
        products=products,
    )


def _suffix_en(name_en: str, stem_en: str) -> str:
    return name_en.removeprefix(stem_en).split(" Co.,")[0].split(" Inc.")[0]


def _name(rng: random.Random, sector: str, size: str, used: set[str]) -> tuple[str, str, str, str, bool]:
    """A unique Korean and English name, e.g. ``주식회사 한빛디자인`` / ``Hanbit Design Co., Ltd.``."""
    for attempt in range(1_000):
        stem_ko, stem_en = rng.choice(words.NAME_STEMS)
        suffix_ko, suffix_en = rng.choice(words.SECTOR_SUFFIXES[sector])
        base_ko, base_en = f"{stem_ko}{suffix_ko}", f"{stem_en} {suffix_en}"
        # A sector has ~150 stem × suffix names; past them (hundreds of firms) number the stem.
        if attempt >= 50:
            base_ko, base_en = f"{stem_ko}{attempt}{suffix_ko}", f"{stem_en}{attempt} {suffix_en}"
        if base_ko not in used:
            used.add(base_ko)
            break
    else:
        raise ValueError(f"Ran out of demo names for the {sector} sector.")
    # Medium and large firms are companies; small ones are often sole proprietorships.
    form = rng.random()
    if size in (SizeClass.MEDIUM, SizeClass.NON_SME) or form < 0.5:
        return stem_ko, stem_en, f"주식회사 {base_ko}", f"{base_en} Co., Ltd.", True
    if form < 0.7:
        return stem_ko, stem_en, f"(주){base_ko}", f"{base_en} Inc.", True
    return stem_ko, stem_en, base_ko, base_en, False


def _brn(rng: random.Random, corporate: bool, used: set[str]) -> str:
    """Tax office (3 digits), kind (81/86/87 companies, 10–59 sole proprietors), serial, check digit."""
    while True:
        office = rng.randint(101, 899)
        kind = rng.choice((81, 86, 87)) if corporate else rng.randint(10, 59)
        first_nine = f"{office:03d}{kind:02d}{rng.randint(0, 9999):04d}"
        brn = first_nine + str(brn_check_digit(first_nine))
        if brn not in used:
            used.add(brn)
            return brn


def _ip_holdings(
    rng: random.Random, sector: str, stem_en: str, markets: Sequence[str], founded_on: dt.date, today: dt.date
) -> tuple[IPSpec, ...]:
    kinds: list[str] = [IPHolding.Kind.TRADEMARK]
    if rng.random() < 0.6:
        kinds.append(_IP_SECOND_KIND.get(sector, IPHolding.Kind.COPYRIGHT))
    holdings = []
    for n, kind in enumerate(kinds):
        country = "KR" if n == 0 else rng.choice(["KR", *markets])
        start = max(founded_on, dt.date(2005, 1, 1))
        registered_on = start + dt.timedelta(days=rng.randint(60, max(61, (today - start).days - 30)))
        year = registered_on.year
        if country == "KR" and kind == IPHolding.Kind.COPYRIGHT:
            number = f"C-{year}-{rng.randint(1, 999_999):06d}"
        elif country == "KR":
            number = f"{_KR_IP_PREFIX[kind]}-{year}-{rng.randint(1, 9_999_999):07d}"
        else:
            number = f"{country}-{year}-{rng.randint(1, 999_999):06d}"
        title = (
            f"{stem_en.upper()} (word mark)"
            if kind == IPHolding.Kind.TRADEMARK
            else rng.choice(words.SECTOR_WORKS[sector])
        )
        holdings.append(IPSpec(kind, country, number, registered_on, title))
    return tuple(holdings)


# --- Applications ------------------------------------------------------------------------------


def _fits(firm: FirmSpec, program: ProgramSpec) -> bool:
    """Would the baseline eligibility rules pass this firm for this call?"""
    return (
        firm.intended_size_class != SizeClass.NON_SME
        and firm.sanctioned_until is None
        and (not program.target_sectors or firm.sector in program.target_sectors)
    )


def _plan_program(rng: random.Random, entry: CatalogueEntry, firms: Sequence[FirmSpec], today: dt.date) -> ProgramSpec:
    program = entry.program
    fcfs = program.selection_mode == SelectionMode.FCFS
    misplaced = sorted({recipe for recipe, _ in entry.slots} - (FCFS_RECIPES if fcfs else RANKED_RECIPES))
    if misplaced:
        raise ValueError(f"{program.code}: the recipes {misplaced} do not fit a {program.selection_mode} call.")
    if fcfs and not entry.capacity_from_plan:
        raise ValueError(f"{program.code}: a first come, first served call takes its capacity from the plan.")
    fit = [i for i, f in enumerate(firms) if _fits(f, program) and i not in SPECIAL_FIRMS]
    unfit = [i for i, f in enumerate(firms) if not _fits(f, program) and i not in SPECIAL_FIRMS]
    # Prefer SMEs outside the call's sectors: the likeliest real mistake.
    unfit.sort(key=lambda i: firms[i].intended_size_class == SizeClass.NON_SME)
    rng.shuffle(fit)
    pools = {True: fit, False: unfit}
    chosen: list[tuple[str, int]] = []
    for recipe, pinned in entry.slots:
        if pinned is not None:
            chosen.append((recipe, pinned))
            continue
        pool = pools[recipe not in _UNFIT_RECIPES]
        if pool:
            chosen.append((recipe, pool.pop(0)))

    requested = [_requested_units(rng, program) for _ in chosen]
    if fcfs:
        capacity = _plan_fcfs(program, chosen, requested, today=today)
        applications = tuple(
            _application(rng, program, firms[firm_index], recipe, requested[n], 0)
            for n, (recipe, firm_index) in enumerate(chosen)
        )
        return replace(program, capacity=capacity, applications=applications)
    approved = _approved_units(rng, program, chosen, requested)
    capacity = program.capacity
    if entry.capacity_from_plan:
        first_round = sum(units for (recipe, _), units in zip(chosen, approved, strict=True) if recipe != "promoted")
        step = 10_000_000 if program.kind == ProgramKind.EXPORT_FUNDING else 1
        capacity = max(-(-first_round // step) * step, program.per_firm_cap)
    approved = _promote_within(program, chosen, requested, approved, capacity)
    applications = tuple(
        _application(rng, program, firms[firm_index], recipe, requested[n], approved[n])
        for n, (recipe, firm_index) in enumerate(chosen)
    )
    return replace(program, capacity=capacity, applications=applications)


def _requested_units(rng: random.Random, program: ProgramSpec) -> int:
    if program.kind == ProgramKind.EXPORT_FUNDING:
        # At least 20 million: a waiting-list request must not fit into the rounding left over.
        return rng.randint(20, program.per_firm_cap // 1_000_000) * 1_000_000
    return rng.randint(1, program.per_firm_cap)


def _approved_units(
    rng: random.Random, program: ProgramSpec, chosen: Sequence[tuple[str, int]], requested: Sequence[int]
) -> list[int]:
    """First-round grants: officers often trim an export-funding request by a fifth."""
    out = []
    for (recipe, _), units in zip(chosen, requested, strict=True):
        if "approve" not in RECIPES[recipe][1]:
            out.append(0)
        elif program.kind == ProgramKind.EXPORT_FUNDING and rng.random() < 0.3:
            out.append(int(round(units * 0.8, -6)))
        else:
            out.append(units)
    return out


def _promote_within(
    program: ProgramSpec,
    chosen: list[tuple[str, int]],
    requested: list[int],
    approved: list[int],
    capacity: int,
) -> list[int]:
    """Replay the pool the way the call's stages run, and grant each promotion what is left.

    1. First-round approvals take their units (they must fit: the catalogue is sized so).
    2. Withdrawals and cancellations of approved applications give theirs back.
    3. Waiting-list promotions take ``min(requested, left)``; with nothing left, the
       application stays on the waiting list (``chosen`` is updated).
    4. Whoever stays on the waiting list asks for more than is left (raised in ``requested``
       if need be), or an officer would have promoted them too.
    """
    pool = capacity - sum(u for (recipe, _), u in zip(chosen, approved, strict=True) if recipe != "promoted")
    if pool < 0:
        raise ValueError(f"{program.code}: the planned approvals exceed the capacity of {capacity}.")
    pool += sum(u for (recipe, _), u in zip(chosen, approved, strict=True) if recipe in _RELEASES)
    out = list(approved)
    for n, (recipe, firm_index) in enumerate(chosen):
        if recipe == "promoted":
            if pool < 1:  # an earlier promotion took what was freed: this one keeps waiting
                chosen[n] = ("waitlisted", firm_index)
                continue
            out[n] = min(requested[n], pool)
            pool -= out[n]
    unit = 1_000_000 if program.kind == ProgramKind.EXPORT_FUNDING else 1
    for n, (recipe, _) in enumerate(chosen):
        if recipe == "waitlisted" and requested[n] <= pool:
            requested[n] = min(program.per_firm_cap, pool + unit)
    return out


def _plan_fcfs(program: ProgramSpec, chosen: list[tuple[str, int]], requested: list[int], *, today: dt.date) -> int:
    """Arrange a first come, first served call so the system decides it as its recipes say,
    and return the capacity that makes it so. ``chosen`` and ``requested`` change in place.

    1. Screening runs in the order of ``chosen`` (see ``demo.load``), and it approves while
       the capacity lasts: the applications to approve go first, then the waitlist in its
       order (the places to be offered ahead of the rest).
    2. The capacity is exactly what those approvals ask for, so everyone after them waits.
    3. While the waitlist is active (``applications.decisions.waitlist.waitlist_is_active``: until the
       event begins), a withdrawn approval's units are offered at once to the first in line
       whose request fits. So each withdrawal asks for exactly what the next planned
       recipient asks for: that recipient gets the offer and nothing is left over for the
       rest of the waitlist. A recipient with no withdrawal to free its place just waits; a
       withdrawal with no recipient stays approved.
    """
    queue_position = {recipe: i + 1 for i, recipe in enumerate(_FCFS_QUEUE)}
    order = sorted(range(len(chosen)), key=lambda n: queue_position.get(chosen[n][0], 0))
    chosen[:] = [chosen[n] for n in order]
    requested[:] = [requested[n] for n in order]
    recipients = [n for n, (recipe, _) in enumerate(chosen) if recipe in ("fcfs_offered", "fcfs_accepted")]
    releases = [n for n, (recipe, _) in enumerate(chosen) if recipe == "fcfs_withdrawn_approved"]
    if program.event_starts_on is None or today < program.event_starts_on:
        for release, recipient in zip(releases, recipients, strict=False):
            requested[release] = requested[recipient]
        for n in recipients[len(releases) :]:
            chosen[n] = ("fcfs_waitlisted", chosen[n][1])
        for n in releases[len(recipients) :]:
            chosen[n] = ("fcfs_approved", chosen[n][1])
    elif recipients:
        raise ValueError(f"{program.code}: the event has begun, so no freed place can be offered any more.")
    capacity = sum(requested[n] for n, (recipe, _) in enumerate(chosen) if recipe in _FCFS_FIRST_IN)
    if capacity < program.per_firm_cap:
        raise ValueError(f"{program.code}: the planned approvals use {capacity}, less than the per-firm cap.")
    return capacity


def _application(
    rng: random.Random, program: ProgramSpec, firm: FirmSpec, recipe: str, requested: int, approved: int
) -> ApplicationSpec:
    status, actions = RECIPES[recipe]
    if program.kind not in OUTCOME_REPORTING_KINDS:
        # Export funding ends in a settlement, not an event: there is no outcome report.
        actions = tuple(a for a in actions if a != "outcome")
    steps = tuple(_step(rng, program, action, approved, accepted=status == Status.COMPLETED) for action in actions)
    return ApplicationSpec(
        program_code=program.code,
        firm_brn=firm.brn,
        applicant=firm.owner,
        requested_units=requested,
        answers=_answers(rng, program, firm),
        recipe=recipe,
        expected_status=status,
        steps=steps,
    )


def _answers(rng: random.Random, program: ProgramSpec, firm: FirmSpec) -> dict[str, Any]:
    shared = [c for c in program.target_countries if c in firm.markets]
    answers: dict[str, Any] = {
        "export_plan": rng.choice(words.EXPORT_PLANS),
        "target_markets": shared or [program.target_countries[0]],
    }
    if program.eligible_expenses:
        answers["expense_categories"] = sorted(rng.sample(program.eligible_expenses, 2))
    return answers


def _step(rng: random.Random, program: ProgramSpec, action: str, approved: int, *, accepted: bool) -> StepSpec:
    notes: dict[str, Iterable[str]] = {
        "review": words.REVIEW_NOTES,
        "request_info": words.INFO_REQUESTS,
        "answer_info": words.INFO_ANSWERS,
        "approve": words.APPROVAL_REASONS,
        "promote": words.APPROVAL_REASONS,
        "waitlist": words.WAITLIST_REASONS,
        "reject": words.REJECT_REASONS,
        "close_out": words.CLOSE_OUT_REASONS,
        "withdraw": words.WITHDRAW_NOTES,
        "cancel": words.CANCEL_REASONS,
        "override": words.OVERRIDE_REASONS,
        "complete": words.COMPLETE_NOTES,
    }
    note = rng.choice(tuple(notes[action])) if action in notes else ""
    if action in ("approve", "promote"):
        return StepSpec(action, units=approved, note=note)
    if action == "outcome":
        return StepSpec(action, outcome=_outcome(rng, program, accepted=accepted))
    return StepSpec(action, note=note)


def _outcome(rng: random.Random, program: ProgramSpec, *, accepted: bool) -> OutcomeSpec:
    """Completed applications had their report accepted; approved ones have it submitted or in draft."""
    status = rng.choice((OutcomeReport.ReportStatus.SUBMITTED, OutcomeReport.ReportStatus.DRAFT))
    if accepted:
        status = OutcomeReport.ReportStatus.ACCEPTED
    meetings: dict[str, tuple[int, int]] = {
        ProgramKind.TRADE_SHOW: (8, 40),
        ProgramKind.BUSINESS_DELEGATION: (5, 20),
        ProgramKind.EXPORT_FUNDING: (2, 12),
    }
    buyer_meetings = rng.randint(*meetings[program.kind])
    consultation = round(buyer_meetings * rng.randint(15_000, 60_000), -3)
    contracts = int(round(consultation * rng.uniform(0.05, 0.4), -3))
    return OutcomeSpec(
        status=status,
        buyer_meetings=buyer_meetings,
        consultation_usd=consultation,
        contracts_usd=contracts,
        ip_filed=rng.randint(0, 2),
        new_countries=tuple(
            sorted(rng.sample(program.target_countries, rng.randint(0, min(2, len(program.target_countries)))))
        ),
        narrative=rng.choice(words.OUTCOME_NARRATIVES),
        officer_note=rng.choice(words.OUTCOME_ACCEPT_NOTES),
    )
