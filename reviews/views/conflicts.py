"""The register of conflicts of interest: each officer declares theirs; managers see all."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from reviews.forms import ConflictRegisterForm
from reviews.selectors import conflict_list
from reviews.services import conflict_declare
from reviews.views.access import OfficerRequest, officer_required
from sme_support.errors import DomainError
from sme_support.roles import is_manager


@officer_required
@require_http_methods(["GET", "POST"])
def conflicts(request: OfficerRequest) -> HttpResponse:
    form = ConflictRegisterForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            firm = form.cleaned_data["brn"]
            try:
                conflict_declare(reviewer=request.user, firm=firm, reason=form.cleaned_data["reason"])
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request, _("Your conflict of interest with %(firm)s is in the register.") % {"firm": firm}
                )
                return redirect("reviews:conflicts")
    page = Paginator(conflict_list(user=request.user), 50).get_page(request.GET.get("page"))
    context = {"nav": "conflicts", "form": form, "page": page, "everyone": is_manager(request.user)}
    return render(request, "reviews/conflicts.html", context, status=status)
