from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from notifications.models import UserPreference
from sme_support.roles import Role
from tests.factories import UserFactory, user_in_group

pytestmark = pytest.mark.django_db
User = get_user_model()
PASSWORD = "Sunflower-Harbour-42"


def _link(message: mail.EmailMessage) -> str:
    match = re.search(r"https?://[^/\s]+(/\S+)", message.body)
    assert match, message.body
    return match.group(1)


def _signup(client, email: str = "Jiwoo@Example.test", password: str = PASSWORD):
    return client.post(reverse("portal:signup"), {"email": email, "password1": password, "password2": password})


def test_signup_creates_an_inactive_account_and_mails_a_verification_link(client) -> None:
    response = _signup(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:signup_sent")
    user = User.objects.get(email="jiwoo@example.test")
    assert not user.is_active
    assert user.username == "jiwoo@example.test"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["jiwoo@example.test"]
    assert "/portal/verify/" in mail.outbox[0].body


def test_login_before_verification_says_the_address_is_not_verified(client) -> None:
    _signup(client)
    response = client.post(reverse("portal:login"), {"username": "jiwoo@example.test", "password": PASSWORD})
    assert response.status_code == 200
    assert "not verified yet" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_verification_link_activates_once_then_login_works(client) -> None:
    _signup(client)
    link = _link(mail.outbox[0])
    response = client.get(link)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:login"))
    assert User.objects.get(email="jiwoo@example.test").is_active
    # The link is single-use.
    assert client.get(link).status_code == 400
    response = client.post(reverse("portal:login"), {"username": "JIWOO@example.test", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:dashboard")
    onboarding = client.get(reverse("portal:dashboard"))
    assert "Register your firm" in onboarding.content.decode()


def test_tampered_verification_link_is_refused(client) -> None:
    _signup(client)
    link = _link(mail.outbox[0])
    assert client.get(link[:-3] + "abc/").status_code == 400
    assert client.get("/portal/verify/!!/x-y/").status_code == 400
    assert not User.objects.get(email="jiwoo@example.test").is_active


def test_signup_applies_password_validators_and_keeps_the_email(client) -> None:
    response = _signup(client, email="keep.me@example.test", password="12345678")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="keep.me@example.test"' in body
    assert "too common" in body or "entirely numeric" in body
    assert not User.objects.filter(email="keep.me@example.test").exists()


def test_signup_with_mismatched_passwords_is_refused(client) -> None:
    response = client.post(
        reverse("portal:signup"), {"email": "a@example.test", "password1": PASSWORD, "password2": PASSWORD + "x"}
    )
    assert response.status_code == 200
    assert "The two passwords differ" in response.content.decode()


def test_signup_refuses_an_address_with_an_active_account(client) -> None:
    UserFactory(username="taken@example.test", email="taken@example.test")
    response = _signup(client, email="Taken@example.test")
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert len(mail.outbox) == 0


def test_resend_verification_sends_a_new_link_only_to_waiting_accounts(client) -> None:
    _signup(client)
    mail.outbox.clear()
    client.post(reverse("portal:signup_sent"), {"email": "jiwoo@example.test"})
    assert len(mail.outbox) == 1
    client.post(reverse("portal:signup_sent"), {"email": "nobody@example.test"})
    assert len(mail.outbox) == 1


def test_lockout_after_five_failed_logins_for_that_username_and_address(client) -> None:
    UserFactory(username="lock@example.test", email="lock@example.test", password=PASSWORD)
    url = reverse("portal:login")
    for _ in range(4):
        response = client.post(url, {"username": "lock@example.test", "password": "wrong"})
        assert response.status_code == 200
    fifth = client.post(url, {"username": "lock@example.test", "password": "wrong"})
    assert fifth.status_code == 429
    # Even the right password is refused while locked out.
    locked = client.post(url, {"username": "lock@example.test", "password": PASSWORD})
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address is not locked: the lockout is by username and IP together.
    other = client.post(url, {"username": "lock@example.test", "password": PASSWORD}, REMOTE_ADDR="10.9.9.9")
    assert other.status_code == 302


def test_successful_login_resets_the_failure_count(client) -> None:
    UserFactory(username="reset@example.test", email="reset@example.test", password=PASSWORD)
    url = reverse("portal:login")
    for _ in range(4):
        client.post(url, {"username": "reset@example.test", "password": "wrong"})
    assert client.post(url, {"username": "reset@example.test", "password": PASSWORD}).status_code == 302
    client.post(reverse("portal:logout"))
    for _ in range(4):
        assert client.post(url, {"username": "reset@example.test", "password": "wrong"}).status_code == 200


def test_admin_login_still_works_with_axes(client) -> None:
    admin = UserFactory(username="boss", is_staff=True, is_superuser=True, password=PASSWORD)
    assert client.get(reverse("admin:login")).status_code == 200
    response = client.post(reverse("admin:login"), {"username": "boss", "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == admin.pk


def test_password_reset_by_email(client) -> None:
    UserFactory(username="forgot@example.test", email="forgot@example.test", password=PASSWORD)
    response = client.post(reverse("portal:password_reset"), {"email": "forgot@example.test"})
    assert response["Location"] == reverse("portal:password_reset_done")
    link = _link(mail.outbox[0])
    assert "/portal/password/reset/" in link
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    new_password = "Another-Long-Passphrase-7"
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password})
    assert done["Location"] == reverse("portal:password_reset_complete")
    assert (
        client.post(reverse("portal:login"), {"username": "forgot@example.test", "password": new_password}).status_code
        == 302
    )


def test_logout_is_a_post_and_ends_the_session(portal_client) -> None:
    assert portal_client.get(reverse("portal:logout")).status_code == 405
    response = portal_client.post(reverse("portal:logout"))
    assert response["Location"] == reverse("portal:login")
    assert portal_client.get(reverse("portal:dashboard")).status_code == 302


def test_anonymous_visitors_are_sent_to_the_portal_login(client) -> None:
    response = client.get(reverse("portal:catalogue"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:login") + "?next=")


@pytest.mark.parametrize("role", [Role.OFFICER, Role.MANAGER])
def test_staff_accounts_cannot_use_the_portal(client, role, draft) -> None:
    client.force_login(user_in_group(role))
    for url in (
        reverse("portal:dashboard"),
        reverse("portal:catalogue"),
        reverse("portal:firm_register"),
        reverse("portal:application_detail", kwargs={"pk": draft.pk}),
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "This portal is for firms" in response.content.decode()
    assert client.post(reverse("portal:apply", kwargs={"program_pk": draft.program_id})).status_code == 403


def test_superuser_gets_the_staff_page_too(client) -> None:
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert client.get(reverse("portal:dashboard")).status_code == 403


def test_language_switch_is_remembered_for_the_account(portal_client, firm_staff) -> None:
    response = portal_client.post(reverse("set_language"), {"language": "en", "next": "/portal/programs/"})
    assert response.status_code == 302
    assert response["Location"] == "/en/portal/programs/"
    assert UserPreference.objects.get(user=firm_staff).language == "en"
    portal_client.post(reverse("set_language"), {"language": "ko", "next": "/en/portal/"})
    assert UserPreference.objects.get(user=firm_staff).language == "ko"


def test_language_switch_needs_csrf(firm_staff) -> None:
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(firm_staff)
    assert client.post(reverse("set_language"), {"language": "en"}).status_code == 403


def test_login_applies_the_stored_language(client) -> None:
    user = UserFactory(username="lang@example.test", email="lang@example.test", password=PASSWORD)
    UserPreference.objects.create(user=user, language="en")
    response = client.post(reverse("portal:login"), {"username": "lang@example.test", "password": PASSWORD})
    assert response["Location"] == "/en/portal/"
    assert response.cookies["django_language"].value == "en"


def test_pages_render_in_korean_and_english(portal_client) -> None:
    korean = portal_client.get("/portal/", HTTP_ACCEPT_LANGUAGE="ko")
    assert '<html lang="ko">' in korean.content.decode()
    english = portal_client.get("/en/portal/")
    assert '<html lang="en">' in english.content.decode()


def test_switching_from_an_english_page_to_korean_drops_the_prefix(portal_client) -> None:
    response = portal_client.post(
        reverse("set_language"), {"language": "ko", "next": "/en/portal/programs/?kind=trade_show"}
    )
    assert response["Location"] == "/portal/programs/?kind=trade_show"
    assert response.cookies["django_language"].value == "ko"


@pytest.mark.parametrize("role", [Role.OFFICER, Role.MANAGER])
def test_staff_logging_in_through_the_portal_go_to_their_workspace(client, role) -> None:
    staff = user_in_group(role, username="staff@example.test", password=PASSWORD)
    response = client.post(reverse("portal:login"), {"username": staff.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("reviews:queue")
    assert client.get(response["Location"]).status_code == 200


def test_staff_sent_to_log_in_from_a_portal_page_still_land_in_the_workspace(client) -> None:
    officer = user_in_group(Role.OFFICER, username="officer@example.test", password=PASSWORD)
    response = client.post(
        reverse("portal:login") + "?next=" + reverse("portal:application_list"),
        {"username": officer.username, "password": PASSWORD},
    )
    assert response["Location"] == reverse("reviews:queue")


@pytest.mark.parametrize(
    "target",
    [
        lambda: reverse("reviews:bulk"),
        lambda: reverse("portal:document_download", kwargs={"document_pk": 7}),
        lambda: "/officer/mine/",  # the Korean (unprefixed) address
    ],
)
def test_staff_keep_a_next_page_they_can_use(client, target) -> None:
    officer = user_in_group(Role.OFFICER, username="officer@example.test", password=PASSWORD)
    url = target()
    response = client.post(
        reverse("portal:login") + "?next=" + url, {"username": officer.username, "password": PASSWORD}
    )
    assert response["Location"] == url


def test_firm_staff_still_go_to_the_dashboard(client) -> None:
    user = UserFactory(username="firm@example.test", email="firm@example.test", password=PASSWORD)
    response = client.post(reverse("portal:login"), {"username": user.username, "password": PASSWORD})
    assert response["Location"] == reverse("portal:dashboard")


def test_a_signed_in_officer_opening_the_login_page_goes_to_the_workspace(client) -> None:
    client.force_login(user_in_group(Role.OFFICER))
    response = client.get(reverse("portal:login"))
    assert response.status_code == 302
    assert response["Location"] == reverse("reviews:queue")


def test_the_staff_page_links_to_the_officer_workspace(client) -> None:
    client.force_login(user_in_group(Role.OFFICER))
    response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 403
    body = response.content.decode()
    assert f'href="{reverse("reviews:queue")}"' in body
    assert "not available yet" not in body
