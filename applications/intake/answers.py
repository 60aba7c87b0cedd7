"""The arithmetic behind the application forms, shared by the forms and the pages."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from programs.models import Program


@dataclass(frozen=True)
class FundingSplit:
    total_cost: int
    support: int
    firm_share: int
    firm_share_percent: Decimal


def export_funding_split(*, program: Program, total_cost: int) -> FundingSplit:
    """Split planned costs between the agency and the firm by the program's co-funding share.

    The firm pays ``co_funding_share`` percent; the agency's part (rounded down to the won)
    is what the application requests and what the program's KRW capacity pays for.
    """
    share = Decimal(program.co_funding_share or 0)
    support = int((Decimal(total_cost) * (Decimal(100) - share) / Decimal(100)).to_integral_value(ROUND_DOWN))
    return FundingSplit(
        total_cost=total_cost, support=support, firm_share=total_cost - support, firm_share_percent=share
    )


def max_total_cost(program: Program) -> int:
    """The largest planned cost whose agency part still fits the per-firm cap."""
    share = Decimal(program.co_funding_share or 0)
    if share >= 100:
        return 0
    return int((Decimal(program.per_firm_cap) * Decimal(100) / (Decimal(100) - share)).to_integral_value(ROUND_DOWN))
