"""Drop the single-column indexes of Application.program and Application.firm.

The (program, status) and (firm, status) indexes lead with the same columns and serve every
lookup by program or firm; the single-column copies only made each write to an application
update two more indexes (bench/RESULTS.md, re-check). Only the indexes go: Django's own
AlterField would also drop and re-create both foreign keys, re-validating every row while
holding the table's lock.
"""

import django.db.models.deletion
from django.db import migrations, models


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
    ]
