"""Admin for decisions: programs' decision policies (managers edit them), the four-eyes
sign-off requests (read-only, with an action for managers to sign off or refuse), and the
selection runs and waitlist records (read-only).

Access is by role, as in the reviews admin: these models carry no group permissions, so
officers and managers view, managers edit policies and sign off. Officers see only the rows
of the programs assigned to them (``applications.admin_records.scope_to_user``). Every write
goes through the decision services: ``decision_policy_set`` and ``decision_sign_off``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from applications.admin.records import ApplicationProgramFilter, ProgramFilter, scope_to_user, units_with_unit
from applications.decisions.policy import decision_policy_for, decision_policy_set
from applications.decisions.selectors import sign_off_list
from applications.decisions.services import decision_sign_off
from applications.errors import InvalidInput, NotPermitted
from applications.models import DecisionPolicy, DecisionSignOff, SelectionRun, WaitlistEntry, WaitlistOffer
from programs.models import Program
from programs.selectors import program_assigned_list
from sme_support.admin_tools import NotFoundOutsideScopeMixin, ReadOnlyAdminMixin, ServiceSaveMixin
from sme_support.errors import DomainError
from sme_support.roles import is_manager, is_officer

SIGN_OFF_CONFIRM_FIELD = "_sign_off_confirm"


class _RoleViewMixin:
    """Officers and managers view; nobody else sees these in admin."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_officer(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return is_officer(request.user)


def _krw(value: int | None) -> str:
    return "—" if value is None else f"{intcomma(value)} KRW"


def _application_link(application: Any) -> SafeString:
    url = reverse("admin:applications_application_change", args=[application.pk])
    return format_html('<a href="{}">{}</a>', url, application)


# --- Decision policy ---------------------------------------------------------------------------


class DecisionPolicyForm(forms.ModelForm):
    class Meta:
        model = DecisionPolicy
        fields = ("program", "sign_off_threshold_krw", "value_per_unit_krw", "requires_scores", "offer_days")


@admin.register(DecisionPolicy)
class DecisionPolicyAdmin(_RoleViewMixin, ServiceSaveMixin, NotFoundOutsideScopeMixin, admin.ModelAdmin):
    """Managers set a program's policy through ``decision_policy_set``; an empty field means
    the agency default, and the page shows what is in effect."""

    form = DecisionPolicyForm
    list_display = (
        "program",
        "threshold_column",
        "value_column",
        "requires_scores",
        "offer_days",
        "updated_at",
        "updated_by",
    )
    list_filter = ("requires_scores", ProgramFilter, "program__kind", "program__fiscal_year")
    search_fields = ("program__code", "program__title_ko", "program__title_en")
    list_select_related = ("program", "updated_by")
    fieldsets = (
        (None, {"fields": ("program",)}),
        (
            _("Policy"),
            {"fields": ("sign_off_threshold_krw", "value_per_unit_krw", "requires_scores", "offer_days")},
        ),
        (_("In effect"), {"fields": ("in_effect_column",)}),
        (_("Record"), {"fields": ("updated_at", "updated_by")}),
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_manager(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return is_manager(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # Emptying the fields returns a program to the agency defaults; the row stays as the
        # record of who set the policy last.
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: DecisionPolicy | None = None) -> tuple[str, ...]:
        fields: tuple[str, ...] = ("in_effect_column", "updated_at", "updated_by")
        # The program is the row's key: changing it would move the policy to another program.
        return ("program", *fields) if obj is not None else fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[DecisionPolicy]:
        queryset = super().get_queryset(request).select_related("program", "updated_by")
        if is_manager(request.user):
            return queryset
        return queryset.filter(program__in=program_assigned_list(user=request.user).values("pk"))

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "program":
            # Only programs without a policy yet: each program has at most one.
            kwargs["queryset"] = Program.objects.filter(decision_policy__isnull=True).order_by("-fiscal_year", "code")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: DecisionPolicy, form: forms.ModelForm, change: bool) -> None:
        try:
            saved = decision_policy_set(
                program=obj.program,
                actor=request.user,  # type: ignore[arg-type]
                sign_off_threshold_krw=obj.sign_off_threshold_krw,
                value_per_unit_krw=obj.value_per_unit_krw,
                requires_scores=obj.requires_scores,
                offer_days=obj.offer_days,
            )
        except NotPermitted as error:
            raise PermissionDenied(error.message) from error
        except InvalidInput as error:
            # Shown on the form by ServiceSaveMixin; the attempt is rolled back.
            raise ValidationError(error.message) from error
        obj.updated_at, obj.updated_by = saved.updated_at, saved.updated_by

    @admin.display(description=_("sign-off threshold"), ordering="sign_off_threshold_krw")
    def threshold_column(self, obj: DecisionPolicy) -> str:
        return _krw(obj.sign_off_threshold_krw) if obj.sign_off_threshold_krw is not None else gettext("default")

    @admin.display(description=_("value of one unit"), ordering="value_per_unit_krw")
    def value_column(self, obj: DecisionPolicy) -> str:
        return _krw(obj.value_per_unit_krw) if obj.value_per_unit_krw is not None else gettext("default")

    @admin.display(description=_("policy in effect"))
    def in_effect_column(self, obj: DecisionPolicy) -> str:
        if obj.program_id is None:
            return "—"
        policy = decision_policy_for(obj.program)
        return gettext(
            "Approvals worth more than %(threshold)s need a manager's sign-off; one unit counts as %(value)s; "
            "%(scores)s; a waitlist offer stays open %(days)s days."
        ) % {
            "threshold": _krw(policy.sign_off_threshold_krw),
            "value": _krw(policy.value_per_unit_krw),
            "scores": gettext("review scores are required")
            if policy.requires_scores
            else gettext("review scores are not required"),
            "days": policy.offer_days,
        }


# --- Sign-off requests -------------------------------------------------------------------------


class SignOffForm(forms.Form):
    verdict = forms.ChoiceField(
        label=_("Your decision"),
        choices=(("sign", _("Sign off: the decision takes effect")), ("refuse", _("Refuse: it stays under review"))),
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text=_("Required when refusing; the officer who asked reads it and it is kept in the history."),
    )


@admin.action(description=_("Sign off or refuse the selected decisions…"), permissions=["sign_off"])
def sign_off(
    modeladmin: DecisionSignOffAdmin, request: HttpRequest, queryset: QuerySet[DecisionSignOff]
) -> HttpResponse | None:
    return modeladmin.run_sign_off(request, queryset)


@admin.register(DecisionSignOff)
class DecisionSignOffAdmin(_RoleViewMixin, NotFoundOutsideScopeMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """The four-eyes requests, read-only; managers act on them with the sign-off action."""

    list_display = (
        "requested_at",
        "application",
        "program_column",
        "decision",
        "units_column",
        "amount_column",
        "status",
        "requested_by",
        "signed_by",
        "signed_at",
    )
    list_filter = ("status", "decision", ApplicationProgramFilter)
    search_fields = (
        "application__receipt_number",
        "application__firm__name_ko",
        "application__firm__name_en",
        "reason",
        "note",
    )
    date_hierarchy = "requested_at"
    list_select_related = ("application__program", "application__firm", "requested_by", "signed_by")
    actions = [sign_off]
    fields = (
        "application_column",
        "decision",
        "units_column",
        "amount_column",
        "threshold_column",
        "reason",
        "status",
        "requested_by",
        "requested_at",
        "signed_by",
        "signed_at",
        "note",
    )
    readonly_fields = fields

    def has_sign_off_permission(self, request: HttpRequest) -> bool:
        return is_manager(request.user)

    def get_queryset(self, request: HttpRequest) -> QuerySet[DecisionSignOff]:
        queryset = sign_off_list(user=request.user).select_related("signed_by")
        ordering = self.get_ordering(request)
        return queryset.order_by(*ordering) if ordering else queryset

    @admin.display(description=_("program"), ordering="application__program")
    def program_column(self, obj: DecisionSignOff) -> Program:
        return obj.application.program

    @admin.display(description=_("application"))
    def application_column(self, obj: DecisionSignOff) -> SafeString:
        return _application_link(obj.application)

    @admin.display(description=_("units"), ordering="units")
    def units_column(self, obj: DecisionSignOff) -> str:
        return units_with_unit(obj.units, obj.application.program)

    @admin.display(description=_("amount"), ordering="amount_krw")
    def amount_column(self, obj: DecisionSignOff) -> str:
        return _krw(obj.amount_krw)

    @admin.display(description=_("threshold"), ordering="threshold_krw")
    def threshold_column(self, obj: DecisionSignOff) -> str:
        return _krw(obj.threshold_krw)

    def run_sign_off(self, request: HttpRequest, queryset: QuerySet[DecisionSignOff]) -> HttpResponse | None:
        """Ask for the verdict and a note on a confirmation page, then call
        ``decision_sign_off`` once per request, each in its own transaction: a refusal by the
        service (your own request, no longer pending, capacity short) is reported and does not
        undo the others."""
        sign_offs = list(queryset.order_by("requested_at", "pk"))
        if not sign_offs:
            self.message_user(request, gettext("None of the selected requests can be found."), messages.WARNING)
            return None
        confirmed = SIGN_OFF_CONFIRM_FIELD in request.POST
        form = SignOffForm(request.POST if confirmed else None)
        if not confirmed or not form.is_valid():
            return self._confirmation_page(request, sign_offs, form)

        approve = form.cleaned_data["verdict"] == "sign"
        note = form.cleaned_data["note"]
        signed = refused = 0
        for sign_off in sign_offs:
            try:
                outcome = decision_sign_off(sign_off=sign_off, actor=request.user, approve=approve, note=note)  # type: ignore[arg-type]
            except DomainError as error:
                self.message_user(
                    request,
                    gettext("%(application)s: %(message)s")
                    % {"application": sign_off.application, "message": error.message},
                    messages.ERROR,
                )
                continue
            if outcome.applied:
                signed += 1
            elif outcome.sign_off is not None and outcome.sign_off.status == DecisionSignOff.State.REFUSED:
                refused += 1
            else:
                # Lapsed: the application was decided or withdrawn another way meanwhile.
                self.message_user(
                    request,
                    gettext("%(application)s: %(message)s")
                    % {"application": sign_off.application, "message": outcome.message},
                    messages.WARNING,
                )
        if signed:
            self.message_user(
                request,
                ngettext(
                    "%(count)d decision was signed off and took effect.",
                    "%(count)d decisions were signed off and took effect.",
                    signed,
                )
                % {"count": signed},
                messages.SUCCESS,
            )
        if refused:
            self.message_user(
                request,
                ngettext(
                    "%(count)d decision was refused; the application stays under review.",
                    "%(count)d decisions were refused; the applications stay under review.",
                    refused,
                )
                % {"count": refused},
                messages.SUCCESS,
            )
        return None

    def _confirmation_page(
        self, request: HttpRequest, sign_offs: list[DecisionSignOff], form: SignOffForm
    ) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Sign off or refuse decisions"),
            "opts": self.opts,
            "form": form,
            "sign_offs": sign_offs,
            "media": self.media + form.media,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "confirm_field": SIGN_OFF_CONFIRM_FIELD,
            "action_name": "sign_off",
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/applications/decisionsignoff/sign_off_confirm.html", context)


# --- Selection runs and the waitlist -------------------------------------------------------------


@admin.register(SelectionRun)
class SelectionRunAdmin(_RoleViewMixin, NotFoundOutsideScopeMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("program", "run_at", "run_by", "capacity", "allocated_before", "approved", "waitlisted")
    list_filter = (ProgramFilter,)
    search_fields = ("program__code", "program__title_ko", "program__title_en")
    date_hierarchy = "run_at"
    list_select_related = ("program", "run_by")
    fields = ("program", "run_at", "run_by", "capacity", "allocated_before", "approved", "waitlisted", "fingerprint")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[SelectionRun]:
        queryset = super().get_queryset(request)
        if is_manager(request.user):
            return queryset
        return queryset.filter(program__in=program_assigned_list(user=request.user).values("pk"))


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(_RoleViewMixin, NotFoundOutsideScopeMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("program", "rank", "application", "firm_column", "application_status_column", "created_at")
    list_filter = (ProgramFilter, "application__status")
    search_fields = ("application__receipt_number", "application__firm__name_ko", "application__firm__name_en")
    list_select_related = ("program", "application__firm")
    fields = ("program", "rank", "application_column", "application_status_column", "created_at")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[WaitlistEntry]:
        return scope_to_user(request, super().get_queryset(request), "application")

    @admin.display(description=_("firm"), ordering="application__firm__name_en")
    def firm_column(self, obj: WaitlistEntry) -> Any:
        return obj.application.firm

    @admin.display(description=_("application"))
    def application_column(self, obj: WaitlistEntry) -> SafeString:
        return _application_link(obj.application)

    @admin.display(description=_("application status"), ordering="application__status")
    def application_status_column(self, obj: WaitlistEntry) -> str:
        return obj.application.get_status_display()


@admin.register(WaitlistOffer)
class WaitlistOfferAdmin(_RoleViewMixin, NotFoundOutsideScopeMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "offered_at",
        "application",
        "program",
        "units_column",
        "expires_at",
        "status",
        "responded_by",
        "closed_at",
    )
    list_filter = ("status", ProgramFilter)
    search_fields = ("application__receipt_number", "application__firm__name_ko", "application__firm__name_en")
    date_hierarchy = "offered_at"
    list_select_related = ("application__program", "program", "responded_by")
    fields = (
        "application_column",
        "program",
        "units_column",
        "offered_at",
        "expires_at",
        "status",
        "responded_by",
        "closed_at",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[WaitlistOffer]:
        return scope_to_user(request, super().get_queryset(request), "application")

    @admin.display(description=_("application"))
    def application_column(self, obj: WaitlistOffer) -> SafeString:
        return _application_link(obj.application)

    @admin.display(description=_("units"), ordering="units")
    def units_column(self, obj: WaitlistOffer) -> str:
        return units_with_unit(obj.units, obj.program)
