"""Seed the size-class thresholds, the export-tier bands and the three role groups.

Size classes follow the Enforcement Decree of the Framework Act on SMEs (Annex 1 and 3) and
the Act on the Protection of Small Enterprise Owners for micro firms, by the industry each
creative sector falls under:
- J, information and communication (publishing, film, broadcasting, music, games, software
  and content services): medium ≤ KRW 80bn revenue, small ≤ KRW 5bn;
- M, professional, scientific and technical services (design, architecture, advertising,
  R&D services): medium ≤ KRW 60bn, small ≤ KRW 3bn;
- micro: fewer than 5 employees in these service industries, within the small limit.
The rows are data: officers edit them in admin when the decree changes.
"""

from __future__ import annotations

from django.db import migrations

BN = 1_000_000_000
J_SECTORS = [
    "publishing", "comics", "music", "games", "film", "animation", "broadcasting", "character",
    "knowledge_information", "content_solutions", "ict_services",
]
M_SECTORS = ["advertising", "design", "architecture", "rnd_services"]
LIMITS = {
    "J": {"medium": 80 * BN, "small": 5 * BN},
    "M": {"medium": 60 * BN, "small": 3 * BN},
}
BASIS = "Framework Act on SMEs Enforcement Decree, Annex 1/3; Small Enterprise Owners Act art. 2"
TIERS = [
    ("domestic", 0, 1),
    ("starter", 1, 100_000),
    ("promising", 100_000, 1_000_000),
    ("growing", 1_000_000, 5_000_000),
    ("global", 5_000_000, None),
]


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    Threshold = apps.get_model("firms", "SizeClassThreshold")
    Band = apps.get_model("firms", "ExportTierBand")
    Group = apps.get_model("auth", "Group")
    for group, sectors in (("J", J_SECTORS), ("M", M_SECTORS)):
        limits = LIMITS[group]
        for sector in sectors:
            rows = {
                "micro": (4, limits["small"]),
                "small": (None, limits["small"]),
                "medium": (None, limits["medium"]),
            }
            for size_class, (max_employees, max_revenue) in rows.items():
                Threshold.objects.update_or_create(
                    sector=sector,
                    size_class=size_class,
                    defaults={
                        "max_employees": max_employees,
                        "max_revenue_krw": max_revenue,
                        "legal_basis": f"{BASIS} (industry {group})",
                    },
                )
    for tier, low, high in TIERS:
        Band.objects.update_or_create(tier=tier, defaults={"min_exports_usd": low, "max_exports_usd": high})
    for name in ("sme_staff", "officer", "manager"):
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("firms", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
