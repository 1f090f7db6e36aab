"""Safe retries of create requests: the ``Idempotency-Key`` header.

The same key with the same body from the same caller within
``IDEMPOTENCY_KEY_TTL`` returns the first answer (same id, same status) and
creates nothing; the same key with another body is refused with 422.
Concurrent duplicates create one row: the first request's claim on the key
holds a row lock that the others wait on until it commits or rolls back.
"""

import functools
import hashlib
import json
from datetime import timedelta

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.response import Response

from edu_common.exceptions import IdempotencyKeyInvalid, IdempotencyKeyReused
from edu_common.models import IdempotencyKey

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
IDEMPOTENCY_KEY_TTL = timedelta(hours=24)


def idempotent(create):
    """Make a viewset's ``create`` honour the ``Idempotency-Key`` header."""

    @functools.wraps(create)
    def create_once(view, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return create(view, request, *args, **kwargs)
        if not 0 < len(key) <= MAX_KEY_LENGTH or not key.isprintable():
            raise IdempotencyKeyInvalid(MAX_KEY_LENGTH)

        fingerprint = _fingerprint(request)
        with transaction.atomic():
            record = _claim(request.user.sub, key, fingerprint)
            if record.status_code is not None:
                return _replay(record)

            response = create(view, request, *args, **kwargs)
            if response.status_code < 300:
                record.status_code = response.status_code
                record.response_body = response.data
                record.save(update_fields=["status_code", "response_body"])
            else:
                # Only a success is remembered: a retry of a failure runs again.
                transaction.set_rollback(True)
            return response

    return create_once


def purge_expired_keys():
    """Delete the keys older than the time they are honoured; return how many."""
    cutoff = timezone.now() - IDEMPOTENCY_KEY_TTL
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def _fingerprint(request):
    payload = [request.method, request.path, request.data]
    canonical = json.dumps(payload, sort_keys=True, cls=DjangoJSONEncoder)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _claim(caller, key, fingerprint):
    """Return the key's record, new (unanswered) or answered before."""
    try:
        with transaction.atomic():
            return IdempotencyKey.objects.create(
                caller=caller, key=key, request_hash=fingerprint
            )
    except IntegrityError:
        pass  # claimed before: the first claim has committed by now

    record = IdempotencyKey.objects.select_for_update().get(caller=caller, key=key)
    if record.created_at < timezone.now() - IDEMPOTENCY_KEY_TTL:
        record.delete()
        return IdempotencyKey.objects.create(
            caller=caller, key=key, request_hash=fingerprint
        )
    if record.request_hash != fingerprint:
        raise IdempotencyKeyReused(key)
    return record


def _replay(record):
    return Response(
        record.response_body,
        status=record.status_code,
        headers={"Idempotent-Replayed": "true"},
    )
