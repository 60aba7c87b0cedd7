"""Drop three indexes of applications that no query needs; each write updated them all.

- The single-column indexes of Application.program and Application.firm: the (program,
  status) and (firm, status) indexes lead with the same columns and serve every lookup by
  program or firm. Only the indexes go: Django's own AlterField would also drop and re-create
  both foreign keys, re-validating every row while holding the table's lock.
- PostgreSQL's ``varchar_pattern_ops`` copy of the unique receipt number, which Django adds
  for ``LIKE 'prefix%'`` lookups; nothing looks receipt numbers up by prefix (the unique
  index serves exact lookups).

Measured on the re-check of 50,000 applications (bench/RESULTS.md), where the UPDATE of
each batch was the largest single cost.
"""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

_RECEIPT_PREFIX_INDEX = "applications_application_receipt_number_33df618d_like"


def _drop_receipt_prefix_index(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{_RECEIPT_PREFIX_INDEX}"')


def _create_receipt_prefix_index(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE INDEX "{_RECEIPT_PREFIX_INDEX}" ON "applications_application" '
            '("receipt_number" varchar_pattern_ops)'
        )


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0006_outcome_review"),
        ("firms", "0003_role_permissions"),
        ("programs", "0004_target_markets"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="application",
                    name="firm",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="applications",
                        to="firms.firm",
                        verbose_name="firm",
                    ),
                ),
                migrations.AlterField(
                    model_name="application",
                    name="program",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="applications",
                        to="programs.program",
                        verbose_name="program",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "applications_application_firm_id_7d6325bd"',
                    reverse_sql='CREATE INDEX "applications_application_firm_id_7d6325bd" '
                    'ON "applications_application" ("firm_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "applications_application_program_id_5100072a"',
                    reverse_sql='CREATE INDEX "applications_application_program_id_5100072a" '
                    'ON "applications_application" ("program_id")',
                ),
            ],
        ),
        migrations.RunPython(_drop_receipt_prefix_index, _create_receipt_prefix_index),
    ]
