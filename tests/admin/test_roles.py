"""Who gets into admin, and with which permissions (firms/migrations/0003_role_permissions)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from sme_support.roles import Role
from tests.admin.conftest import application_in, client_for
from tests.factories import user_in_group

pytestmark = pytest.mark.django_db

OFFICER_PERMS = {
    "firms.view_firm",
    "firms.view_firmmembership",
    "firms.view_ipholding",
    "firms.view_exportproduct",
    "programs.view_program",
    "programs.view_programofficer",
    "programs.view_country",
    "applications.view_application",
    "applications.change_application",
    "applications.view_statuschange",
    "applications.view_allocation",
    "applications.view_outcomereport",
    "applications.change_outcomereport",
    "applications.view_inforequest",
    "applications.view_message",
    "applications.view_applicationdocument",
}
MANAGER_ONLY_PERMS = {
    "programs.add_program",
    "programs.change_program",
    "programs.add_programofficer",
    "programs.change_programofficer",
    "programs.delete_programofficer",
    "programs.add_country",
    "programs.change_country",
    "firms.view_sizeclassthreshold",
    "firms.add_sizeclassthreshold",
    "firms.change_sizeclassthreshold",
    "firms.view_exporttierband",
    "firms.add_exporttierband",
    "firms.change_exporttierband",
}


def _group_perms(name: str) -> set[str]:
    group = Group.objects.get(name=name)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def test_officer_group_has_view_rights_and_changes_only_applications_and_outcome_reports() -> None:
    assert _group_perms(Role.OFFICER) >= OFFICER_PERMS
    changes = {p for p in _group_perms(Role.OFFICER) if ".view_" not in p}
    assert changes == {"applications.change_application", "applications.change_outcomereport"}


def test_manager_group_also_configures_programs_countries_and_thresholds() -> None:
    assert _group_perms(Role.MANAGER) >= OFFICER_PERMS | MANAGER_ONLY_PERMS


def test_no_group_may_add_or_delete_applications_or_touch_history() -> None:
    for role in (Role.OFFICER, Role.MANAGER):
        perms = _group_perms(role)
        assert "applications.add_application" not in perms
        assert "applications.delete_application" not in perms
        assert not {p for p in perms if p.endswith("_statuschange") and not p.endswith("view_statuschange")}
        assert not {p for p in perms if p.endswith("_allocation") and not p.endswith("view_allocation")}


def test_sme_staff_group_has_no_permissions() -> None:
    assert _group_perms(Role.SME_STAFF) == set()


def test_officer_logs_in_through_the_admin_login_page(officer, program) -> None:
    client = Client()
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": officer.username, "password": "correct horse battery staple", "next": "/admin/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    index = client.get("/admin/")
    assert index.status_code == 200
    app_labels = {app["app_label"] for app in index.context["app_list"]}
    assert {"applications", "programs", "firms"} <= app_labels
    assert "auth" not in app_labels


def test_sme_staff_cannot_log_into_admin(firm_staff) -> None:
    client = Client()
    response = client.post(
        "/admin/login/", {"username": firm_staff.username, "password": "correct horse battery staple"}
    )
    assert response.status_code == 200  # the login form again, with an error
    assert not response.wsgi_request.user.is_authenticated or not response.wsgi_request.user.is_staff
    assert client.get("/admin/").status_code == 302


def test_signed_in_sme_staff_is_sent_to_the_admin_login(firm_staff) -> None:
    client = client_for(firm_staff)
    response = client.get("/admin/applications/application/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_sme_staff_flagged_as_staff_by_mistake_still_sees_nothing(firm, firm_staff, program) -> None:
    application = application_in(program, "submitted")
    firm_staff.is_staff = True
    firm_staff.save(update_fields=["is_staff"])
    client = client_for(firm_staff)
    index = client.get("/admin/")
    assert index.status_code == 200
    assert index.context["app_list"] == []
    assert client.get("/admin/applications/application/").status_code == 403
    # Outside what the user may see at all, so not found, as everywhere else on the site.
    assert client.get(f"/admin/applications/application/{application.pk}/change/").status_code == 404
    assert client.get("/admin/firms/firm/").status_code == 403


def test_officer_views_but_cannot_add_programs_while_a_manager_can(officer_client, manager_client, program) -> None:
    assert officer_client.get("/admin/programs/program/").status_code == 200
    assert officer_client.get("/admin/programs/program/add/").status_code == 403
    assert officer_client.get(f"/admin/programs/program/{program.pk}/change/").status_code == 200
    assert officer_client.post(f"/admin/programs/program/{program.pk}/change/", {}).status_code == 403
    assert manager_client.get("/admin/programs/program/add/").status_code == 200
    assert officer_client.get("/admin/firms/sizeclassthreshold/").status_code == 403
    assert manager_client.get("/admin/firms/sizeclassthreshold/").status_code == 200


def test_officer_cannot_change_firms(officer_client, firm) -> None:
    assert officer_client.get(f"/admin/firms/firm/{firm.pk}/change/").status_code == 200
    response = officer_client.post(f"/admin/firms/firm/{firm.pk}/change/", {"name_en": "Hijacked"})
    assert response.status_code == 403
    firm.refresh_from_db()
    assert firm.name_en != "Hijacked"


def test_a_user_with_no_role_sees_no_applications_even_as_staff(program) -> None:
    application_in(program, "submitted")
    user = user_in_group(Role.OFFICER)
    user.groups.clear()
    client = client_for(user)
    assert client.get("/admin/applications/application/").status_code == 403


def _role_permissions_migration():
    import importlib

    return importlib.import_module("firms.migrations.0003_role_permissions")


def test_role_permissions_migration_reverses_and_reapplies() -> None:
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    migration = _role_permissions_migration()
    state_apps = MigrationLoader(connection).project_state(("firms", "0003_role_permissions")).apps

    class _SchemaEditor:
        pass

    editor = _SchemaEditor()
    editor.connection = connection
    migration.revoke(state_apps, editor)
    assert _group_perms(Role.OFFICER) & OFFICER_PERMS == set()
    assert _group_perms(Role.MANAGER) & MANAGER_ONLY_PERMS == set()
    migration.grant(state_apps, editor)
    migration.grant(state_apps, editor)  # running twice does no harm
    assert _group_perms(Role.OFFICER) >= OFFICER_PERMS
    assert _group_perms(Role.MANAGER) >= OFFICER_PERMS | MANAGER_ONLY_PERMS
    assert _group_perms(Role.SME_STAFF) == set()
