"""State the API wiring keeps: the answers to writes sent with an ``Idempotency-Key``."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class IdempotentRequest(models.Model):
    """One API write made with an ``Idempotency-Key``, and the answer it got.

    Written in the same transaction as the write itself (``sme_support.idempotency``), so the
    row exists exactly when the write committed: a client that lost the answer and retries with
    the same key gets this answer again instead of a second write (or a 409 for the first).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    # SHA-256 of the method, path and body: the same key with another request is refused.
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotent_request_user_key")]

    def __str__(self) -> str:
        return f"{self.key} → {self.status_code}"
