"""Shapes of the applications API: what is read, and the input each write accepts.

Serializers validate shapes only; every decision (may this firm apply, may this officer
approve, is there capacity) is taken by the services of ``applications``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from applications.models import (
    Allocation,
    Application,
    DecisionSignOff,
    OutcomeFollowUp,
    OutcomeReport,
    StatusChange,
)
from applications.workflow import Status
from firms.models import Firm
from programs.models import Program


class ProgramSummarySerializer(serializers.ModelSerializer):
    title = serializers.CharField(read_only=True)

    class Meta:
        model = Program
        fields = ["id", "code", "kind", "fiscal_year", "title"]
        read_only_fields = fields


class FirmSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Firm
        fields = ["id", "brn", "name_ko", "name_en", "sector", "size_class", "region"]
        read_only_fields = fields


class ApplicationRowFields(serializers.ModelSerializer):
    """The fields of an application row, shared by the list and the detail."""

    program = ProgramSummarySerializer(read_only=True)
    firm = FirmSummarySerializer(read_only=True)

    class Meta:
        model = Application
        fields = [
            "id",
            "receipt_number",
            "program",
            "firm",
            "status",
            "requested_units",
            "created_at",
            "submitted_at",
            "decided_at",
            "status_changed_at",
        ]
        read_only_fields = fields


# What a list row shows, read with ``QuerySet.values()``: a list page loads nothing else (not
# the answers, the eligibility results or the programs' descriptions) and builds no model
# instances — three per row (application, program, firm) cost more than the query itself
# (bench/RESULTS.md, list page).
APPLICATION_LIST_COLUMNS = (
    "id",
    "receipt_number",
    "status",
    "requested_units",
    "created_at",
    "submitted_at",
    "decided_at",
    "status_changed_at",
    "program_id",
    "program__code",
    "program__kind",
    "program__fiscal_year",
    "program__title_ko",
    "program__title_en",
    "firm_id",
    "firm__brn",
    "firm__name_ko",
    "firm__name_en",
    "firm__sector",
    "firm__size_class",
    "firm__region",
)


# Formats a timestamp as every DateTimeField of the API does (ISO 8601 in the active time
# zone); one module-level field, so a list page does not build the serializer's fields.
_TIMESTAMP = serializers.DateTimeField()


class ApplicationSerializer(ApplicationRowFields):
    """One row of the list, from a ``values(*APPLICATION_LIST_COLUMNS)`` row.

    The row is built directly instead of by DRF walking every field of three serializers per
    row: on a 50-row page that walk cost more than the database (bench/RESULTS.md, list page).
    The declared fields still describe the row (OpenAPI), and
    tests/api/test_list_serializer.py holds the output equal to DRF's own, from model
    instances, for every field.
    """

    def to_representation(self, instance: Mapping[str, Any]) -> dict[str, Any]:
        row = instance
        timestamp = _TIMESTAMP.to_representation
        korean = (get_language() or "").startswith("ko")  # as Program.title
        return {
            "id": row["id"],
            "receipt_number": row["receipt_number"],
            "program": {
                "id": row["program_id"],
                "code": row["program__code"],
                "kind": row["program__kind"],
                "fiscal_year": row["program__fiscal_year"],
                "title": row["program__title_ko"] if korean else row["program__title_en"],
            },
            "firm": {
                "id": row["firm_id"],
                "brn": row["firm__brn"],
                "name_ko": row["firm__name_ko"],
                "name_en": row["firm__name_en"],
                "sector": row["firm__sector"],
                "size_class": row["firm__size_class"],
                "region": row["firm__region"],
            },
            "status": row["status"],
            "requested_units": row["requested_units"],
            "created_at": timestamp(row["created_at"]),
            "submitted_at": timestamp(row["submitted_at"]),
            "decided_at": timestamp(row["decided_at"]),
            "status_changed_at": timestamp(row["status_changed_at"]),
        }


class StatusChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = StatusChange
        fields = ["transition", "from_status", "to_status", "actor_kind", "at", "note"]
        read_only_fields = fields


class AllocationSerializer(serializers.ModelSerializer):
    is_live = serializers.BooleanField(read_only=True, help_text=_("False once the units went back to the pool."))

    class Meta:
        model = Allocation
        fields = ["units", "granted_at", "released_at", "is_live"]
        read_only_fields = fields


class DecisionSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices, read_only=True)
    decided_at = serializers.DateTimeField(read_only=True)
    reason = serializers.CharField(read_only=True)


class OutcomeReportSerializer(serializers.ModelSerializer):
    new_countries: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )

    class Meta:
        model = OutcomeReport
        fields = [
            "id",
            "status",
            "due_on",
            "buyer_meetings",
            "consultation_usd",
            "contracts_usd",
            "ip_filed",
            "new_countries",
            "narrative",
            "submitted_at",
            "reviewed_at",
        ]
        read_only_fields = fields


# Stored by the eligibility engine as {"rule", "passed", "reason": {"ko": ..., "en": ...}, "params": {...}}.
ELIGIBILITY_RESULTS_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "rule": {"type": "string"},
            "passed": {"type": "boolean"},
            "reason": {"type": "object", "additionalProperties": {"type": "string"}},
            "params": {"type": "object", "additionalProperties": True},
        },
    },
}


class ApplicationDetailSerializer(ApplicationRowFields):
    """One application with everything an API user may know about it."""

    eligibility_results = serializers.SerializerMethodField()
    history = StatusChangeSerializer(many=True, read_only=True)
    decision = serializers.SerializerMethodField()
    allocation = serializers.SerializerMethodField()
    outcome_report = serializers.SerializerMethodField()

    class Meta(ApplicationRowFields.Meta):
        fields = [
            *ApplicationRowFields.Meta.fields,
            "answers",
            "eligibility_results",
            "eligibility_rules_version",
            "eligibility_checked_at",
            "decision",
            "allocation",
            "outcome_report",
            "history",
        ]
        read_only_fields = fields

    @extend_schema_field(ELIGIBILITY_RESULTS_SCHEMA)
    def get_eligibility_results(self, application: Application) -> Any:
        return application.eligibility_results or []

    @extend_schema_field(DecisionSerializer(allow_null=True))
    def get_decision(self, application: Application) -> dict[str, Any] | None:
        if application.decided_at is None:
            return None
        return DecisionSerializer(
            {"status": application.status, "decided_at": application.decided_at, "reason": application.decision_reason}
        ).data

    @extend_schema_field(AllocationSerializer(allow_null=True))
    def get_allocation(self, application: Application) -> dict[str, Any] | None:
        allocation = getattr(application, "allocation", None)
        return AllocationSerializer(allocation).data if allocation is not None else None

    @extend_schema_field(OutcomeReportSerializer(allow_null=True))
    def get_outcome_report(self, application: Application) -> dict[str, Any] | None:
        report = getattr(application, "outcome_report", None)
        return OutcomeReportSerializer(report).data if report is not None else None


class DecisionSignOffSerializer(serializers.ModelSerializer):
    """A decision waiting for (or closed by) a manager's sign-off — the four-eyes rule."""

    application: serializers.PrimaryKeyRelatedField[Application] = serializers.PrimaryKeyRelatedField(read_only=True)
    requested_by = serializers.CharField(
        source="requested_by.username", read_only=True, allow_null=True, default=None, help_text=_("Who asked.")
    )
    signed_by = serializers.CharField(
        source="signed_by.username",
        read_only=True,
        allow_null=True,
        default=None,
        help_text=_("The manager who signed off or refused."),
    )

    class Meta:
        model = DecisionSignOff
        fields = [
            "id",
            "application",
            "decision",
            "units",
            "amount_krw",
            "threshold_krw",
            "reason",
            "status",
            "requested_by",
            "requested_at",
            "signed_by",
            "signed_at",
            "note",
        ]
        read_only_fields = fields


class DecisionPendingSerializer(serializers.Serializer):
    """The 202 answer to a decision that waits for a manager's sign-off: nothing changed yet."""

    message = serializers.CharField(read_only=True, help_text=_("Why the decision waits, in the request's language."))
    sign_off = DecisionSignOffSerializer(read_only=True)


class SignOffResultSerializer(serializers.Serializer):
    """What signing off or refusing did."""

    applied = serializers.BooleanField(read_only=True, help_text=_("True when the decision took effect."))
    message = serializers.CharField(read_only=True)
    sign_off = DecisionSignOffSerializer(read_only=True)
    application = ApplicationDetailSerializer(read_only=True)


class OutcomeFollowUpSerializer(serializers.ModelSerializer):
    class Meta:
        model = OutcomeFollowUp
        fields = ["months", "status", "due_on", "contracts_usd", "note", "submitted_at", "reviewed_at", "officer_note"]
        read_only_fields = fields


class OutcomeReportListSerializer(OutcomeReportSerializer):
    """An outcome report as the outcome-reports endpoint lists it, with its application and
    its 6- and 12-month follow-ups."""

    application: serializers.PrimaryKeyRelatedField[Application] = serializers.PrimaryKeyRelatedField(read_only=True)
    program = ProgramSummarySerializer(source="application.program", read_only=True)
    firm = FirmSummarySerializer(source="application.firm", read_only=True)
    followups = serializers.SerializerMethodField()

    class Meta(OutcomeReportSerializer.Meta):
        fields = [
            "id",
            "application",
            "program",
            "firm",
            *OutcomeReportSerializer.Meta.fields[1:],
            "officer_note",
            "followups",
        ]
        read_only_fields = fields

    @extend_schema_field(OutcomeFollowUpSerializer(many=True))
    def get_followups(self, report: OutcomeReport) -> list[dict[str, Any]]:
        # Sorted in Python: the list prefetches them once for the whole page.
        rows = sorted(report.followups.all(), key=lambda followup: followup.months)
        return list(OutcomeFollowUpSerializer(rows, many=True).data)


# --- Input ----------------------------------------------------------------------------------


class ApplicationCreateSerializer(serializers.Serializer):
    program = serializers.PrimaryKeyRelatedField(
        queryset=Program.objects.all(), help_text=_("The program (call) to apply to.")
    )
    requested_units = serializers.IntegerField(
        min_value=1,
        max_value=2**62,
        help_text=_("In the program's unit: KRW for export funding, booths or seats."),
    )
    answers = serializers.DictField(required=False, default=dict, help_text=_("Answers to the program's questions."))


class ApplicationUpdateSerializer(serializers.Serializer):
    requested_units = serializers.IntegerField(min_value=1, max_value=2**62, required=False)
    answers = serializers.DictField(required=False)


class NoteInputSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class ReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000, help_text=_("Why; the firm reads it."))


class RequestInfoInputSerializer(serializers.Serializer):
    message = serializers.CharField(max_length=5000, help_text=_("What the firm needs to send or explain."))
    due_on = serializers.DateField(
        required=False, allow_null=True, help_text=_("When the answer is due; by default in a week.")
    )


class ApproveInputSerializer(serializers.Serializer):
    units = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text=_("Units granted, at most what the firm requested; leave it out to grant the request."),
    )
    reason = serializers.CharField(max_length=5000, help_text=_("Why; the firm reads it."))


class ReduceGrantInputSerializer(serializers.Serializer):
    units = serializers.IntegerField(help_text=_("The new, smaller grant; the difference goes back to the pool."))
    reason = serializers.CharField(max_length=5000, help_text=_("Why; the firm reads it."))


class SignOffInputSerializer(serializers.Serializer):
    approve = serializers.BooleanField(help_text=_("True signs the decision off (it takes effect); false refuses it."))
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=5000,
        help_text=_("Required when refusing; the officer who asked reads it."),
    )


class OverrideEligibilityInputSerializer(serializers.Serializer):
    justification = serializers.CharField(max_length=5000, help_text=_("Why the application is eligible after all."))
