"""Load every ISO 3166-1 country (English and Korean names) from programs/data/countries.csv."""

from __future__ import annotations

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "countries.csv"


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    Country = apps.get_model("programs", "Country")
    with DATA.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            Country.objects.update_or_create(
                iso2=row["iso2"],
                defaults={k: row[k] for k in ("iso3", "numeric", "name_en", "name_ko")},
            )


class Migration(migrations.Migration):
    dependencies = [("programs", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
