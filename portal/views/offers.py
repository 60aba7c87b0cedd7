"""The firm's answer to a place offered from the waitlist: accept it, or decline it after a
confirmation page. The rules (who may answer, until when, what declining does) are the
waitlist services'; these views only show their refusals."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from applications.decisions.offers import waitlist_offer_accept, waitlist_offer_decline
from applications.models import WaitlistOffer
from portal.access import FirmRequest, firm_required
from portal.forms.applications import OfferDeclineForm
from portal.selectors import firm_offer
from portal.templatetags.portal_tags import format_units
from sme_support.errors import DomainError


def _get_offer(request: FirmRequest, offer_pk: int) -> WaitlistOffer:
    offer = firm_offer(user=request.user, pk=offer_pk)
    if offer is None:
        raise Http404
    return offer


def _closed_message(offer: WaitlistOffer) -> str | None:
    """Why the offer can no longer be answered, for the confirmation page; ``None`` if it can."""
    if offer.status != WaitlistOffer.State.OFFERED:
        return _("This offer is no longer open: it was %(status)s.") % {"status": offer.get_status_display().lower()}
    if offer.expires_at <= timezone.now():
        deadline = timezone.localtime(offer.expires_at).strftime("%Y-%m-%d %H:%M")
        return _("This offer expired on %(deadline)s and can no longer be answered.") % {"deadline": deadline}
    return None


@firm_required
@require_POST
def offer_accept(request: FirmRequest, offer_pk: int) -> HttpResponse:
    offer = _get_offer(request, offer_pk)
    try:
        waitlist_offer_accept(offer=offer, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        program = offer.application.program
        messages.success(
            request,
            _("You accepted the place. Your application is approved for %(units)s.")
            % {"units": format_units(offer.units, program.capacity_unit)},
        )
    return redirect("portal:application_detail", pk=offer.application_id)


@firm_required
@require_http_methods(["GET", "POST"])
def offer_decline(request: FirmRequest, offer_pk: int) -> HttpResponse:
    offer = _get_offer(request, offer_pk)
    if request.method == "GET":
        closed = _closed_message(offer)
        if closed is not None:
            messages.error(request, closed)
            return redirect("portal:application_detail", pk=offer.application_id)
    form = OfferDeclineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            waitlist_offer_decline(offer=offer, actor=request.user, note=form.cleaned_data["note"])
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _(
                    "You declined the place. Your application is withdrawn, and the place passes to the next "
                    "firm on the waitlist."
                ),
            )
        return redirect("portal:application_detail", pk=offer.application_id)
    context = {"offer": offer, "application": offer.application, "program": offer.application.program, "form": form}
    return render(request, "portal/offer_decline.html", context, status=400 if form.is_bound else 200)
