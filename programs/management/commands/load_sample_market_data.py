"""``python manage.py load_sample_market_data``: SAMPLE target-market data for demos.

Imports programs/data/wdi_sample_wide.csv (GDP and growth) and adds, for the same sixteen
countries, illustrative agency indices (cultural intimacy, IP protection), bilateral trade
volumes, FTA records and a few MOUs. None of it is official: every source says SAMPLE DATA
and every MOU partner starts with "[SAMPLE]". Idempotent: a second run changes nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from firms.models import Sector
from programs.management.commands.import_country_indicators import import_file, write_report
from programs.markets.services import country_indicator_set, country_relationship_set, mou_record
from programs.models import Country, IndicatorCode

SAMPLE_FILE = Path(__file__).resolve().parents[2] / "data" / "wdi_sample_wide.csv"
WDI_SOURCE = "SAMPLE DATA (World Bank WDI layout, not official figures)"
INDEX_SOURCE = "SAMPLE DATA (illustrative agency index)"
TRADE_SOURCE = "SAMPLE DATA (illustrative trade volume with Korea)"
FTA_SOURCE = "SAMPLE DATA (illustrative FTA record)"
INDEX_YEAR = 2024
TRADE_YEAR = 2023

# ISO2: (cultural intimacy, IP protection, trade volume with Korea in billion USD)
INDICES: dict[str, tuple[int, int, int]] = {
    "US": (78, 88, 187),
    "CN": (62, 48, 267),
    "JP": (80, 85, 72),
    "DE": (55, 84, 34),
    "GB": (58, 86, 15),
    "FR": (60, 82, 13),
    "IN": (45, 52, 28),
    "VN": (83, 45, 79),
    "ID": (66, 42, 25),
    "TH": (72, 50, 16),
    "AU": (57, 83, 58),
    "CA": (54, 82, 16),
    "BR": (48, 46, 12),
    "MX": (52, 47, 21),
    "AE": (44, 60, 21),
    "SG": (74, 91, 22),
}

# ISO2: (FTA name, in force since); countries of INDICES not listed have no FTA in force.
FTAS: dict[str, tuple[str, dt.date]] = {
    "US": ("Korea–US FTA", dt.date(2012, 3, 15)),
    "CN": ("Korea–China FTA", dt.date(2015, 12, 20)),
    "DE": ("Korea–EU FTA", dt.date(2011, 7, 1)),
    "FR": ("Korea–EU FTA", dt.date(2011, 7, 1)),
    "GB": ("Korea–UK FTA", dt.date(2021, 1, 1)),
    "IN": ("Korea–India CEPA", dt.date(2010, 1, 1)),
    "VN": ("Korea–Viet Nam FTA", dt.date(2015, 12, 20)),
    "ID": ("Korea–Indonesia CEPA", dt.date(2023, 1, 1)),
    "TH": ("Korea–ASEAN FTA", dt.date(2009, 9, 1)),
    "AU": ("Korea–Australia FTA", dt.date(2014, 12, 12)),
    "CA": ("Korea–Canada FTA", dt.date(2015, 1, 1)),
    "SG": ("Korea–Singapore FTA", dt.date(2006, 3, 2)),
}

SAMPLE_SCOPE = "SAMPLE DATA: an illustrative record, not a real agreement. "
# (ISO2, partner, signed on, expires on, sectors, scope)
MOUS: list[tuple[str, str, dt.date, dt.date | None, list[str], str]] = [
    (
        "VN",
        "[SAMPLE] Viet Nam Creative Content Association",
        dt.date(2022, 5, 10),
        None,
        [Sector.GAMES, Sector.ANIMATION, Sector.CHARACTER],
        "Joint showcases and buyer matchmaking for games, animation and character licensing.",
    ),
    (
        "VN",
        "[SAMPLE] Ho Chi Minh City Design Centre",
        dt.date(2023, 9, 1),
        dt.date(2028, 8, 31),
        [Sector.DESIGN],
        "Design exchange programme and a shared exhibition space.",
    ),
    (
        "ID",
        "[SAMPLE] Indonesian Creative Economy Forum",
        dt.date(2021, 11, 3),
        None,
        [Sector.MUSIC, Sector.BROADCASTING, Sector.FILM],
        "Co-production and distribution of music, film and broadcast content.",
    ),
    (
        "TH",
        "[SAMPLE] Thai Digital Content Promotion Office",
        dt.date(2020, 2, 14),
        dt.date(2023, 2, 13),
        [Sector.GAMES],
        "Expired: a games localisation programme that ran 2020–2023.",
    ),
    (
        "US",
        "[SAMPLE] US Independent Publishers Guild",
        dt.date(2019, 6, 20),
        None,
        [Sector.PUBLISHING, Sector.COMICS],
        "Rights fairs for webtoons and picture books.",
    ),
    (
        "FR",
        "[SAMPLE] Paris Animation Cluster",
        dt.date(2024, 1, 15),
        dt.date(2029, 1, 14),
        [Sector.ANIMATION, Sector.FILM],
        "Co-production workshops at the annual animation market.",
    ),
]


class Command(BaseCommand):
    help = "Load SAMPLE target-market data: WDI sample indicators, agency indices, trade, FTAs and MOUs."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            report = import_file(SAMPLE_FILE, source=WDI_SOURCE)
            countries = Country.objects.in_bulk(list(INDICES))
            for iso2, (intimacy, ip, trade_billions) in INDICES.items():
                country = countries[iso2]
                country_indicator_set(
                    country=country,
                    indicator=IndicatorCode.CULTURAL_INTIMACY,
                    value=Decimal(intimacy),
                    year=INDEX_YEAR,
                    source=INDEX_SOURCE,
                )
                country_indicator_set(
                    country=country,
                    indicator=IndicatorCode.IP_PROTECTION,
                    value=Decimal(ip),
                    year=INDEX_YEAR,
                    source=INDEX_SOURCE,
                )
                country_indicator_set(
                    country=country,
                    indicator=IndicatorCode.TRADE_VOLUME_USD,
                    value=Decimal(trade_billions) * 1_000_000_000,
                    year=TRADE_YEAR,
                    source=TRADE_SOURCE,
                )
                fta = FTAS.get(iso2)
                country_relationship_set(
                    country=country,
                    fta_in_force=fta is not None,
                    fta_name=fta[0] if fta else "",
                    fta_since=fta[1] if fta else None,
                    source=FTA_SOURCE,
                )
            for iso2, partner, signed_on, expires_on, sectors, scope in MOUS:
                mou_record(
                    country=countries[iso2],
                    partner_institution=partner,
                    signed_on=signed_on,
                    expires_on=expires_on,
                    sectors=sectors,
                    scope=SAMPLE_SCOPE + scope,
                )
        write_report(self.stdout, report, path=SAMPLE_FILE)
        self.stdout.write(
            f"SAMPLE agency data for {len(INDICES)} countries: cultural intimacy, IP protection, trade volume, "
            f"FTA records; {len(MOUS)} sample MOUs. None of these are official figures."
        )
