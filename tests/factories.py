"""factory_boy factories for the domain; every factory builds a valid row."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from applications.models import Application
from firms.models import Firm, FirmMembership, Region, Sector
from firms.services.registry import export_tier_for, size_class_for
from firms.validators import brn_check_digit
from programs.models import ExpenseCategory, Program, ProgramKind, ProgramOfficer, SelectionMode
from sme_support.roles import Role

User = get_user_model()


def make_brn(n: int) -> str:
    first_nine = f"{(100_00_0000 + n * 7919) % 1_000_000_000:09d}"
    return first_nine + str(brn_check_digit(first_nine))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    password = factory.django.Password("correct horse battery staple")


def user_in_group(role: Role, **kwargs: Any) -> Any:
    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get(name=role))
    if role in (Role.OFFICER, Role.MANAGER):
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return user


class FirmFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Firm

    brn = factory.Sequence(make_brn)
    name_ko = factory.Sequence(lambda n: f"크리에이티브 {n}")
    name_en = factory.Sequence(lambda n: f"Creative {n} Ltd")
    region = Region.SEOUL
    founded_on = dt.date(2018, 3, 1)
    employees = 8
    annual_revenue_krw = 1_200_000_000
    exports_last_year_usd = 250_000
    sector = Sector.DESIGN
    size_class = factory.LazyAttribute(
        lambda f: size_class_for(sector=f.sector, employees=f.employees, annual_revenue_krw=f.annual_revenue_krw)
    )
    export_tier = factory.LazyAttribute(lambda f: export_tier_for(exports_last_year_usd=f.exports_last_year_usd))


def firm_user(firm: Firm | None = None, **kwargs: Any) -> Any:
    """A portal user who belongs to ``firm`` (a new firm if none given)."""
    firm = firm or FirmFactory()
    user = user_in_group(Role.SME_STAFF, **kwargs)
    FirmMembership.objects.create(firm=firm, user=user, role=FirmMembership.Role.OWNER)
    return user


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    code = factory.Sequence(lambda n: f"prog-{n}")
    kind = ProgramKind.EXPORT_FUNDING
    title_ko = factory.Sequence(lambda n: f"수출바우처 {n}")
    title_en = factory.Sequence(lambda n: f"Export voucher {n}")
    fiscal_year = 2026
    opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=10))
    closes_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=20))
    capacity = 100_000_000
    per_firm_cap = 30_000_000
    co_funding_share = 30
    eligible_expenses = factory.LazyFunction(lambda: [ExpenseCategory.MARKET_RESEARCH, ExpenseCategory.TRANSLATION])
    # Officers decide each application when they are ready; tests of ranked selection and of
    # first come, first served ask for their mode.
    selection_mode = SelectionMode.ROLLING

    class Params:
        trade_show = factory.Trait(
            kind=ProgramKind.TRADE_SHOW,
            capacity=20,
            per_firm_cap=2,
            co_funding_share=None,
            eligible_expenses=factory.LazyFunction(list),
            event_name="Maison&Objet",
            event_city="Paris",
            event_country_id="FR",
            event_starts_on=factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=60)),
            event_ends_on=factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=64)),
            subsidy_per_booth_krw=8_000_000,
            firm_fee_krw=2_000_000,
        )


def assign_officer(program: Program, user: Any, *, lead: bool = False) -> ProgramOfficer:
    return ProgramOfficer.objects.create(program=program, user=user, is_lead=lead)


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    program = factory.SubFactory(ProgramFactory)
    firm = factory.SubFactory(FirmFactory)
    requested_units = 10_000_000
