"""Give the officer and manager groups their admin permissions; sme_staff get none.

Officers look at the registry, programs and every record of an application, and change
applications (only through the workflow actions) and outcome reports (the review).
Managers also configure: programs and who works on them, countries, and the tables size
classes and export tiers are derived from.

Permissions are normally created by ``post_migrate`` after the whole run, so on a fresh
database they do not exist yet when this runs: ``create_permissions`` is called for each
app first (the usual trick of marking the migration state's app configs as having models).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.management import create_permissions
from django.db import migrations

OFFICER = {
    "firms": {
        "view": ["firm", "firmmembership", "ipholding", "exportproduct"],
    },
    "programs": {
        "view": ["program", "programofficer", "country"],
    },
    "applications": {
        "view": [
            "application",
            "statuschange",
            "allocation",
            "outcomereport",
            "inforequest",
            "message",
            "applicationdocument",
        ],
        "change": ["application", "outcomereport"],
    },
}
MANAGER_EXTRA = {
    "firms": {
        "view": ["sizeclassthreshold", "exporttierband"],
        "add": ["sizeclassthreshold", "exporttierband"],
        "change": ["sizeclassthreshold", "exporttierband"],
    },
    "programs": {
        "add": ["program", "programofficer", "country"],
        "change": ["program", "programofficer", "country"],
        # Taking an officer off a program deletes the assignment row.
        "delete": ["programofficer"],
    },
}


def _codenames(spec: dict[str, dict[str, list[str]]]) -> set[tuple[str, str]]:
    return {
        (app, f"{action}_{model}")
        for app, actions in spec.items()
        for action, models in actions.items()
        for model in models
    }


def _permissions(apps: Any, wanted: set[tuple[str, str]]) -> list[Any]:
    Permission = apps.get_model("auth", "Permission")
    found = list(
        Permission.objects.filter(
            content_type__app_label__in={app for app, _ in wanted},
            codename__in={codename for _, codename in wanted},
        ).select_related("content_type")
    )
    found = [p for p in found if (p.content_type.app_label, p.codename) in wanted]
    missing = wanted - {(p.content_type.app_label, p.codename) for p in found}
    if missing:
        raise RuntimeError(f"Permissions missing after create_permissions: {sorted(missing)}")
    return found


def grant(apps: Any, schema_editor: Any) -> None:
    using = schema_editor.connection.alias
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=using)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    officer_perms = _permissions(apps, _codenames(OFFICER))
    manager_perms = _permissions(apps, _codenames(OFFICER) | _codenames(MANAGER_EXTRA))
    Group.objects.get_or_create(name="officer")[0].permissions.add(*officer_perms)
    Group.objects.get_or_create(name="manager")[0].permissions.add(*manager_perms)
    # Firms' staff work in the portal; admin is not theirs.
    Group.objects.get_or_create(name="sme_staff")[0].permissions.clear()


def revoke(apps: Any, schema_editor: Any) -> None:
    Group = apps.get_model("auth", "Group")
    everything = _codenames(OFFICER) | _codenames(MANAGER_EXTRA)
    Permission = apps.get_model("auth", "Permission")
    perms = [
        p
        for p in Permission.objects.filter(codename__in={c for _, c in everything}).select_related("content_type")
        if (p.content_type.app_label, p.codename) in everything
    ]
    for group in Group.objects.filter(name__in=["officer", "manager"]):
        group.permissions.remove(*perms)


class Migration(migrations.Migration):
    dependencies = [
        ("firms", "0002_reference_data"),
        ("programs", "0002_load_countries"),
        ("applications", "0002_inforequest_message_and_more"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
