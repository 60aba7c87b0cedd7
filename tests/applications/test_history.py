"""The status history is append-only: rows are written by the workflow and never changed or
deleted; read in order they retell the application's journey."""

from __future__ import annotations

import itertools

import pytest

from applications.intake.services import application_submit
from applications.models import AppendOnlyError, StatusChange
from applications.workflow import ActorKind, Status
from tests.applications.workflow_driver import FAST_HASHERS, Cast, drive_to, make_cast

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture
def cast() -> Cast:
    return make_cast()


@pytest.fixture
def row(cast: Cast) -> StatusChange:
    app = drive_to(cast.new_application(), Status.SUBMITTED, cast)
    return StatusChange.objects.get(application=app)


def _db_values(pk: int) -> dict[str, object]:
    return StatusChange.objects.filter(pk=pk).values(
        "transition", "from_status", "to_status", "actor", "actor_kind", "at", "note"
    )[0]


def test_saving_an_existing_row_is_refused(row: StatusChange) -> None:
    before = _db_values(row.pk)
    row.note = "Rewritten later"
    row.to_status = Status.APPROVED
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.save(update_fields=["note"])
    assert _db_values(row.pk) == before


def test_saving_a_row_fetched_again_is_refused(row: StatusChange) -> None:
    fetched = StatusChange.objects.get(pk=row.pk)
    with pytest.raises(AppendOnlyError):
        fetched.save()


def test_deleting_a_row_is_refused(row: StatusChange) -> None:
    before = _db_values(row.pk)
    with pytest.raises(AppendOnlyError):
        row.delete()
    assert StatusChange.objects.filter(pk=row.pk).exists()
    assert _db_values(row.pk) == before


def test_a_new_row_can_be_appended(row: StatusChange) -> None:
    appended = StatusChange(
        application=row.application,
        transition="start_screening",
        from_status=Status.SUBMITTED,
        to_status=Status.SCREENING,
        actor=None,
        actor_kind=ActorKind.SYSTEM,
        at=row.at,
    )
    appended.save()
    assert StatusChange.objects.filter(application=row.application).count() == 2


def test_history_retells_the_journey_in_order(cast: Cast) -> None:
    app = drive_to(cast.new_application(), Status.COMPLETED, cast)
    rows = list(app.history.all())  # the model's default ordering: by time
    assert [r.transition for r in rows] == [
        "submit",
        "start_screening",
        "mark_eligible",
        "start_review",
        "approve",
        "complete",
    ]
    assert rows[0].from_status == Status.DRAFT
    for previous, current in itertools.pairwise(rows):
        assert current.from_status == previous.to_status
        assert current.at >= previous.at
    assert rows[-1].to_status == app.status
    assert [r.actor_kind for r in rows] == ["firm", "system", "system", "officer", "officer", "officer"]
    assert [r.actor for r in rows] == [cast.firm_staff, None, None, cast.officer, cast.officer, cast.officer]


def test_queryset_update_and_delete_are_refused(firm, firm_staff, program) -> None:
    from applications.models import AppendOnlyError, StatusChange
    from tests.factories import ApplicationFactory

    app = ApplicationFactory(program=program, firm=firm)
    application_submit(application=app, actor=firm_staff)
    with pytest.raises(AppendOnlyError):
        StatusChange.objects.filter(application=app).update(note="rewritten")
    with pytest.raises(AppendOnlyError):
        StatusChange.objects.filter(application=app).delete()


def test_the_database_refuses_raw_updates_and_deletes_of_history(firm, firm_staff, program) -> None:
    from django.db import DatabaseError, connection, transaction

    from tests.factories import ApplicationFactory

    app = ApplicationFactory(program=program, firm=firm)
    application_submit(application=app, actor=firm_staff)
    for sql in (
        "UPDATE applications_statuschange SET note = 'x' WHERE application_id = %s",
        "DELETE FROM applications_statuschange WHERE application_id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [app.pk])
    assert app.history.count() == 1


def test_an_application_with_history_cannot_be_deleted(firm, firm_staff, program) -> None:
    from django.db.models import ProtectedError

    from tests.factories import ApplicationFactory

    app = ApplicationFactory(program=program, firm=firm)
    application_submit(application=app, actor=firm_staff)
    with pytest.raises(ProtectedError):
        app.delete()
