"""A program, its lead officer, an officer of another program, two managers, and a firm with
its staff — the cast every parity case is played with. Reviewers are told in English."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone, translation

from applications.models import DecisionPolicy
from programs.models import Program, ProgramKind, SelectionMode
from sme_support.roles import Role
from tests.factories import FirmFactory, ProgramFactory, assign_officer, firm_user, user_in_group


@dataclass
class Cast:
    funding: Program  # export funding, decided by officers as applications arrive
    show: Program  # a trade show whose event is over (outcome reports)
    lead: Any
    stranger: Any  # an officer of another program
    manager: Any
    second_manager: Any
    firm: Any
    staff: Any


@pytest.fixture(autouse=True)
def _english(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LANGUAGE_CODE = "en"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    cache.clear()  # the API throttle counts in the cache
    with translation.override("en"):
        yield


@pytest.fixture
def cast() -> Cast:
    today = timezone.localdate()
    funding = ProgramFactory(capacity=100_000_000, per_firm_cap=30_000_000, selection_mode=SelectionMode.ROLLING)
    show = ProgramFactory(
        trade_show=True,
        selection_mode=SelectionMode.ROLLING,
        event_starts_on=today - dt.timedelta(days=20),
        event_ends_on=today - dt.timedelta(days=17),
    )
    other = ProgramFactory()
    lead = user_in_group(Role.OFFICER)
    for program in (funding, show):
        assign_officer(program, lead, lead=True)
        # Every approval applies at once unless a case asks for a sign-off.
        DecisionPolicy.objects.create(program=program, sign_off_threshold_krw=10**12)
    stranger = user_in_group(Role.OFFICER)
    assign_officer(other, stranger, lead=True)
    firm = FirmFactory()
    return Cast(
        funding=funding,
        show=show,
        lead=lead,
        stranger=stranger,
        manager=user_in_group(Role.MANAGER),
        second_manager=user_in_group(Role.MANAGER),
        firm=firm,
        staff=firm_user(firm),
    )


def kinds() -> tuple[str, ...]:
    return tuple(ProgramKind.values)
