"""Exactly-once answers for retried requests (check-ins, roll calls, and later ballots)."""

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from handbook.core.errors import RuleViolation

from .models import IdempotencyRecord

HEADER = "Idempotency-Key"


def _hash(request, body: Any) -> str:
    payload = json.dumps([request.method, request.path, body], sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def _insert(user_id: int, key: str, digest: str, status: int, response: dict) -> None:
    """One raw INSERT (the same row as IdempotencyRecord.objects.create, without compiling a query:
    meeting day sends thousands of these). A duplicate (user, key) raises IntegrityError."""
    connection = transaction.get_connection()
    meta = IdempotencyRecord._meta
    quote = connection.ops.quote_name
    values = {
        "user_id": user_id,
        "key": key,
        "request_hash": digest,
        "status": status,
        "response": meta.get_field("response").get_db_prep_value(response, connection),
        "created_at": meta.get_field("created_at").get_db_prep_value(timezone.now(), connection),
    }
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(n) for n in values)}) "
            f"VALUES ({', '.join(['%s'] * len(values))})",
            list(values.values()),
        )


def run_once(
    request,
    body: Any,
    work: Callable[[], tuple[int, dict]],
    *,
    redact: Callable[[dict], dict] | None = None,
    atomic: bool = False,
) -> tuple[int, dict]:
    """Run `work` (returning status and JSON body) at most once per (user, Idempotency-Key).

    Without the header the work simply runs. The work and the stored answer commit together, so a
    crash between them cannot leave one without the other. There is no look-up first (most
    requests are first tries): the unique constraint (user, key) decides. A replay, or a concurrent
    twin, fails on that constraint (or on the work's own rule, such as "already voted"): its
    transaction rolls back whole, and it returns the stored answer if the payload is the same,
    and is refused if not. `redact` chooses what of the answer is kept for replays (a secret
    ballot's receipt must never be stored with the voter). `atomic`: the work opens no transaction
    of its own (meeting day's hot path, handbook.meetings.hotpath): it runs in this one, with or
    without a key, and a refusal rolls back this whole block (no savepoint)."""
    key = (request.headers.get(HEADER) or "").strip()
    if not key:
        if atomic:
            with transaction.atomic():
                return work()
        return work()
    if len(key) > 100:
        raise RuleViolation(_("The Idempotency-Key header is longer than 100 characters."), code="idempotency")
    digest = _hash(request, body)

    def replay(record: IdempotencyRecord) -> tuple[int, dict]:
        if record.request_hash != digest:
            raise RuleViolation(
                _("This Idempotency-Key was already used for a different request."), code="idempotency_conflict"
            )
        return record.status, record.response

    try:
        with transaction.atomic():
            status, response = work()
            _insert(request.user.pk, key, digest, status, redact(response) if redact else response)
    except (IntegrityError, RuleViolation):
        # Everything above was rolled back; the first answer (if any) is committed by now, since a
        # concurrent twin waits on the unique index until the first transaction ends.
        existing = IdempotencyRecord.objects.filter(user=request.user, key=key).first()
        if existing is None:
            raise
        return replay(existing)
    return status, response
