"""Decisions in admin: the approve/waitlist/reject actions go through decision_request (sign-off
threshold, scores rule), managers sign off or refuse in the sign-off admin (four eyes), decision
policies are saved through decision_policy_set, and the decision records are read-only and
scoped like the rest of the application's record."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from applications.decisions.services import decision_request
from applications.models import (
    Allocation,
    DecisionPolicy,
    DecisionSignOff,
    SelectionRun,
    WaitlistEntry,
    WaitlistOffer,
)
from applications.workflow import Status
from sme_support.roles import Role
from tests.admin.conftest import application_in, client_for
from tests.factories import ProgramFactory, assign_officer, user_in_group

pytestmark = pytest.mark.django_db

CHANGELIST = "/en/admin/applications/application/"
SIGN_OFFS = "/en/admin/applications/decisionsignoff/"
POLICIES = "/en/admin/applications/decisionpolicy/"


def _messages(response) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


def _approve(application, units: int, reason: str = "Strong export plan") -> dict:
    return {
        "action": "approve",
        "_selected_action": [application.pk],
        "_workflow_confirm": "1",
        "reason": reason,
        f"units_{application.pk}": units,
    }


def _sign_off(*sign_offs, verdict: str = "sign", note: str = "", confirm: bool = True) -> dict:
    data = {"action": "sign_off", "_selected_action": [s.pk for s in sign_offs]}
    if confirm:
        data.update({"_sign_off_confirm": "1", "verdict": verdict, "note": note})
    return data


@pytest.fixture
def low_threshold(program) -> DecisionPolicy:
    # 5,000,000 KRW: the 7,000,000 KRW grants below need a manager's sign-off.
    return DecisionPolicy.objects.create(program=program, sign_off_threshold_krw=5_000_000)


# --- The approve action and the threshold ---------------------------------------------------------


def test_an_approval_above_the_threshold_is_sent_for_sign_off_not_applied(
    officer, officer_client, program, low_threshold
) -> None:
    application = application_in(program, Status.UNDER_REVIEW)
    response = officer_client.post(CHANGELIST, _approve(application, 7_000_000))
    assert response.status_code == 302

    application.refresh_from_db()
    assert application.status == Status.UNDER_REVIEW
    assert not Allocation.objects.filter(application=application).exists()
    program.refresh_from_db()
    assert program.allocated == 0
    sign_off = DecisionSignOff.objects.get(application=application)
    assert (sign_off.status, sign_off.decision, sign_off.units) == ("pending", "approve", 7_000_000)
    assert (sign_off.amount_krw, sign_off.threshold_krw, sign_off.requested_by) == (7_000_000, 5_000_000, officer)
    assert sign_off.reason == "Strong export plan"
    messages = _messages(response)
    assert (
        "warning",
        "1 application was sent for a manager's sign-off; it stays as it is until a manager signs it off.",
    ) in messages
    assert any(level == "warning" and "above the 5,000,000 KRW threshold" in text for level, text in messages)
    assert not any(level == "success" for level, _ in messages)


def test_an_approval_at_the_threshold_is_applied_at_once(officer_client, program, low_threshold) -> None:
    application = application_in(program, Status.UNDER_REVIEW)
    response = officer_client.post(CHANGELIST, _approve(application, 5_000_000))
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.APPROVED
    assert not DecisionSignOff.objects.exists()
    assert ("success", "“Approve applications” was applied to 1 application.") in _messages(response)


def test_a_mixed_selection_applies_the_small_grant_and_sends_the_large_one(
    officer_client, program, low_threshold
) -> None:
    small = application_in(program, Status.UNDER_REVIEW)
    large = application_in(program, Status.UNDER_REVIEW)
    data = _approve(small, 4_000_000)
    data["_selected_action"] = [small.pk, large.pk]
    data[f"units_{large.pk}"] = 9_000_000
    response = officer_client.post(CHANGELIST, data)
    assert response.status_code == 302
    small.refresh_from_db()
    large.refresh_from_db()
    assert (small.status, large.status) == (Status.APPROVED, Status.UNDER_REVIEW)
    assert DecisionSignOff.objects.get().application == large
    levels = [level for level, _ in _messages(response)]
    assert "success" in levels and "warning" in levels


def test_a_second_decision_while_one_waits_for_sign_off_is_refused(officer_client, program, low_threshold) -> None:
    application = application_in(program, Status.UNDER_REVIEW)
    officer_client.post(CHANGELIST, _approve(application, 7_000_000))
    response = officer_client.post(
        CHANGELIST,
        {"action": "reject", "_selected_action": [application.pk], "_workflow_confirm": "1", "reason": "No"},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.UNDER_REVIEW
    assert any(level == "error" and "waiting for a manager's sign-off" in text for level, text in _messages(response))


def test_the_scores_rule_holds_in_admin(officer_client, program, monkeypatch) -> None:
    DecisionPolicy.objects.create(program=program, requires_scores=True)
    scores: dict[int, Decimal] = {}
    monkeypatch.setattr("applications.decisions.services.program_scores", lambda *, program: scores)
    application = application_in(program, Status.UNDER_REVIEW)
    response = officer_client.post(
        CHANGELIST,
        {"action": "reject", "_selected_action": [application.pk], "_workflow_confirm": "1", "reason": "Weak"},
    )
    application.refresh_from_db()
    assert application.status == Status.UNDER_REVIEW
    assert any(level == "error" and "not been scored" in text for level, text in _messages(response))

    scores[application.pk] = Decimal("61.5")
    officer_client.post(
        CHANGELIST,
        {"action": "reject", "_selected_action": [application.pk], "_workflow_confirm": "1", "reason": "Weak"},
    )
    application.refresh_from_db()
    assert application.status == Status.REJECTED


def test_waitlist_and_reject_actions_still_apply_through_the_decision_service(officer, officer_client, program) -> None:
    waiting = application_in(program, Status.UNDER_REVIEW)
    response = officer_client.post(
        CHANGELIST,
        {"action": "waitlist", "_selected_action": [waiting.pk], "_workflow_confirm": "1", "reason": "Full"},
    )
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == Status.WAITLISTED
    assert WaitlistEntry.objects.filter(application=waiting).exists()
    assert waiting.history.last().actor == officer


# --- Signing off ----------------------------------------------------------------------------------


@pytest.fixture
def pending(officer, program, low_threshold) -> DecisionSignOff:
    application = application_in(program, Status.UNDER_REVIEW)
    outcome = decision_request(
        application=application, actor=officer, decision="approve", units=7_000_000, reason="Large"
    )
    assert outcome.awaiting_sign_off
    return outcome.sign_off


def test_the_sign_off_action_asks_for_a_verdict_first(manager_client, pending) -> None:
    response = manager_client.post(SIGN_OFFS, _sign_off(pending, confirm=False))
    assert response.status_code == 200
    assert response.templates[0].name == "admin/applications/decisionsignoff/sign_off_confirm.html"
    page = response.content.decode()
    assert pending.application.receipt_number in page and 'name="verdict"' in page
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_a_manager_signs_off_and_the_approval_takes_effect(manager, manager_client, pending, program) -> None:
    response = manager_client.post(SIGN_OFFS, _sign_off(pending, note="Budget confirmed"))
    assert response.status_code == 302
    pending.refresh_from_db()
    assert (pending.status, pending.signed_by, pending.note) == ("signed", manager, "Budget confirmed")
    application = pending.application
    application.refresh_from_db()
    assert application.status == Status.APPROVED
    assert Allocation.objects.get(application=application).units == 7_000_000
    assert ("success", "1 decision was signed off and took effect.") in _messages(response)


def test_the_manager_who_asked_cannot_sign_off_their_own_approval(
    manager, manager_client, program, low_threshold
) -> None:
    application = application_in(program, Status.UNDER_REVIEW)
    # The manager asks for the approval through the admin action...
    manager_client.post(CHANGELIST, _approve(application, 7_000_000))
    sign_off = DecisionSignOff.objects.get(application=application)
    assert sign_off.requested_by == manager
    # ...and cannot then sign it off: four eyes.
    response = manager_client.post(SIGN_OFFS, _sign_off(sign_off))
    assert response.status_code == 302
    assert any(level == "error" and "four-eyes" in text for level, text in _messages(response))
    sign_off.refresh_from_db()
    assert sign_off.status == "pending"
    application.refresh_from_db()
    assert application.status == Status.UNDER_REVIEW
    # Another manager can.
    response = client_for(user_in_group(Role.MANAGER)).post(SIGN_OFFS, _sign_off(sign_off))
    application.refresh_from_db()
    assert application.status == Status.APPROVED


def test_refusing_needs_a_note_and_leaves_the_application_under_review(manager, manager_client, pending) -> None:
    # The rule is the sign-off service's (as in the workspace and the API): reported per request.
    response = manager_client.post(SIGN_OFFS, _sign_off(pending, verdict="refuse", note="  "))
    assert response.status_code == 302
    assert any(level == "error" and "say why you refuse" in text for level, text in _messages(response))
    pending.refresh_from_db()
    assert pending.status == "pending"

    response = manager_client.post(SIGN_OFFS, _sign_off(pending, verdict="refuse", note="Budget is earmarked"))
    assert response.status_code == 302
    pending.refresh_from_db()
    assert (pending.status, pending.signed_by, pending.note) == ("refused", manager, "Budget is earmarked")
    pending.application.refresh_from_db()
    assert pending.application.status == Status.UNDER_REVIEW
    assert ("success", "1 decision was refused; the application stays under review.") in _messages(response)


def test_a_closed_request_is_reported_not_signed_again(manager_client, pending) -> None:
    manager_client.post(SIGN_OFFS, _sign_off(pending))
    response = client_for(user_in_group(Role.MANAGER)).post(SIGN_OFFS, _sign_off(pending))
    assert any(level == "error" and "no longer waiting" in text for level, text in _messages(response))


def test_officers_see_the_requests_of_their_programs_but_cannot_sign_off(officer, officer_client, pending) -> None:
    response = officer_client.get(SIGN_OFFS)
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [pending]
    action_form = response.context["action_form"]
    assert action_form is None or "sign_off" not in dict(action_form.fields["action"].choices)
    assert officer_client.get(f"{SIGN_OFFS}{pending.pk}/change/").status_code == 200

    response = officer_client.post(SIGN_OFFS, _sign_off(pending))
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_an_officer_of_another_program_sees_no_request(pending) -> None:
    outsider = user_in_group(Role.OFFICER)
    assign_officer(ProgramFactory(), outsider)
    client = client_for(outsider)
    response = client.get(SIGN_OFFS)
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []
    assert client.get(f"{SIGN_OFFS}{pending.pk}/change/").status_code == 404


def test_sign_off_requests_cannot_be_added_changed_or_deleted(superuser_client, pending) -> None:
    assert superuser_client.get(f"{SIGN_OFFS}add/").status_code == 403
    assert superuser_client.get(f"{SIGN_OFFS}{pending.pk}/delete/").status_code == 403
    response = superuser_client.post(f"{SIGN_OFFS}{pending.pk}/change/", {"status": "signed"})
    assert response.status_code == 403
    pending.refresh_from_db()
    assert pending.status == "pending"


# --- Decision policies -----------------------------------------------------------------------------


def _policy_form(program, **overrides) -> dict:
    data = {
        "program": str(program.pk),
        "sign_off_threshold_krw": "20000000",
        "value_per_unit_krw": "",
        "requires_scores": "on",
        "offer_days": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_a_manager_sets_a_policy_through_the_service(manager, manager_client, program) -> None:
    response = manager_client.post(f"{POLICIES}add/", _policy_form(program))
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    policy = DecisionPolicy.objects.get(program=program)
    assert (policy.sign_off_threshold_krw, policy.requires_scores, policy.offer_days) == (20_000_000, True, None)
    assert policy.updated_by == manager

    response = manager_client.post(
        f"{POLICIES}{program.pk}/change/",
        _policy_form(program, sign_off_threshold_krw="", requires_scores=None, offer_days="3"),
    )
    assert response.status_code == 302
    policy.refresh_from_db()
    assert (policy.sign_off_threshold_krw, policy.requires_scores, policy.offer_days) == (None, False, 3)
    page = manager_client.get(f"{POLICIES}{program.pk}/change/").content.decode()
    assert "30,000,000 KRW" in page  # the agency default is in effect again


def test_bad_policy_values_come_back_on_the_form(manager_client, program) -> None:
    response = manager_client.post(
        f"{POLICIES}add/", _policy_form(program, sign_off_threshold_krw="-5", offer_days="0")
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "sign_off_threshold_krw" in errors and "offer_days" in errors
    assert not DecisionPolicy.objects.exists()


def test_the_service_refusal_is_shown_on_the_form(manager_client, program, monkeypatch) -> None:
    from applications.errors import InvalidInput

    def refuse(**kwargs):
        raise InvalidInput("The threshold is not allowed for this program.")

    monkeypatch.setattr("applications.admin.decisions.decision_policy_set", refuse)
    response = manager_client.post(f"{POLICIES}add/", _policy_form(program))
    assert response.status_code == 200
    assert "The threshold is not allowed for this program." in str(response.context["adminform"].form.errors)
    assert not DecisionPolicy.objects.exists()


def test_officers_view_policies_of_their_programs_only(officer_client, program) -> None:
    own = DecisionPolicy.objects.create(program=program, sign_off_threshold_krw=1)
    DecisionPolicy.objects.create(program=ProgramFactory(), sign_off_threshold_krw=2)
    response = officer_client.get(POLICIES)
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [own]
    assert officer_client.get(f"{POLICIES}add/").status_code == 403
    response = officer_client.post(f"{POLICIES}{program.pk}/change/", _policy_form(program, sign_off_threshold_krw="9"))
    assert response.status_code == 403
    own.refresh_from_db()
    assert own.sign_off_threshold_krw == 1


# --- Selection runs and the waitlist -----------------------------------------------------------------


@pytest.fixture
def waitlist_records(officer, program) -> tuple:
    waiting = application_in(program, Status.WAITLISTED, actor=officer)
    entry = WaitlistEntry.objects.get(application=waiting)
    now = timezone.now()
    offer = WaitlistOffer.objects.create(
        application=waiting, program=program, units=1_000, offered_at=now, expires_at=now + dt.timedelta(days=5)
    )
    run = SelectionRun.objects.create(
        program=program,
        run_by=officer,
        run_at=now,
        fingerprint="f" * 64,
        capacity=program.capacity,
        allocated_before=0,
        approved=0,
        waitlisted=1,
    )
    other = ProgramFactory()
    SelectionRun.objects.create(
        program=other, run_at=now, fingerprint="0" * 64, capacity=1, allocated_before=0, approved=0, waitlisted=0
    )
    return entry, offer, run


@pytest.mark.parametrize(
    ("path", "index"),
    [("waitlistentry", 0), ("waitlistoffer", 1), ("selectionrun", 2)],
)
def test_waitlist_and_selection_records_are_read_only_and_scoped(
    officer_client, superuser_client, waitlist_records, path, index
) -> None:
    obj = waitlist_records[index]
    url = f"/en/admin/applications/{path}/"
    response = officer_client.get(url)
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [obj]
    assert officer_client.get(f"{url}{obj.pk}/change/").status_code == 200
    assert superuser_client.get(f"{url}add/").status_code == 403
    assert superuser_client.get(f"{url}{obj.pk}/delete/").status_code == 403
    outsider = user_in_group(Role.OFFICER)
    assign_officer(ProgramFactory(), outsider)
    assert client_for(outsider).get(f"{url}{obj.pk}/change/").status_code == 404


def test_firm_staff_and_plain_staff_cannot_reach_the_decision_admins(firm_staff, pending) -> None:
    firm_staff.is_staff = True
    firm_staff.save(update_fields=["is_staff"])
    client = client_for(firm_staff)
    for path in ("decisionsignoff", "decisionpolicy", "waitlistoffer", "waitlistentry", "selectionrun"):
        assert client.get(f"/en/admin/applications/{path}/").status_code == 403, path
