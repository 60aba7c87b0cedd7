"""``Idempotency-Key`` for the REST API's writes: a retried write gets the first answer.

A client that sends a write (POST, PUT, PATCH, DELETE) with an ``Idempotency-Key`` header (any
string of 1–255 visible characters it chooses, e.g. a UUID) and does not get the answer — a
timeout, a reset connection, a 503 — sends the same request with the same key again:

- if the first one committed, the answer it got is returned again, unchanged, with
  ``Idempotent-Replayed: true`` (a withdrawal that went through answers 200 again, not 409);
- if it did not, the request runs now;
- while the first is still running, the retry waits for it (the key's row is locked);
- the same key with a different request (method, path or body) is refused with 422.

Keys are per user and kept ``IDEMPOTENCY_KEY_HOURS`` (24 by default). The record is written
in the write's own transaction (every API write runs in one, see ``ApiViewMixin.dispatch``), so
it exists exactly when the write committed. Answers of 500 and above are not kept.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.http.request import RawPostDataException
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from sme_support.models import IdempotentRequest

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_KEY_LENGTH = 255


class Replay(exceptions.APIException):
    """Raised instead of running a write whose key already has an answer; the API's exception
    handler turns it back into that answer."""

    def __init__(self, record: IdempotentRequest) -> None:
        super().__init__()
        self.record = record

    def response(self) -> Response:
        return Response(self.record.body, status=self.record.status_code, headers={REPLAYED_HEADER: "true"})


class KeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"
    default_detail = _("This Idempotency-Key was already used for a different request.")


class KeyInvalid(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"
    default_detail = _("The Idempotency-Key header must be 1 to 255 visible characters.")


def requested_key(request: Request) -> str | None:
    if request.method not in WRITE_METHODS:
        return None
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not 0 < len(key) <= MAX_KEY_LENGTH or not key.isprintable() or key.strip() != key:
        raise KeyInvalid()
    return key


def _fingerprint(request: Request) -> str:
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.get_full_path()}\n".encode())
    try:
        body = request._request.body
    except RawPostDataException:
        # A multipart body was streamed into request.data before we got here.
        body = json.dumps(request.data, sort_keys=True, default=str).encode()
    digest.update(body)
    return digest.hexdigest()


def claim(*, request: Request, key: str) -> IdempotentRequest:
    """Take the key for this request, or raise ``Replay``/``KeyReused``.

    Must run inside the write's transaction. A second request with the same key blocks on the
    unique index until the first commits (then it replays) or rolls back (then it runs).
    """
    assert transaction.get_connection().in_atomic_block, "claim() belongs inside the write's transaction"
    user = request.user
    if not isinstance(user, User):
        # Anonymous writes are refused by the permission check before this; nothing to key on.
        raise exceptions.NotAuthenticated()
    fingerprint = _fingerprint(request)
    fresh_after = timezone.now() - dt.timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS)
    # An expired record is forgotten: the key may be used afresh.
    IdempotentRequest.objects.filter(user=user, key=key, created_at__lt=fresh_after).delete()
    try:
        with transaction.atomic():
            return IdempotentRequest.objects.create(
                user=user, key=key, fingerprint=fingerprint, status_code=0, body=None
            )
    except IntegrityError:
        record = IdempotentRequest.objects.select_for_update().get(user=user, key=key)
    if record.fingerprint != fingerprint:
        raise KeyReused()
    raise Replay(record)


def record_answer(record: IdempotentRequest, response: Response) -> None:
    """Keep the answer with the key, in the write's transaction; a 5xx is not kept."""
    if response.status_code >= status.HTTP_500_INTERNAL_SERVER_ERROR:
        record.delete()
        return
    record.status_code = response.status_code
    record.body = _as_json(response.data)
    record.save(update_fields=["status_code", "body"])


def _as_json(data: Any) -> Any:
    # Decimals, dates and lazy strings as the API's JSON renderer writes them.
    return json.loads(json.dumps(data, cls=JSONEncoder))


def prune(*, now: dt.datetime | None = None) -> int:
    cutoff = (now or timezone.now()) - dt.timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS)
    deleted, _ = IdempotentRequest.objects.filter(created_at__lt=cutoff).delete()
    return deleted
