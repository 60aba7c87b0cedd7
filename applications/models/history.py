"""The append-only history of an application: every move between statuses, and events that
happened to it without moving it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from applications.models.application import Application
from applications.workflow import Status


class AppendOnlyError(Exception):
    pass


class AppendOnlyQuerySet(models.QuerySet[Any]):
    """Refuses bulk UPDATE and DELETE of an append-only model's rows."""

    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError(self.model.append_only_message)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(self.model.append_only_message)


class AppendOnlyModel(models.Model):
    """A record: rows are inserted, never changed or deleted — by the ORM here, and on
    PostgreSQL by a trigger as well where a migration adds one (the status history)."""

    append_only_message = "These rows are append-only."

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError(self.append_only_message)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(self.append_only_message)


class StatusChange(AppendOnlyModel):
    """The application's history: one row per transition, written by the workflow service
    and never changed or deleted afterwards."""

    # PROTECT: an application with a history is never deleted, so neither is its history.
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="history", verbose_name=_("application")
    )
    transition = models.CharField(_("transition"), max_length=32)
    from_status = models.CharField(_("from"), max_length=16, choices=Status.choices)
    to_status = models.CharField(_("to"), max_length=16, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_kind = models.CharField(_("acting as"), max_length=16)
    at = models.DateTimeField(_("at"))
    note = models.TextField(_("note"), blank=True)

    append_only_message = "History rows are append-only."

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["application", "at"])]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"
