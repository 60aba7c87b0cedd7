"""Sign-up with email verification.

An account is created inactive; the emailed link (Django's token machinery, see
portal.tokens) activates it. Django's password validators apply.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _

from firms.validators import normalize_email
from notifications.services import language_of, language_set
from portal.tokens import email_verification_token


@transaction.atomic
def signup_create(*, email: str, password: str, language: str) -> User:
    """Create an inactive account for ``email`` (or refresh a never-verified one)."""
    address = normalize_email(email)
    existing = User.objects.select_for_update().filter(Q(username__iexact=address) | Q(email__iexact=address)).first()
    if existing is not None and (existing.is_active or existing.last_login is not None):
        raise ValidationError(
            {
                "email": _(
                    "An account with this email address already exists. Log in, or reset your password if you forgot it."
                )
            },
            code="exists",
        )
    # Someone who signed up but never clicked the link may simply sign up again: the new
    # password replaces the old one, and only the mailbox owner can activate it.
    user = existing or User(username=address, email=address)
    user.is_active = False
    validate_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    language_set(user=user, language=language)
    return user


def uid_for(user: User) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))


def verification_email_send(*, user: User, base_url: str, next_url: str = "") -> None:
    """Mail the activation link, in the user's language."""
    with translation.override(language_of(user)):
        path = reverse(
            "portal:verify_email",
            kwargs={"uidb64": uid_for(user), "token": email_verification_token.make_token(user)},
        )
        link = base_url.rstrip("/") + path
        if next_url:
            link += "?" + urlencode({"next": next_url})
        context = {"user": user, "link": link}
        subject = render_to_string("portal/email/verify_subject.txt", context).strip()
        body = render_to_string("portal/email/verify_body.txt", context)
    send_mail(subject, body, None, [user.email])


@transaction.atomic
def email_verify(*, uidb64: str, token: str) -> User | None:
    """Activate the account the link names; ``None`` for a bad, used or expired link."""
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (ValueError, TypeError, UnicodeDecodeError, OverflowError):
        return None
    user = User.objects.select_for_update().filter(pk=pk).first()
    if user is None or not email_verification_token.check_token(user, token):
        return None
    user.is_active = True
    user.save(update_fields=["is_active"])
    return user


def verification_resend(*, email: str, base_url: str) -> bool:
    """Mail a fresh link if ``email`` names an account still waiting for verification. The
    page says the same either way, so it does not reveal which addresses have accounts."""
    user = User.objects.filter(email__iexact=normalize_email(email), is_active=False, last_login=None).first()
    if user is None:
        return False
    verification_email_send(user=user, base_url=base_url)
    return True
