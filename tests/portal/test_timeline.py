"""The application timeline in the portal: moves read as statuses, events as events, and the
agency's internal steps stay out of it."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.casework.services import application_start_review
from applications.decisions.grants import application_reduce_grant
from applications.decisions.moves import application_approve
from applications.eligibility.screening import application_screen
from applications.intake.services import application_submit
from applications.models import StatusChange
from applications.transitions import record_event
from applications.workflow import ActorKind, Status
from portal.timeline import firm_timeline
from tests.portal.conftest import under_review

pytestmark = pytest.mark.django_db


def detail(client, application) -> str:
    return client.get(reverse("portal:application_detail", kwargs={"pk": application.pk})).content.decode()


def _move(application, transition: str, source: str, target: str, note: str = "") -> StatusChange:
    """A history row as the system writes it (the bulk re-check and FCFS selection write these)."""
    return StatusChange.objects.create(
        application=application,
        transition=transition,
        from_status=source,
        to_status=target,
        actor=None,
        actor_kind=ActorKind.SYSTEM,
        at=timezone.now(),
        note=note,
    )


@pytest.fixture
def approved(draft, firm_staff, officer):
    under_review(draft, firm_staff, officer)
    application_approve(application=draft, actor=officer, units=7_000_000, reason="A clear export plan")
    draft.refresh_from_db()
    return draft


def test_a_reduced_grant_is_an_event_not_a_second_approval(portal_client, approved, officer) -> None:
    application_reduce_grant(application=approved, actor=officer, units=5_000_000, reason="The budget was cut")
    body = detail(portal_client, approved)
    assert "<em>Grant reduced</em>" in body
    assert "Grant reduced from 7,000,000 to 5,000,000: The budget was cut" in body
    assert body.count("<strong>Approved</strong>") == 1


def test_sign_off_steps_stay_internal(portal_client, approved, officer) -> None:
    record_event(
        application=approved, event="sign_off_requested", actor=officer, note="Internal: ask Kim to sign this off"
    )
    record_event(application=approved, event="sign_off_signed", actor=officer, note="Internal: signed")
    body = detail(portal_client, approved)
    assert "Internal:" not in body
    assert "ign-off" not in body and "igned off" not in body
    assert body.count("<strong>Approved</strong>") == 1


def test_events_the_portal_does_not_know_are_not_shown(approved, officer) -> None:
    record_event(application=approved, event="something_new", actor=officer, note="Officers only")
    assert all(entry.note != "Officers only" for entry in firm_timeline(approved))
    assert [entry.kind for entry in firm_timeline(approved)] == ["status"] * 5


def test_rule_change_rechecks_say_why_the_status_moved(portal_client, draft, firm_staff) -> None:
    application_submit(application=draft, actor=firm_staff)
    application_screen(application_id=draft.pk)
    draft.refresh_from_db()
    assert draft.status == Status.ELIGIBLE
    _move(
        draft,
        "recheck_ineligible",
        Status.ELIGIBLE,
        Status.INELIGIBLE,
        "Re-checked under eligibility rules version 2; not met: Employees.",
    )
    _move(
        draft,
        "recheck_eligible",
        Status.INELIGIBLE,
        Status.ELIGIBLE,
        "Re-checked under eligibility rules version 3: every rule passed.",
    )
    body = detail(portal_client, draft)
    assert "<strong>Ineligible after a rules change</strong>" in body
    assert "<strong>Eligible after a rules change</strong>" in body
    assert "not met: Employees." in body and "every rule passed." in body


def test_first_come_first_served_review_reads_as_under_review_with_its_reason(portal_client, draft, firm_staff) -> None:
    application_submit(application=draft, actor=firm_staff)
    application_screen(application_id=draft.pk)
    _move(
        draft,
        "auto_review",
        Status.ELIGIBLE,
        Status.UNDER_REVIEW,
        "First come, first served: taken into review as soon as it was found eligible.",
    )
    body = detail(portal_client, draft)
    assert "<strong>Under review</strong>" in body
    assert "taken into review as soon as it was found eligible" in body


def test_an_officers_internal_move_shows_the_status_without_its_note(portal_client, draft, firm_staff, officer) -> None:
    application_submit(application=draft, actor=firm_staff)
    application_screen(application_id=draft.pk)
    draft.refresh_from_db()
    application_start_review(application=draft, actor=officer)
    _move(draft, "start_review", Status.UNDER_REVIEW, Status.UNDER_REVIEW, "Internal reviewer remark")
    entries = firm_timeline(draft)
    assert [str(e.title) for e in entries][-2:] == ["Under review", "Start review"]
    assert "Internal reviewer remark" not in detail(portal_client, draft)


def test_the_timeline_keeps_time_order(approved) -> None:
    entries = firm_timeline(approved)
    assert [e.at for e in entries] == sorted(e.at for e in entries)
    assert [e.status for e in entries] == [
        Status.SUBMITTED,
        Status.SCREENING,
        Status.ELIGIBLE,
        Status.UNDER_REVIEW,
        Status.APPROVED,
    ]
