"""The shape of the demo data set: plain frozen records, no database.

Dates and times are absolute (computed from the day the spec is built for), so the same
seed and day always give an equal spec.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

# One password for every demo login, printed by the command. Demo data only.
DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105
DEMO_EMAIL_DOMAIN = "demo.example.com"
ADMIN_ROLE = "admin"


@dataclass(frozen=True)
class UserSpec:
    username: str
    role: str  # ADMIN_ROLE or a sme_support.roles.Role value
    first_name: str
    last_name: str

    @property
    def email(self) -> str:
        return f"{self.username}@{DEMO_EMAIL_DOMAIN}"


@dataclass(frozen=True)
class IPSpec:
    kind: str
    country: str
    registration_number: str
    registered_on: dt.date
    title: str


@dataclass(frozen=True)
class ProductSpec:
    hs_code: str
    description: str


@dataclass(frozen=True)
class FirmSpec:
    brn: str
    name_ko: str
    name_en: str
    region: str
    sector: str
    founded_on: dt.date
    employees: int
    annual_revenue_krw: int
    exports_last_year_usd: int
    markets: tuple[str, ...]
    website: str
    owner: str
    # What the numbers were chosen to give; firms.services derives the stored class itself.
    intended_size_class: str
    sanctioned_until: dt.date | None = None
    sanction_reason: str = ""
    ip_holdings: tuple[IPSpec, ...] = ()
    products: tuple[ProductSpec, ...] = ()


@dataclass(frozen=True)
class OutcomeSpec:
    status: str  # applications.models.OutcomeReport.ReportStatus value
    buyer_meetings: int
    consultation_usd: int
    contracts_usd: int
    ip_filed: int
    new_countries: tuple[str, ...]
    narrative: str
    officer_note: str = ""


@dataclass(frozen=True)
class StepSpec:
    """One workflow action; ``demo.load`` maps it to a service call."""

    action: str
    units: int | None = None
    note: str = ""
    outcome: OutcomeSpec | None = None


@dataclass(frozen=True)
class ApplicationSpec:
    program_code: str
    firm_brn: str
    applicant: str
    requested_units: int
    answers: dict[str, Any]
    recipe: str
    expected_status: str
    steps: tuple[StepSpec, ...]


@dataclass(frozen=True)
class ProgramSpec:
    code: str
    kind: str
    title_ko: str
    title_en: str
    description_ko: str
    description_en: str
    fiscal_year: int
    opens_at: dt.datetime
    closes_at: dt.datetime
    capacity: int
    per_firm_cap: int
    selection_mode: str
    target_countries: tuple[str, ...]
    target_sectors: tuple[str, ...]
    lead_officer: str
    officers: tuple[str, ...] = ()
    # Who fires the officer-side transitions in the demo history.
    acting_officer: str = "officer1"
    co_funding_share: Decimal | None = None
    eligible_expenses: tuple[str, ...] = ()
    event_name: str = ""
    event_city: str = ""
    event_country: str | None = None
    organiser: str = ""
    event_starts_on: dt.date | None = None
    event_ends_on: dt.date | None = None
    subsidy_per_booth_krw: int | None = None
    firm_fee_krw: int | None = None
    buyer_matchmaking: bool = False
    applications: tuple[ApplicationSpec, ...] = field(default=())


@dataclass(frozen=True)
class DemoSpec:
    seed: int
    users: tuple[UserSpec, ...]
    firms: tuple[FirmSpec, ...]
    programs: tuple[ProgramSpec, ...]

    @property
    def applications(self) -> tuple[ApplicationSpec, ...]:
        return tuple(a for p in self.programs for a in p.applications)
