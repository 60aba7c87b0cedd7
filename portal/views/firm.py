"""Dashboard, firm registration, joining a firm, the firm profile and its members."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from applications.models import InfoRequest
from firms.models import ExportProduct, Firm, FirmMembership, Invitation, IPHolding, JoinRequest
from firms.services import membership
from firms.services import profile as profile_service
from firms.services.membership import invitation_id_from_token
from firms.services.registry import firm_update
from notifications.models import Notification
from portal.access import FirmRequest, PortalRequest, firm_required, portal_login_required
from portal.forms.firm import (
    ExportProductForm,
    FirmForm,
    InvitationForm,
    IPHoldingForm,
    JoinRequestForm,
    apply_validation_error,
)
from portal.selectors import (
    export_tier_band,
    firm_applications,
    firm_members_page,
    firm_of,
    open_offers,
    pending_join_request,
    size_class_derivation,
)
from portal.stash import autosave_done
from sme_support.errors import DomainError


@portal_login_required
def dashboard(request: PortalRequest) -> HttpResponse:
    firm = firm_of(request.user)
    if firm is None:
        return render(request, "portal/onboarding.html", {"join_request": pending_join_request(request.user)})
    applications = firm_applications(user=request.user)
    context = {
        "firm": firm,
        "applications": applications[:10],
        "open_info_requests": InfoRequest.objects.filter(application__in=applications, answered_at=None).select_related(
            "application", "application__program"
        ),
        "offers": open_offers(user=request.user).order_by("expires_at", "pk"),
        "unread_count": Notification.objects.filter(user=request.user, read_at=None).count(),
    }
    return render(request, "portal/dashboard.html", context)


@portal_login_required
@require_http_methods(["GET", "POST"])
def firm_register(request: PortalRequest) -> HttpResponse:
    if firm_of(request.user) is not None:
        return redirect("portal:firm_profile")
    form = FirmForm(request.POST or None)
    existing: Firm | None = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        existing = Firm.objects.filter(brn=data["brn"]).first()
        if existing is None:
            try:
                membership.firm_register(user=request.user, **data)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            except (IntegrityError, DomainError) as exc:
                # IntegrityError: another person registered the same number a moment ago.
                form.add_error(None, str(exc) if isinstance(exc, DomainError) else _("Please try again."))
            else:
                messages.success(request, _("Your firm is registered. Welcome!"))
                return redirect("portal:firm_profile")
        else:
            form.add_error("brn", _("A firm with this business registration number is already registered."))
    context = {
        "form": form,
        "existing": existing,
        "join_form": JoinRequestForm(initial={"brn": existing.brn}) if existing else None,
        "join_request": pending_join_request(request.user),
    }
    return render(request, "portal/firm_register.html", context)


@portal_login_required
@require_POST
def join_request_create(request: PortalRequest) -> HttpResponse:
    form = JoinRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please check the request and try again."))
        return redirect("portal:firm_register")
    firm = Firm.objects.filter(brn=form.cleaned_data["brn"]).first()
    if firm is None:
        raise Http404
    try:
        membership.join_request_create(user=request.user, firm=firm, message=form.cleaned_data["message"])
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your request was sent. A member of the firm will approve it."))
    return redirect("portal:dashboard")


@portal_login_required
@require_POST
def join_request_cancel(request: PortalRequest, pk: int) -> HttpResponse:
    join_request = get_object_or_404(JoinRequest, pk=pk, user=request.user)
    try:
        membership.join_request_cancel(join_request=join_request, user=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.info(request, _("Your request was cancelled."))
    return redirect("portal:dashboard")


@firm_required
@require_http_methods(["GET", "POST"])
def firm_profile(request: FirmRequest) -> HttpResponse:
    firm = request.firm
    if request.method == "POST":
        form = FirmForm(request.POST)
        if form.is_valid():
            try:
                firm_update(firm=firm, **form.cleaned_data)
            except ValidationError as exc:
                firm.refresh_from_db()
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("The firm profile was saved."))
                autosave_done(request, f"firm-{firm.pk}")
                return redirect("portal:firm_profile")
    else:
        form = FirmForm(initial=FirmForm.initial_for(firm))
    context = {
        "firm": firm,
        "form": form,
        "size": size_class_derivation(firm),
        "tier_band": export_tier_band(firm),
        "ip_holdings": firm.ip_holdings.select_related("country").order_by("kind", "registration_number"),
        "products": firm.export_products.order_by("hs_code"),
        "ip_form": IPHoldingForm(),
        "product_form": ExportProductForm(),
    }
    return render(request, "portal/firm_profile.html", context)


def _profile_item_add(
    request: FirmRequest,
    *,
    form_class: type[forms.Form],
    add: Callable[..., object],
    added: str,
    title: str,
    anchor: str,
) -> HttpResponse:
    """GET shows the form; a valid POST calls the profile service ``add`` and returns to the
    profile section; a refusal from the service lands on the form with the input kept."""
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            add(firm=request.firm, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, added)
            return redirect(reverse("portal:firm_profile") + anchor)
    return render(request, "portal/firm_item_form.html", {"form": form, "title": title})


@firm_required
@require_http_methods(["GET", "POST"])
def ip_holding_add(request: FirmRequest) -> HttpResponse:
    return _profile_item_add(
        request,
        form_class=IPHoldingForm,
        add=profile_service.ip_holding_add,
        added=_("The IP holding was added."),
        title=_("Add an IP holding"),
        anchor="#ip",
    )


@firm_required
@require_POST
def ip_holding_remove(request: FirmRequest, pk: int) -> HttpResponse:
    holding = get_object_or_404(IPHolding, pk=pk, firm=request.firm)
    profile_service.ip_holding_remove(holding=holding, actor=request.user)
    messages.info(request, _("The IP holding was removed."))
    return redirect(reverse("portal:firm_profile") + "#ip")


@firm_required
@require_http_methods(["GET", "POST"])
def export_product_add(request: FirmRequest) -> HttpResponse:
    return _profile_item_add(
        request,
        form_class=ExportProductForm,
        add=profile_service.export_product_add,
        added=_("The export product was added."),
        title=_("Add an export product"),
        anchor="#products",
    )


@firm_required
@require_POST
def export_product_remove(request: FirmRequest, pk: int) -> HttpResponse:
    product = get_object_or_404(ExportProduct, pk=pk, firm=request.firm)
    profile_service.export_product_remove(product=product, actor=request.user)
    messages.info(request, _("The export product was removed."))
    return redirect(reverse("portal:firm_profile") + "#products")


@firm_required
@require_http_methods(["GET", "POST"])
def firm_members(request: FirmRequest) -> HttpResponse:
    firm = request.firm
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership.invitation_create(
                firm=firm,
                actor=request.user,
                email=form.cleaned_data["email"],
                base_url=request.build_absolute_uri("/"),
            )
        except DomainError as exc:
            form.add_error("email", str(exc))
        else:
            messages.success(request, _("An invitation was sent to %(email)s.") % {"email": form.cleaned_data["email"]})
            return redirect("portal:firm_members")
    context = {"firm": firm, "form": form, **firm_members_page(firm)}
    return render(request, "portal/firm_members.html", context)


@firm_required
@require_POST
def join_request_decide(request: FirmRequest, pk: int) -> HttpResponse:
    join_request = get_object_or_404(JoinRequest, pk=pk, firm=request.firm)
    decision = request.POST.get("decision")
    try:
        if decision == "approve":
            membership.join_request_approve(join_request=join_request, actor=request.user)
            messages.success(request, _("%(email)s is now a member.") % {"email": join_request.user.email})
        elif decision == "decline":
            membership.join_request_decline(join_request=join_request, actor=request.user)
            messages.info(request, _("The request was declined."))
        else:
            messages.error(request, _("Choose approve or decline."))
    except DomainError as exc:
        messages.error(request, str(exc))
    return redirect("portal:firm_members")


@firm_required
@require_POST
def invitation_revoke(request: FirmRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation, pk=pk, firm=request.firm)
    membership.invitation_revoke(invitation=invitation, actor=request.user)
    messages.info(request, _("The invitation was withdrawn."))
    return redirect("portal:firm_members")


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Open to anonymous visitors so the link can send them to sign up or log in first."""
    invitation_id = invitation_id_from_token(token)
    invitation = (
        Invitation.objects.select_related("firm", "invited_by").filter(pk=invitation_id).first()
        if invitation_id
        else None
    )
    if invitation is None or not invitation.is_open:
        return render(request, "portal/invitation_invalid.html", status=404)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('portal:login')}?next={request.path}")
        # The decorator refuses staff; what reaches _accept is a PortalRequest.
        portal_view = portal_login_required(_accept)
        return portal_view(cast(PortalRequest, request), invitation)
    already_member = request.user.is_authenticated and FirmMembership.objects.filter(user=request.user).exists()
    return render(
        request,
        "portal/invitation_accept.html",
        {"invitation": invitation, "already_member": already_member, "next": request.path},
    )


def _accept(request: PortalRequest, invitation: Invitation) -> HttpResponse:
    try:
        membership.invitation_accept(invitation=invitation, user=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("portal:dashboard")
    messages.success(request, _("You are now a member of %(firm)s.") % {"firm": invitation.firm})
    return redirect("portal:dashboard")
