"""A program's decision policy (sign-off threshold, unit value, whether scores are required,
how long a waitlist offer stays open) and the review scores decisions rely on.

What an approval is worth in KRW (compared with the sign-off threshold):
- export funding: the units are KRW;
- trade show: booths × the policy's unit value, else the program's subsidy per booth;
- business delegation: seats × the policy's unit value, else ``DECISION_DEFAULT_UNIT_VALUE_KRW``.
Every empty policy field falls back to the agency default in settings; a program without a
``DecisionPolicy`` row uses the defaults throughout.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from applications.errors import InvalidInput, NotPermitted
from applications.models import DecisionPolicy
from applications.review_register import review_register
from programs.models import Program, ProgramKind
from sme_support.roles import is_manager

# Scores are compared at two decimal places, as officers see them, so two scores that look
# equal are tied and the documented tie-break decides.
SCORE_PLACES = Decimal("0.01")


# --- Policy ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Policy:
    """A program's decision policy with the agency defaults filled in."""

    sign_off_threshold_krw: int
    value_per_unit_krw: int
    requires_scores: bool
    offer_days: int


def decision_policy_for(program: Program) -> Policy:
    row = DecisionPolicy.objects.filter(program_id=program.pk).first()
    threshold = settings.DECISION_SIGN_OFF_THRESHOLD_KRW
    if row is not None and row.sign_off_threshold_krw is not None:
        threshold = row.sign_off_threshold_krw
    if program.kind == ProgramKind.EXPORT_FUNDING:
        value = 1  # the units are KRW
    elif row is not None and row.value_per_unit_krw is not None:
        value = row.value_per_unit_krw
    elif program.kind == ProgramKind.TRADE_SHOW and program.subsidy_per_booth_krw is not None:
        value = program.subsidy_per_booth_krw
    else:
        value = settings.DECISION_DEFAULT_UNIT_VALUE_KRW
    offer_days = settings.WAITLIST_OFFER_DAYS
    if row is not None and row.offer_days is not None:
        offer_days = row.offer_days
    return Policy(
        sign_off_threshold_krw=threshold,
        value_per_unit_krw=value,
        requires_scores=bool(row and row.requires_scores),
        offer_days=offer_days,
    )


def granted_value_krw(*, program: Program, units: int, policy: Policy | None = None) -> int:
    """What granting ``units`` of ``program`` is worth in KRW."""
    return units * (policy or decision_policy_for(program)).value_per_unit_krw


@transaction.atomic
def decision_policy_set(
    *,
    program: Program,
    actor: User,
    sign_off_threshold_krw: int | None = None,
    value_per_unit_krw: int | None = None,
    requires_scores: bool = False,
    offer_days: int | None = None,
) -> DecisionPolicy:
    """Set a program's decision policy (managers only); ``None`` means the agency default."""
    if not is_manager(actor):
        raise NotPermitted(_("Only a manager can set a program's decision policy."))
    policy, _created = DecisionPolicy.objects.select_for_update().get_or_create(program=program)
    policy.sign_off_threshold_krw = sign_off_threshold_krw
    policy.value_per_unit_krw = value_per_unit_krw
    policy.requires_scores = requires_scores
    policy.offer_days = offer_days
    policy.updated_by = actor
    try:
        policy.full_clean()
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages)) from error
    policy.save()
    return policy


# --- Scores -----------------------------------------------------------------------------------


def program_scores(*, program: Program) -> dict[int, Decimal]:
    """Application id → weighted review score (0–100), for the program's scored applications,
    at two decimal places. The scores belong to the reviews app, which answers through the
    review register (``applications.review_register``)."""
    return normalise_scores(review_register().program_scores(program_id=program.pk))


def normalise_scores(scores: dict[int, Decimal] | None) -> dict[int, Decimal]:
    return {
        int(pk): Decimal(value).quantize(SCORE_PLACES, rounding=ROUND_HALF_UP)
        for pk, value in (scores or {}).items()
        if value is not None
    }
