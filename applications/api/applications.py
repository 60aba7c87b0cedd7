"""Applications over the REST API.

Reads go through ``applications.selectors`` (scoped to the user, so anything else is a 404);
every write calls the service function that the portal, the officer
workspace and the workers call too, and its domain errors become 400/403/409 responses in
the API's error shape (``sme_support.api.api_exception_handler``). Decisions (approve,
waitlist, reject) go through ``applications.decisions.decision_request``, like the officer
workspace: an approval above the program's threshold answers 202 with the sign-off it now
waits for, and a manager signs it off or refuses it with the ``sign-off`` action.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.contrib.auth.models import User
from django.db import IntegrityError
from django.db.models import Prefetch, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from applications.api.filters import ApplicationFilter
from applications.api.serializers import (
    APPLICATION_LIST_COLUMNS,
    ApplicationCreateSerializer,
    ApplicationDetailSerializer,
    ApplicationSerializer,
    ApplicationUpdateSerializer,
    ApproveInputSerializer,
    DecisionPendingSerializer,
    NoteInputSerializer,
    OverrideEligibilityInputSerializer,
    ReasonInputSerializer,
    ReduceGrantInputSerializer,
    RequestInfoInputSerializer,
    SignOffInputSerializer,
    SignOffResultSerializer,
)
from applications.casework.services import (
    application_override_eligibility,
    application_request_info,
    application_start_review,
)
from applications.decisions.grants import (
    application_cancel,
    application_complete,
    application_reduce_grant,
    application_withdraw,
)
from applications.decisions.selectors import sign_off_list
from applications.decisions.services import DecisionName, DecisionOutcome, decision_request, decision_sign_off
from applications.errors import DuplicateApplication, NotPermitted, TransitionNotAllowed
from applications.intake.services import (
    ONE_LIVE_APPLICATION,
    application_create,
    application_submit,
    application_update_draft,
)
from applications.models import Application, DecisionSignOff, StatusChange
from applications.selectors import application_list
from firms.models import FirmMembership
from sme_support.api.base import (
    FORMAT_PARAMETER,
    ApiPagination,
    ApiViewMixin,
    ErrorSerializer,
    StrictOrderingFilter,
)
from sme_support.api.csv_export import CsvColumn, stream_queryset
from sme_support.api.filters import ApiFilterBackend
from sme_support.roles import is_manager

_CONFLICT = OpenApiResponse(
    ErrorSerializer, description=gettext_lazy("Not possible in the application's current state.")
)
_AWAITING_SIGN_OFF = OpenApiResponse(
    DecisionPendingSerializer,
    description=gettext_lazy(
        "Accepted, not applied: the grant is worth more than the program's sign-off threshold, so it waits for "
        "a manager's sign-off (four eyes). The application is unchanged until then."
    ),
)

APPLICATION_CSV_COLUMNS = [
    CsvColumn("id", "pk"),
    CsvColumn("receipt_number", "receipt_number"),
    CsvColumn("program_id", "program_id"),
    CsvColumn("program_code", "program.code"),
    CsvColumn("program_kind", "program.kind"),
    CsvColumn("fiscal_year", "program.fiscal_year"),
    CsvColumn("firm_id", "firm_id"),
    CsvColumn("firm_brn", "firm.brn"),
    CsvColumn("firm_name_ko", "firm.name_ko"),
    CsvColumn("firm_name_en", "firm.name_en"),
    CsvColumn("sector", "firm.sector"),
    CsvColumn("size_class", "firm.size_class"),
    CsvColumn("region", "firm.region"),
    CsvColumn("status", "status"),
    CsvColumn("requested_units", "requested_units"),
    CsvColumn("created_at", "created_at"),
    CsvColumn("submitted_at", "submitted_at"),
    CsvColumn("decided_at", "decided_at"),
    CsvColumn("status_changed_at", "status_changed_at"),
]


def _transition(
    *,
    summary: str | Promise,
    request: type[serializers.Serializer] | None,
    description: str | Promise = "",
    may_wait_for_sign_off: bool = False,
) -> Callable[[Any], Any]:
    """Schema of one workflow action: its input, the updated application, and its refusals;
    for an approval also the 202 of a decision that waits for a manager's sign-off."""
    responses: dict[int, Any] = {200: ApplicationDetailSerializer, 409: _CONFLICT}
    if may_wait_for_sign_off:
        responses[202] = _AWAITING_SIGN_OFF
    return extend_schema(summary=summary, description=description, request=request, responses=responses)


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("List applications"), parameters=[FORMAT_PARAMETER]),
    retrieve=extend_schema(
        summary=gettext_lazy("One application with its history, eligibility, decision and allocation")
    ),
    create=extend_schema(
        summary=gettext_lazy("Start a draft application (firm staff)"),
        request=ApplicationCreateSerializer,
        responses={201: ApplicationDetailSerializer, 409: _CONFLICT},
    ),
    partial_update=extend_schema(
        summary=gettext_lazy("Edit a draft application (firm staff)"),
        request=ApplicationUpdateSerializer,
        responses={200: ApplicationDetailSerializer, 409: _CONFLICT},
    ),
)
class ApplicationViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """A firm's staff see their firm's applications; officers those of the programs assigned
    to them; managers all. Firms create, edit and submit drafts and withdraw; officers move
    applications through review."""

    http_method_names = ["get", "post", "patch", "head", "options"]
    pagination_class = ApiPagination
    filter_backends = [ApiFilterBackend, StrictOrderingFilter]
    filterset_class = ApplicationFilter
    ordering_fields = [
        "id",
        "created_at",
        "submitted_at",
        "decided_at",
        "status_changed_at",
        "status",
        "requested_units",
    ]
    ordering = ["-created_at"]

    def get_queryset(self) -> QuerySet[Application, Any]:
        qs = application_list(user=self.request.user)
        if self.action == "list":
            # A page is plain rows of the listed columns (see ApplicationSerializer); the CSV
            # export reads its own columns from the models.
            return qs if self.wants_csv(self.request) else qs.values(*APPLICATION_LIST_COLUMNS)
        return qs.select_related("allocation", "outcome_report").prefetch_related(
            Prefetch("history", queryset=StatusChange.objects.order_by("at", "pk")),
            "outcome_report__new_countries",
        )

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return ApplicationSerializer if self.action == "list" else ApplicationDetailSerializer

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        if self.wants_csv(request):
            queryset = self.filter_queryset(self.get_queryset())
            return stream_queryset(queryset=queryset, columns=APPLICATION_CSV_COLUMNS, filename="applications.csv")
        return super().list(request, *args, **kwargs)

    @property
    def actor(self) -> User:
        # IsAuthenticated has let only signed-in users this far.
        return cast(User, self.request.user)

    def _detail(self, application: Application, *, status_code: int = status.HTTP_200_OK) -> Response:
        # Re-read through the scoped selector, with the history row the service just wrote. Every
        # API write runs in one transaction with its answer (ApiViewMixin.dispatch), so this read
        # sees exactly what the service commits and happens before the commit: a connection lost
        # after the commit can no longer turn a write that went through into an error.
        fresh = self.get_queryset().get(pk=application.pk)
        return Response(
            ApplicationDetailSerializer(fresh, context=self.get_serializer_context()).data, status=status_code
        )

    def _input(self, serializer_class: type[serializers.Serializer]) -> dict[str, Any]:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    # --- Firm staff -----------------------------------------------------------------------

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self._input(ApplicationCreateSerializer)
        membership = FirmMembership.objects.filter(user=self.actor).select_related("firm").first()
        if membership is None:
            raise NotPermitted(_("Only a firm's staff can start an application."))
        try:
            application = application_create(
                program=data["program"],
                firm=membership.firm,
                actor=self.actor,
                requested_units=data["requested_units"],
                answers=data.get("answers") or {},
            )
        except IntegrityError as exc:
            # The service turns the one-live-application constraint into DuplicateApplication;
            # this is the last line should a violation ever reach here another way.
            if ONE_LIVE_APPLICATION in str(exc):
                raise DuplicateApplication(
                    _("Your firm already has an application to this program; edit or withdraw that one.")
                ) from exc
            raise
        return self._detail(application, status_code=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        application = self.get_object()
        data = self._input(ApplicationUpdateSerializer)
        application_update_draft(
            application=application,
            actor=self.actor,
            requested_units=data.get("requested_units"),
            answers=data.get("answers"),
        )
        return self._detail(application)

    @_transition(summary=gettext_lazy("Submit a draft (firm staff)"), request=None)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        application = self.get_object()
        application_submit(application=application, actor=self.actor)
        return self._detail(application)

    @_transition(summary=gettext_lazy("Withdraw the application (firm staff)"), request=NoteInputSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        application = self.get_object()
        data = self._input(NoteInputSerializer)
        application_withdraw(application=application, actor=self.actor, note=data["note"])
        return self._detail(application)

    # --- Officers -------------------------------------------------------------------------

    @_transition(summary=gettext_lazy("Start reviewing an eligible application"), request=NoteInputSerializer)
    @action(detail=True, methods=["post"], url_path="start-review")
    def start_review(self, request: Request, pk: str | None = None) -> Response:
        application = self.get_object()
        data = self._input(NoteInputSerializer)
        application_start_review(application=application, actor=self.actor, note=data["note"])
        return self._detail(application)

    @_transition(summary=gettext_lazy("Ask the firm for more information"), request=RequestInfoInputSerializer)
    @action(detail=True, methods=["post"], url_path="request-info")
    def request_info(self, request: Request, pk: str | None = None) -> Response:
        application = self.get_object()
        data = self._input(RequestInfoInputSerializer)
        application_request_info(
            application=application, actor=self.actor, message=data["message"], due_on=data.get("due_on")
        )
        return self._detail(application)

    def _decide(self, decision: DecisionName, serializer_class: type[serializers.Serializer]) -> Response:
        """Decide through ``decision_request`` (sign-off threshold, scores rule): 200 with the
        application when the decision took effect, 202 with the pending sign-off when not."""
        application = self.get_object()
        data = self._input(serializer_class)
        outcome = decision_request(
            application=application,
            actor=self.actor,
            decision=decision,
            units=data.get("units"),
            reason=data["reason"],
        )
        if outcome.applied or outcome.sign_off is None:
            return self._detail(application)
        return self._awaiting_sign_off(outcome)

    def _awaiting_sign_off(self, outcome: DecisionOutcome) -> Response:
        body = DecisionPendingSerializer(
            {"message": outcome.message, "sign_off": outcome.sign_off}, context=self.get_serializer_context()
        ).data
        return Response(body, status=status.HTTP_202_ACCEPTED)

    @_transition(
        summary=gettext_lazy("Approve and allocate units"),
        request=ApproveInputSerializer,
        description=gettext_lazy(
            "200 when the approval took effect. 202 when the grant is worth more than the program's sign-off "
            "threshold: nothing changes until another manager signs it off (`sign-off`). 409 when the program's "
            "remaining capacity is smaller than the units granted, or a decision already waits for sign-off; "
            "also when the program decides on review scores and the application has none yet."
        ),
        may_wait_for_sign_off=True,
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        return self._decide("approve", ApproveInputSerializer)

    @_transition(summary=gettext_lazy("Put on the waitlist"), request=ReasonInputSerializer)
    @action(detail=True, methods=["post"])
    def waitlist(self, request: Request, pk: str | None = None) -> Response:
        return self._decide("waitlist", ReasonInputSerializer)

    @_transition(summary=gettext_lazy("Reject"), request=ReasonInputSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        return self._decide("reject", ReasonInputSerializer)

    @extend_schema(
        summary=gettext_lazy("Sign off or refuse the decision waiting on this application (managers)"),
        description=gettext_lazy(
            "Four eyes: a manager other than the one who asked signs the pending decision off (`approve: true`, "
            "it takes effect with the capacity check of this moment) or refuses it (`approve: false`, a note is "
            "required; the application stays under review). 403 for anyone else; 409 when nothing waits for "
            "sign-off or the capacity is now short."
        ),
        request=SignOffInputSerializer,
        responses={200: SignOffResultSerializer, 409: _CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="sign-off")
    def sign_off(self, request: Request, pk: str | None = None) -> Response:
        application = self.get_object()
        data = self._input(SignOffInputSerializer)
        pending = (
            sign_off_list(user=self.actor)
            .filter(application=application, status=DecisionSignOff.State.PENDING)
            .order_by("pk")
            .first()
        )
        if pending is None:
            if not is_manager(self.actor):
                raise NotPermitted(_("Only a manager can sign off a decision."))
            raise TransitionNotAllowed(_("No decision on this application is waiting for a manager's sign-off."))
        outcome = decision_sign_off(sign_off=pending, actor=self.actor, approve=data["approve"], note=data["note"])
        fresh = self.get_queryset().get(pk=application.pk)
        body = SignOffResultSerializer(
            {
                "applied": outcome.applied,
                "message": outcome.message,
                "sign_off": outcome.sign_off,
                "application": fresh,
            },
            context=self.get_serializer_context(),
        ).data
        return Response(body)

    @_transition(summary=gettext_lazy("Cancel an approval (units return to the pool)"), request=ReasonInputSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        application = self.get_object()
        data = self._input(ReasonInputSerializer)
        application_cancel(application=application, actor=self.actor, reason=data["reason"])
        return self._detail(application)

    @_transition(
        summary=gettext_lazy("Reduce an approved application's grant (the freed units go to the waitlist)"),
        request=ReduceGrantInputSerializer,
    )
    @action(detail=True, methods=["post"], url_path="reduce-grant")
    def reduce_grant(self, request: Request, pk: str | None = None) -> Response:
        application = self.get_object()
        data = self._input(ReduceGrantInputSerializer)
        reduced = application_reduce_grant(
            application=application, actor=self.actor, units=data["units"], reason=data["reason"]
        )
        return self._detail(reduced)

    @_transition(summary=gettext_lazy("Mark an approved application completed"), request=NoteInputSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str | None = None) -> Response:
        application = self.get_object()
        data = self._input(NoteInputSerializer)
        application_complete(application=application, actor=self.actor, note=data["note"])
        return self._detail(application)

    @_transition(summary=gettext_lazy("Override an ineligible result"), request=OverrideEligibilityInputSerializer)
    @action(detail=True, methods=["post"], url_path="override-eligibility")
    def override_eligibility(self, request: Request, pk: str | None = None) -> Response:
        application = self.get_object()
        data = self._input(OverrideEligibilityInputSerializer)
        application_override_eligibility(application=application, actor=self.actor, justification=data["justification"])
        return self._detail(application)
