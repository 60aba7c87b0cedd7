"""Sign-up, email verification, login/logout and password reset pages."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse, reverse_lazy, translate_url
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, get_language_from_path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from notifications.models import UserPreference
from portal.access import officer_workspace_url
from portal.forms.accounts import LoginForm, SignupForm
from portal.services.accounts import email_verify, signup_create, verification_email_send, verification_resend
from portal.stash import stash_clear
from sme_support.roles import is_officer

User = get_user_model()

# Portal pages agency staff may open (everything else in the portal refuses them): their
# password, and the document links the officer workspace and its e-mails point to.
STAFF_PORTAL_PAGES = frozenset({"document_download", "password_change", "password_change_done", "logout"})


def _safe_next(request: HttpRequest, value: str | None) -> str:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return ""


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("portal:dashboard")
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    form = SignupForm(request.POST or None, initial={"next": next_url})
    if request.method == "POST" and form.is_valid():
        try:
            user = signup_create(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
                language=(get_language() or settings.LANGUAGE_CODE)[:2],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                # Django's password validators speak about the password.
                form.add_error("password1", exc)
        else:
            verification_email_send(user=user, base_url=_base_url(request), next_url=next_url)
            request.session["portal_signup_email"] = user.email
            return redirect("portal:signup_sent")
    return render(request, "registration/signup.html", {"form": form})


@require_http_methods(["GET", "POST"])
def signup_sent(request: HttpRequest) -> HttpResponse:
    email = request.session.get("portal_signup_email", "")
    if request.method == "POST":
        address = request.POST.get("email", "").strip()
        if address:
            verification_resend(email=address, base_url=_base_url(request))
        messages.info(
            request, _("If that address has an account waiting for verification, we have sent a new link to it.")
        )
        return redirect("portal:signup_sent")
    return render(request, "registration/signup_sent.html", {"email": email})


def verify_email(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    user = email_verify(uidb64=uidb64, token=token)
    if user is None:
        return render(request, "registration/verify_failed.html", status=400)
    messages.success(request, _("Your email address is verified. Log in to register your firm."))
    login_url = reverse("portal:login")
    next_url = _safe_next(request, request.GET.get("next"))
    return redirect(f"{login_url}?next={next_url}" if next_url else login_url)


class LoginView(auth_views.LoginView):
    """Django's login with the portal's form, plus: a hint for accounts not yet verified, the
    user's stored language applied, and agency staff sent to the officer workspace."""

    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["form_was_stashed"] = bool(self.request.COOKIES.get("portal_form_stashed"))
        return context

    def get_success_url(self) -> str:
        # Agency staff have no business in the firms' pages: a "next" into the portal (say,
        # the login link of a portal page they opened) would only show them the refusal, so
        # they go to their workspace unless "next" is a page they can use.
        url = self.get_redirect_url()
        if is_officer(self.request.user) and (not url or not _staff_may_open(url)):
            return officer_workspace_url()
        return url or reverse("portal:dashboard")

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        if not getattr(self.request, "axes_locked_out", False):
            username = form.cleaned_data.get("username") if hasattr(form, "cleaned_data") else ""
            pending = User.objects.filter(username=username, is_active=False, last_login=None).first()
            if pending is not None and pending.check_password(self.request.POST.get("password", "")):
                form.errors.pop("__all__", None)
                form.add_error(
                    None,
                    _("Your email address is not verified yet. Click the link we sent you, or ask for a new one."),
                )
                return self.render_to_response(self.get_context_data(form=form, show_resend=True))
        return super().form_invalid(form)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        response.delete_cookie("portal_form_stashed", samesite="Lax")
        language = UserPreference.objects.filter(user=form.get_user()).values_list("language", flat=True).first()
        if language and language in dict(settings.LANGUAGES):
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE or "Lax",
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            )
            if response.has_header("Location"):
                response["Location"] = translate_url(response["Location"], language)
        return response


def _staff_may_open(url: str) -> bool:
    """Whether ``url`` (already checked to be on this site) is a page agency staff can use:
    anything outside the portal, and the few portal pages listed in ``STAFF_PORTAL_PAGES``."""
    path = urlsplit(url).path
    # Resolve in the language the path names, so /en/portal/… and /portal/… both match.
    with translation.override(get_language_from_path(path) or settings.LANGUAGE_CODE):
        try:
            match = resolve(path)
        except Resolver404:
            return True  # not a portal page; the 404 page will say so
    return match.namespace != "portal" or match.url_name in STAFF_PORTAL_PAGES


class LogoutView(auth_views.LogoutView):
    def get_default_redirect_url(self) -> str:
        return reverse("portal:login")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        stash_clear(response)
        messages.info(request, _("You have logged out."))
        return response


password_reset = auth_views.PasswordResetView.as_view(
    template_name="registration/password_reset_form.html",
    email_template_name="registration/password_reset_email.html",
    subject_template_name="registration/password_reset_subject.txt",
    success_url=reverse_lazy("portal:password_reset_done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(template_name="registration/password_reset_done.html")
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="registration/password_reset_confirm.html",
    success_url=reverse_lazy("portal:password_reset_complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="registration/password_reset_complete.html"
)
password_change = auth_views.PasswordChangeView.as_view(
    template_name="registration/portal_password_change_form.html",
    success_url=reverse_lazy("portal:password_change_done"),
)
password_change_done = auth_views.PasswordChangeDoneView.as_view(
    template_name="registration/portal_password_change_done.html"
)
