"""The review of applications: each program's scoring rubric, who reviews what, their scores,
the register of conflicts of interest, and an append-only log of review events."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from applications.models import AppendOnlyModel

SCALE_MAX_LIMIT = 100


class RubricCriterion(models.Model):
    """One line of a program's scoring rubric. A reviewer gives it a whole number from 0 to
    ``scale_max``; ``weight`` says how much it counts against the program's other criteria."""

    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="rubric_criteria", verbose_name=_("program")
    )
    code = models.SlugField(_("code"), max_length=40)
    label_ko = models.CharField(_("label (Korean)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200)
    weight = models.DecimalField(
        _("weight"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("Above zero; only the ratios between a program's weights matter."),
    )
    scale_max = models.PositiveSmallIntegerField(
        _("highest score"),
        validators=[MinValueValidator(1), MaxValueValidator(SCALE_MAX_LIMIT)],
        help_text=_("Reviewers score from 0 to this number."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("rubric criterion")
        verbose_name_plural = _("rubric criteria")
        ordering = ["program", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["program", "code"], name="uniq_rubric_criterion_code"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="rubric_criterion_weight_positive"),
            models.CheckConstraint(
                condition=Q(scale_max__gte=1, scale_max__lte=SCALE_MAX_LIMIT), name="rubric_criterion_scale_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program} · {self.label}"

    @property
    def label(self) -> str:
        return self.label_ko if (get_language() or "").startswith("ko") else self.label_en


class AssignmentStatus(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned")
    DECLINED = "declined", _("Declined")
    SUBMITTED = "submitted", _("Scores submitted")


class ReviewAssignment(models.Model):
    """An officer asked to score one application. Moves assigned → submitted (scores locked)
    or assigned → declined (with a reason); only ``reviews.services`` moves it."""

    application = models.ForeignKey(
        "applications.Application",
        on_delete=models.CASCADE,
        related_name="review_assignments",
        verbose_name=_("application"),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="review_assignments",
        verbose_name=_("reviewer"),
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    assigned_at = models.DateTimeField(_("assigned"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=16, choices=AssignmentStatus.choices, default=AssignmentStatus.ASSIGNED
    )
    declined_reason = models.TextField(_("reason for declining"), blank=True)
    declined_at = models.DateTimeField(_("declined"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("scores submitted"), null=True, blank=True)

    class Meta:
        verbose_name = _("review assignment")
        verbose_name_plural = _("review assignments")
        ordering = ["assigned_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["application", "reviewer"], name="uniq_review_assignment"),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(declined_reason=""), name="review_assignment_declined_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(status="submitted") | Q(submitted_at__isnull=False),
                name="review_assignment_submitted_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["reviewer", "status"]),
            models.Index(fields=["application", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.application} · {self.reviewer}"


class Score(models.Model):
    """One reviewer's score on one criterion. Editable while the assignment is ``assigned``,
    locked once it is ``submitted``."""

    assignment = models.ForeignKey(
        ReviewAssignment, on_delete=models.CASCADE, related_name="scores", verbose_name=_("assignment")
    )
    # PROTECT: a criterion someone scored cannot vanish and silently change the results.
    criterion = models.ForeignKey(
        RubricCriterion, on_delete=models.PROTECT, related_name="scores", verbose_name=_("criterion")
    )
    value = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["assignment", "criterion__position", "criterion_id"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "criterion"], name="uniq_score_per_criterion"),
            models.CheckConstraint(condition=Q(value__gte=0), name="score_value_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.value}"


class ConflictOfInterest(models.Model):
    """The register: ``reviewer`` declared a conflict with ``firm`` and so never reviews any
    of its applications."""

    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="conflicts_of_interest",
        verbose_name=_("reviewer"),
    )
    firm = models.ForeignKey(
        "firms.Firm", on_delete=models.CASCADE, related_name="conflicts_of_interest", verbose_name=_("firm")
    )
    declared_at = models.DateTimeField(_("declared"), default=timezone.now)
    reason = models.TextField(_("reason"))

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        ordering = ["-declared_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["reviewer", "firm"], name="uniq_conflict_reviewer_firm"),
            models.CheckConstraint(condition=~Q(reason=""), name="conflict_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} ≠ {self.firm}"


class ReviewEventKind(models.TextChoices):
    REVIEWER_ASSIGNED = "reviewer_assigned", _("Reviewer assigned")
    REVIEW_DECLINED = "review_declined", _("Review declined")
    CONFLICT_DECLARED = "conflict_declared", _("Conflict of interest declared")
    SCORES_SUBMITTED = "scores_submitted", _("Scores submitted")


class ReviewEvent(AppendOnlyModel):
    """What happened in an application's review that is not a status change (those are in
    ``StatusChange``): assignments, declines, conflicts, submitted scores. Append-only."""

    application = models.ForeignKey(
        "applications.Application",
        on_delete=models.PROTECT,
        related_name="review_events",
        verbose_name=_("application"),
    )
    kind = models.CharField(_("event"), max_length=24, choices=ReviewEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    # The reviewer the event is about (the one assigned, declining, declaring).
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewer"),
    )
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    append_only_message = "Review events are append-only."

    class Meta:
        verbose_name = _("review event")
        verbose_name_plural = _("review events")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["application", "at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.application_id}"
