"""Signed links the portal mails out for email verification (invitations: ``firms.services.membership``)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.contrib.auth.tokens import PasswordResetTokenGenerator


class EmailVerificationTokenGenerator(PasswordResetTokenGenerator):
    """Django's reset-token machinery with its own salt and lifetime. ``is_active`` is part of
    the hash, so a link stops working once it has been used; it expires with
    ``PASSWORD_RESET_TIMEOUT``."""

    key_salt = "portal.tokens.EmailVerificationTokenGenerator"

    def _make_hash_value(self, user: User, timestamp: int) -> str:
        return f"{super()._make_hash_value(user, timestamp)}{user.is_active}"


email_verification_token = EmailVerificationTokenGenerator()
