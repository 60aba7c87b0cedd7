"""Signed links the portal mails out: email verification and firm invitations."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import signing

INVITATION_SALT = "portal.invitation"


class EmailVerificationTokenGenerator(PasswordResetTokenGenerator):
    """Django's reset-token machinery with its own salt and lifetime. ``is_active`` is part of
    the hash, so a link stops working once it has been used; it expires with
    ``PASSWORD_RESET_TIMEOUT``."""

    key_salt = "portal.tokens.EmailVerificationTokenGenerator"

    def _make_hash_value(self, user: User, timestamp: int) -> str:
        return f"{super()._make_hash_value(user, timestamp)}{user.is_active}"


email_verification_token = EmailVerificationTokenGenerator()


def invitation_token(invitation_id: int) -> str:
    return signing.dumps(invitation_id, salt=INVITATION_SALT)


def invitation_id_from_token(token: str) -> int | None:
    """The invitation id a token names, or ``None`` if it was tampered with. Expiry is the
    invitation row's own ``expires_at``, so revoking and re-sending work without new keys."""
    try:
        value = signing.loads(token, salt=INVITATION_SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None
