"""The demo's calls for applications, and which applications each one receives.

Each call lists *slots*: a recipe (the path through the workflow its application takes, see
``demo.spec.RECIPES``) and, for the showcase cases, the firm that fills it. Slots come in
order of importance: with few firms the last ones are dropped first, and the earlier ones
keep every workflow state represented.

Windows are relative to the day of seeding (this year's calls open now, closed a few weeks
ago, or open next week); last year's calls sit on fixed dates of the previous year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from demo.records import ProgramSpec
from firms.models import Sector
from programs.models import ExpenseCategory, ProgramKind, SelectionMode

# Firms with a fixed role in the story (indexes into the spec's firm list).
SHOWCASE_FIRM = 0  # sme1: an animation studio with something to do in every corner of the portal
SHOWCASE_DESIGN_FIRM = 1  # sme2: a micro design studio in Busan
NON_SME_DESIGN_FIRM = 2  # above the SME thresholds; an officer overrides its screening
NON_SME_GAMES_FIRM = 3  # above the SME thresholds; screened out
SANCTIONED_FIRM = 4  # barred from support for a while; screened out

CONTENT_SECTORS: tuple[str, ...] = (
    Sector.PUBLISHING,
    Sector.COMICS,
    Sector.MUSIC,
    Sector.GAMES,
    Sector.FILM,
    Sector.ANIMATION,
    Sector.BROADCASTING,
    Sector.CHARACTER,
    Sector.KNOWLEDGE_INFORMATION,
    Sector.CONTENT_SOLUTIONS,
)

Slot = tuple[str, int | None]


@dataclass(frozen=True)
class CatalogueEntry:
    program: ProgramSpec
    slots: tuple[Slot, ...]
    # Set the capacity to what the planned first-round approvals use (rounded up; exactly,
    # in a first come, first served call), so the waiting list holds firms that really did
    # not fit. First come, first served calls need it: screening decides them by capacity.
    capacity_from_plan: bool = False


def _slots(*groups: tuple[str, int] | tuple[str, int, int]) -> tuple[Slot, ...]:
    """``("approved", 3)`` is three approved slots; ``("approved", 1, SHOWCASE_FIRM)`` pins the firm."""
    out: list[Slot] = []
    for group in groups:
        recipe, count = group[0], group[1]
        firm = group[2] if len(group) == 3 else None
        out.extend((recipe, firm) for _ in range(count))
    return tuple(out)


def _next_on(month: int, day: int, after: dt.date) -> dt.date:
    """The first ``month``/``day`` strictly after ``after`` (an annual event's next edition)."""
    candidate = dt.date(after.year, month, day)
    return candidate if candidate > after else dt.date(after.year + 1, month, day)


def catalogue(*, today: dt.date, tz: dt.tzinfo) -> list[CatalogueEntry]:
    def at(day: dt.date, hour: int) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour), tzinfo=tz)

    def days(n: int) -> dt.date:
        return today + dt.timedelta(days=n)

    year, last = today.year, today.year - 1
    ces_start = _next_on(1, 6, days(16 + 14))
    ces_year = ces_start.year
    voucher_expenses = (
        ExpenseCategory.MARKET_RESEARCH,
        ExpenseCategory.TRANSLATION,
        ExpenseCategory.IP_REGISTRATION,
        ExpenseCategory.MARKETING_MATERIAL,
        ExpenseCategory.CERTIFICATION,
    )
    design_sectors = (Sector.DESIGN, Sector.ARCHITECTURE, Sector.ADVERTISING, Sector.CHARACTER)
    tech_sectors = (
        Sector.GAMES,
        Sector.CONTENT_SOLUTIONS,
        Sector.ICT_SERVICES,
        Sector.CHARACTER,
        Sector.ANIMATION,
        Sector.DESIGN,
        Sector.RND_SERVICES,
    )

    return [
        # --- This fiscal year ---------------------------------------------------------------
        CatalogueEntry(
            ProgramSpec(
                code=f"ev-{year}-content",
                kind=ProgramKind.EXPORT_FUNDING,
                title_ko=f"{year} 수출바우처 (콘텐츠)",
                title_en=f"{year} Export Voucher (Content)",
                description_ko="콘텐츠 중소기업의 해외 마케팅·현지화·해외 지식재산 출원 비용을 바우처로 지원합니다. "
                "기업 자부담 30%.",
                description_en="Vouchers for content SMEs' overseas marketing, localisation and IP filings abroad. "
                "The firm co-funds 30%.",
                fiscal_year=year,
                opens_at=at(days(-12), 10),
                closes_at=at(days(16), 18),
                capacity=800_000_000,
                per_firm_cap=50_000_000,
                selection_mode=SelectionMode.RANKED,
                target_countries=("VN", "ID", "TH", "US", "JP"),
                target_sectors=CONTENT_SECTORS,
                lead_officer="officer1",
                officers=("officer2",),
                co_funding_share=Decimal(30),
                eligible_expenses=voucher_expenses,
            ),
            _slots(
                ("info_requested", 1, SHOWCASE_FIRM),
                ("ineligible", 1, NON_SME_GAMES_FIRM),
                ("submitted", 2),
                ("screening", 1),
                ("eligible", 2),
                ("under_review", 1),
                ("under_review_answered", 1),
                ("ineligible", 1),
                ("withdrawn", 1),
                ("draft", 2),
                ("info_requested", 1),
                ("submitted", 1),
            ),
        ),
        CatalogueEntry(
            ProgramSpec(
                code=f"ev-{year}-design",
                kind=ProgramKind.EXPORT_FUNDING,
                title_ko=f"{year} 수출바우처 (디자인·건축·광고)",
                title_en=f"{year} Export Voucher (Design, Architecture and Advertising)",
                description_ko="디자인·건축·광고 분야 중소기업의 해외 전시, 인증, 마케팅 비용을 지원합니다. 기업 자부담 30%.",
                description_en="Support for design, architecture and advertising SMEs' exhibitions abroad, "
                "certification and marketing. The firm co-funds 30%.",
                fiscal_year=year,
                opens_at=at(days(-70), 10),
                closes_at=at(days(-25), 18),
                capacity=1,  # set from the plan
                per_firm_cap=60_000_000,
                selection_mode=SelectionMode.RANKED,
                target_countries=("FR", "DE", "US", "JP", "AE"),
                target_sectors=design_sectors,
                lead_officer="officer1",
                co_funding_share=Decimal(30),
                eligible_expenses=(*voucher_expenses, ExpenseCategory.BOOTH_COSTS),
            ),
            _slots(
                ("approved", 1, SHOWCASE_DESIGN_FIRM),
                ("override_approved", 1, NON_SME_DESIGN_FIRM),
                ("ineligible", 1, SANCTIONED_FIRM),
                ("cancelled", 1),
                ("waitlisted", 1),
                ("rejected", 1),
                ("promoted", 1),
                ("approved", 1),
                ("withdrawn_approved", 1),
                ("promoted", 1),
                ("closed_out", 1),
                ("approved", 2),
                ("rejected", 1),
            ),
            capacity_from_plan=True,
        ),
        CatalogueEntry(
            ProgramSpec(
                code=f"ces-{ces_year}-korea-pavilion",
                kind=ProgramKind.TRADE_SHOW,
                title_ko=f"CES {ces_year} 한국관",
                title_en=f"Korea Pavilion at CES {ces_year}",
                description_ko="라스베이거스 CES 한국관 부스 참가 기업을 선착순으로 모집합니다. 부스 임차·장치비를 지원하고 "
                "참가비를 받습니다.",
                description_en="Booths in the Korea Pavilion at CES in Las Vegas, first come, first served. The "
                "agency pays the booth rental and build; the firm pays a fee.",
                fiscal_year=year,
                opens_at=at(days(-8), 10),
                closes_at=at(days(24), 18),
                capacity=1,  # set from the plan
                per_firm_cap=2,
                selection_mode=SelectionMode.FCFS,
                target_countries=("US",),
                target_sectors=tech_sectors,
                lead_officer="officer1",
                officers=("officer2",),
                event_name=f"CES {ces_year}",
                event_city="Las Vegas",
                event_country="US",
                organiser="Consumer Technology Association (CTA)",
                event_starts_on=ces_start,
                event_ends_on=ces_start + dt.timedelta(days=3),
                subsidy_per_booth_krw=9_000_000,
                firm_fee_krw=1_500_000,
            ),
            # Screening decides: booths go to the first eligible firms, the rest wait. Two
            # firms gave theirs back; the first place went to sme2, which has yet to answer.
            _slots(
                ("draft", 1, SHOWCASE_FIRM),
                ("fcfs_approved", 3),
                ("fcfs_offered", 1, SHOWCASE_DESIGN_FIRM),
                ("fcfs_withdrawn_approved", 1),
                ("fcfs_waitlisted", 1),
                ("submitted", 1),
                ("withdrawn_draft", 1),
                ("fcfs_accepted", 1),
                ("fcfs_withdrawn_approved", 1),
                ("fcfs_approved", 1),
            ),
            capacity_from_plan=True,
        ),
        CatalogueEntry(
            ProgramSpec(
                code=f"vn-content-delegation-{year}",
                kind=ProgramKind.BUSINESS_DELEGATION,
                title_ko=f"{year} 베트남 콘텐츠 비즈니스 사절단",
                title_en=f"{year} Content business delegation to Vietnam",
                description_ko="하노이·호찌민에서 현지 방송사·유통사와 1:1 바이어 상담회를 엽니다. 항공·숙박 일부 지원.",
                description_en="One-to-one buyer meetings with broadcasters and distributors in Hanoi and Ho Chi "
                "Minh City. Part of the flights and hotel is covered.",
                fiscal_year=year,
                opens_at=at(days(-50), 10),
                closes_at=at(days(-10), 18),
                capacity=1,  # set from the plan
                per_firm_cap=2,
                selection_mode=SelectionMode.RANKED,
                target_countries=("VN",),
                target_sectors=CONTENT_SECTORS,
                lead_officer="officer1",
                officers=("officer2",),
                acting_officer="officer2",
                event_name="K-Content Business Week Vietnam",
                event_city="Hanoi / Ho Chi Minh City",
                event_country="VN",
                organiser="Korea Business Centre Hanoi",
                event_starts_on=days(30),
                event_ends_on=days(34),
                buyer_matchmaking=True,
            ),
            _slots(
                ("approved", 1, SHOWCASE_FIRM),
                ("waitlisted", 1),
                ("withdrawn_approved", 1),
                ("promoted", 1),
                ("rejected", 1),
                ("ineligible", 1),
                ("approved", 3),
                ("closed_out", 1),
                ("rejected", 1),
            ),
            capacity_from_plan=True,
        ),
        CatalogueEntry(
            ProgramSpec(
                code=f"latam-design-mission-{year}",
                kind=ProgramKind.BUSINESS_DELEGATION,
                title_ko=f"{year} 중남미(멕시코·브라질) 디자인 시장개척단",
                title_en=f"{year} Design market-development mission to Mexico and Brazil",
                description_ko="멕시코시티·상파울루의 유통사, 편집숍, 라이선싱 에이전시와의 상담을 주선합니다.",
                description_en="Meetings with distributors, concept stores and licensing agencies in Mexico City "
                "and São Paulo.",
                fiscal_year=year,
                opens_at=at(days(-5), 10),
                closes_at=at(days(30), 18),
                capacity=10,
                per_firm_cap=1,
                # Seats are given as applications are reviewed, while the call is open.
                selection_mode=SelectionMode.ROLLING,
                target_countries=("MX", "BR"),
                target_sectors=design_sectors,
                lead_officer="officer1",
                officers=("officer2",),
                event_name="Korea Design Days Latin America",
                event_city="Mexico City / São Paulo",
                event_country="MX",
                organiser="Korea Business Centre Mexico City",
                event_starts_on=days(80),
                event_ends_on=days(86),
                buyer_matchmaking=True,
            ),
            _slots(
                ("draft", 1, SHOWCASE_DESIGN_FIRM),
                ("info_requested", 1),
                ("screening", 1),
                ("submitted", 1),
                ("eligible", 1),
                ("under_review", 1),
                ("eligible", 1),
                ("approved", 1),
            ),
        ),
        CatalogueEntry(
            ProgramSpec(
                code=f"mena-kcontent-roadshow-{year}",
                kind=ProgramKind.BUSINESS_DELEGATION,
                title_ko=f"{year} 중동(UAE·사우디아라비아) K-콘텐츠 로드쇼",
                title_en=f"{year} K-content roadshow to the UAE and Saudi Arabia",
                description_ko="두바이·리야드에서 K-콘텐츠 쇼케이스와 바이어 상담회를 엽니다. 다음 주 접수 시작.",
                description_en="A K-content showcase and buyer meetings in Dubai and Riyadh. Applications open next "
                "week.",
                fiscal_year=year,
                opens_at=at(days(7), 10),
                closes_at=at(days(40), 18),
                capacity=12,
                per_firm_cap=2,
                selection_mode=SelectionMode.RANKED,
                target_countries=("AE", "SA"),
                target_sectors=CONTENT_SECTORS,
                lead_officer="officer1",
                event_name="K-Content Roadshow Middle East",
                event_city="Dubai / Riyadh",
                event_country="AE",
                organiser="Korea Business Centre Dubai",
                event_starts_on=days(100),
                event_ends_on=days(104),
                buyer_matchmaking=True,
            ),
            (),
        ),
        # --- Last fiscal year: decided, held, reported --------------------------------------
        CatalogueEntry(
            ProgramSpec(
                code=f"ev-{last}-content",
                kind=ProgramKind.EXPORT_FUNDING,
                title_ko=f"{last} 수출바우처 (콘텐츠)",
                title_en=f"{last} Export Voucher (Content)",
                description_ko="콘텐츠 중소기업의 해외 마케팅·현지화·해외 지식재산 출원 비용을 바우처로 지원합니다.",
                description_en="Vouchers for content SMEs' overseas marketing, localisation and IP filings abroad.",
                fiscal_year=last,
                opens_at=at(dt.date(last, 2, 3), 10),
                closes_at=at(dt.date(last, 3, 6), 18),
                capacity=1_000_000_000,
                per_firm_cap=50_000_000,
                selection_mode=SelectionMode.RANKED,
                target_countries=("VN", "ID", "TH", "US", "JP", "IN"),
                target_sectors=CONTENT_SECTORS,
                lead_officer="officer1",
                co_funding_share=Decimal(30),
                eligible_expenses=voucher_expenses,
            ),
            _slots(
                ("completed", 3),
                ("cancelled", 1),
                ("rejected", 1),
                ("reported", 1),
                ("ineligible", 1),
                ("withdrawn", 1),
                ("completed", 3),
                ("rejected", 2),
                ("reported", 1),
            ),
        ),
        CatalogueEntry(
            ProgramSpec(
                code=f"mipcom-{last}-korea-pavilion",
                kind=ProgramKind.TRADE_SHOW,
                title_ko=f"MIPCOM {last} 한국공동관",
                title_en=f"Korea Pavilion at MIPCOM {last}",
                description_ko="칸 MIPCOM 한국공동관 참가 지원: 부스 임차·장치, 통역, 바이어 매칭.",
                description_en="The Korea Pavilion at MIPCOM in Cannes: booth rental and build, interpreters, buyer "
                "matchmaking.",
                fiscal_year=last,
                opens_at=at(dt.date(last, 6, 2), 10),
                closes_at=at(dt.date(last, 7, 4), 18),
                capacity=20,
                per_firm_cap=2,
                selection_mode=SelectionMode.RANKED,
                target_countries=("FR", "DE", "GB"),
                target_sectors=(Sector.BROADCASTING, Sector.FILM, Sector.ANIMATION, Sector.MUSIC, Sector.CHARACTER),
                lead_officer="officer1",
                officers=("officer2",),
                acting_officer="officer2",
                event_name=f"MIPCOM {last}",
                event_city="Cannes",
                event_country="FR",
                organiser="RX France",
                event_starts_on=dt.date(last, 10, 13),
                event_ends_on=dt.date(last, 10, 16),
                subsidy_per_booth_krw=12_000_000,
                firm_fee_krw=2_000_000,
                buyer_matchmaking=True,
            ),
            _slots(
                ("completed", 3),
                ("reported", 1),
                ("cancelled", 1),
                ("rejected", 1),
                ("completed", 2),
                ("reported", 1),
                ("rejected", 1),
            ),
        ),
        CatalogueEntry(
            ProgramSpec(
                code=f"gamescom-{last}-korea-pavilion",
                kind=ProgramKind.TRADE_SHOW,
                title_ko=f"게임스컴 {last} 한국관",
                title_en=f"Korea Pavilion at gamescom {last}",
                description_ko="쾰른 게임스컴 B2B 한국관 부스를 선착순으로 지원합니다.",
                description_en="Booths in the B2B Korea Pavilion at gamescom in Cologne, first come, first served.",
                fiscal_year=last,
                opens_at=at(dt.date(last, 4, 1), 10),
                closes_at=at(dt.date(last, 5, 2), 18),
                capacity=1,  # set from the plan
                per_firm_cap=2,
                selection_mode=SelectionMode.FCFS,
                target_countries=("DE", "FR", "GB"),
                target_sectors=(Sector.GAMES, Sector.ICT_SERVICES, Sector.CONTENT_SOLUTIONS),
                lead_officer="officer1",
                officers=("officer2",),
                event_name=f"gamescom {last}",
                event_city="Cologne",
                event_country="DE",
                organiser="Koelnmesse",
                event_starts_on=dt.date(last, 8, 20),
                event_ends_on=dt.date(last, 8, 24),
                subsidy_per_booth_krw=10_000_000,
                firm_fee_krw=1_800_000,
            ),
            _slots(
                ("fcfs_completed", 2),
                ("fcfs_withdrawn_approved", 1),
                ("fcfs_reported", 1),
                ("fcfs_completed", 2),
                ("fcfs_closed_out", 1),
            ),
            capacity_from_plan=True,
        ),
        CatalogueEntry(
            ProgramSpec(
                code=f"sea-webtoon-delegation-{last}",
                kind=ProgramKind.BUSINESS_DELEGATION,
                title_ko=f"{last} 동남아(인도네시아·태국·말레이시아) 웹툰·애니메이션 사절단",
                title_en=f"{last} Webtoon and animation delegation to Indonesia, Thailand and Malaysia",
                description_ko="자카르타·방콕·쿠알라룸푸르에서 플랫폼사·방송사와의 1:1 상담을 주선합니다.",
                description_en="One-to-one meetings with platforms and broadcasters in Jakarta, Bangkok and Kuala "
                "Lumpur.",
                fiscal_year=last,
                opens_at=at(dt.date(last, 8, 18), 10),
                closes_at=at(dt.date(last, 9, 19), 18),
                capacity=14,
                per_firm_cap=2,
                selection_mode=SelectionMode.RANKED,
                target_countries=("ID", "TH", "MY"),
                target_sectors=(Sector.COMICS, Sector.ANIMATION, Sector.CHARACTER, Sector.MUSIC, Sector.PUBLISHING),
                lead_officer="officer1",
                officers=("officer2",),
                event_name="K-Webtoon & Animation Showcase Southeast Asia",
                event_city="Jakarta / Bangkok / Kuala Lumpur",
                event_country="ID",
                organiser="Korea Business Centre Jakarta",
                event_starts_on=dt.date(last, 11, 10),
                event_ends_on=dt.date(last, 11, 14),
                buyer_matchmaking=True,
            ),
            _slots(
                ("completed", 1, SHOWCASE_FIRM),
                ("completed", 2),
                ("reported", 1),
                ("rejected", 1),
                ("cancelled", 1),
                ("completed", 2),
                ("rejected", 1),
            ),
        ),
    ]
