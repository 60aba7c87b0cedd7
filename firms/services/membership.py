"""Joining a firm: registering a new one, asking to join an existing one, invitations."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from firms.errors import FirmRefusal
from firms.models import Firm, FirmMembership, Invitation, JoinRequest
from firms.services.registry import firm_add_member, firm_create
from firms.validators import normalize_email
from notifications.services import language_of, notify


def _refuse_if_member(user: User) -> None:
    if FirmMembership.objects.filter(user=user).exists():
        raise FirmRefusal(_("Your account already belongs to a firm."))


def _require_member(*, firm: Firm, actor: User) -> None:
    if not FirmMembership.objects.filter(firm=firm, user=actor).exists():
        raise FirmRefusal(_("Only the firm's members can do this."))


def _members(firm: Firm) -> list[User]:
    return [m.user for m in firm.memberships.select_related("user")]


def _cancel_pending_requests(user: User) -> None:
    JoinRequest.objects.filter(user=user, status=JoinRequest.Status.PENDING).update(
        status=JoinRequest.Status.CANCELLED, decided_at=timezone.now()
    )


@transaction.atomic
def firm_register(*, user: User, **fields: Any) -> Firm:
    """Register a new firm with ``user`` as its owner. Validation (BRN check digit, uniqueness,
    every field) is the firm registry's: ``firms.services.firm_create`` raises ValidationError."""
    _refuse_if_member(user)
    firm = firm_create(owner=user, **fields)
    _cancel_pending_requests(user)
    return firm


@transaction.atomic
def join_request_create(*, user: User, firm: Firm, message: str = "") -> JoinRequest:
    _refuse_if_member(user)
    pending = JoinRequest.objects.select_for_update().filter(user=user, status=JoinRequest.Status.PENDING).first()
    if pending is not None:
        if pending.firm_id == firm.pk:
            return pending
        raise FirmRefusal(
            _("You already asked to join %(firm)s. Cancel that request before asking another firm.")
            % {"firm": pending.firm}
        )
    try:
        with transaction.atomic():
            request = JoinRequest.objects.create(user=user, firm=firm, message=message.strip()[:1000])
    except IntegrityError as exc:  # a second tab got there first
        raise FirmRefusal(_("You already have a pending request to join a firm.")) from exc
    email = user.email
    notify(
        users=_members(firm),
        kind="join_request",
        title=lambda: _("%(email)s asks to join your firm") % {"email": email},
        body=lambda: message,
        url=reverse("portal:firm_members"),
    )
    return request


@transaction.atomic
def join_request_cancel(*, join_request: JoinRequest, user: User) -> JoinRequest:
    locked = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
    if locked.user_id != user.pk:
        raise FirmRefusal(_("This is not your request."))
    if locked.status != JoinRequest.Status.PENDING:
        raise FirmRefusal(_("This request has already been decided."))
    locked.status = JoinRequest.Status.CANCELLED
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decided_at"])
    return locked


def _decide(*, join_request: JoinRequest, actor: User) -> JoinRequest:
    locked = JoinRequest.objects.select_for_update().select_related("firm", "user").get(pk=join_request.pk)
    _require_member(firm=locked.firm, actor=actor)
    if locked.status != JoinRequest.Status.PENDING:
        raise FirmRefusal(_("This request has already been decided."))
    return locked


@transaction.atomic
def join_request_approve(*, join_request: JoinRequest, actor: User) -> FirmMembership:
    locked = _decide(join_request=join_request, actor=actor)
    if FirmMembership.objects.filter(user=locked.user).exists():
        raise FirmRefusal(_("This person has joined another firm in the meantime."))
    membership = firm_add_member(firm=locked.firm, user=locked.user)
    locked.status, locked.decided_by, locked.decided_at = JoinRequest.Status.APPROVED, actor, timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    firm = locked.firm
    notify(
        users=[locked.user],
        kind="join_request_approved",
        title=lambda: _("You are now a member of %(firm)s") % {"firm": firm},
        url=reverse("portal:dashboard"),
    )
    return membership


@transaction.atomic
def join_request_decline(*, join_request: JoinRequest, actor: User) -> JoinRequest:
    locked = _decide(join_request=join_request, actor=actor)
    locked.status, locked.decided_by, locked.decided_at = JoinRequest.Status.DECLINED, actor, timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    firm = locked.firm
    notify(
        users=[locked.user],
        kind="join_request_declined",
        title=lambda: _("%(firm)s declined your request to join") % {"firm": firm},
    )
    return locked


@transaction.atomic
def invitation_create(*, firm: Firm, actor: User, email: str, base_url: str) -> Invitation:
    """Invite ``email`` to the firm and mail the signed link. Inviting the same address again
    re-sends the open invitation with a fresh expiry."""
    _require_member(firm=firm, actor=actor)
    address = normalize_email(email)
    if FirmMembership.objects.filter(firm=firm, user__email__iexact=address).exists():
        raise FirmRefusal(_("%(email)s is already a member of your firm.") % {"email": address})
    expires = timezone.now() + dt.timedelta(days=settings.PORTAL_INVITATION_DAYS)
    invitation = (
        Invitation.objects.select_for_update()
        .filter(firm=firm, email__iexact=address, accepted_at=None, revoked_at=None)
        .first()
    )
    if invitation is None:
        invitation = Invitation(firm=firm, email=address, invited_by=actor, expires_at=expires)
        invitation.full_clean(validate_constraints=False)
    else:
        invitation.invited_by, invitation.expires_at = actor, expires
    invitation.save()
    invitation_email_send(invitation=invitation, base_url=base_url, language=language_of(actor))
    return invitation


def invitation_email_send(*, invitation: Invitation, base_url: str, language: str) -> None:
    with translation.override(language):
        link = base_url.rstrip("/") + reverse(
            "portal:invitation_accept", kwargs={"token": invitation_token(invitation.pk)}
        )
        context = {"invitation": invitation, "link": link, "firm": invitation.firm}
        subject = render_to_string("portal/email/invitation_subject.txt", context).strip()
        body = render_to_string("portal/email/invitation_body.txt", context)
    send_mail(subject, body, None, [invitation.email])


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: User) -> Invitation:
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    _require_member(firm=locked.firm, actor=actor)
    if locked.accepted_at is None and locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
    return locked


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> FirmMembership:
    locked = Invitation.objects.select_for_update().select_related("firm").get(pk=invitation.pk)
    if not locked.is_open:
        raise FirmRefusal(_("This invitation has expired or was withdrawn. Ask the firm to invite you again."))
    if normalize_email(user.email) != normalize_email(locked.email):
        raise FirmRefusal(
            _("This invitation was sent to %(email)s. Log in with that address to accept it.") % {"email": locked.email}
        )
    _refuse_if_member(user)
    membership = firm_add_member(firm=locked.firm, user=user)
    locked.accepted_by, locked.accepted_at = user, timezone.now()
    locked.save(update_fields=["accepted_by", "accepted_at"])
    _cancel_pending_requests(user)
    return membership


# --- Invitation links ----------------------------------------------------------------------------

# The salt invitations were first signed with; changing it would void every link in people's inboxes.
INVITATION_SALT = "portal.invitation"


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
