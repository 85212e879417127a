"""Exactly-once answers for retried requests (check-ins, roll calls, and later ballots)."""

import datetime
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from handbook.core.db import hot_cursor
from handbook.core.errors import RuleViolation

from .models import IdempotencyRecord

HEADER = "Idempotency-Key"


def request_digest(request, body: Any) -> str:
    payload = json.dumps([request.method, request.path, body], sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def request_key(request) -> str:
    """The request's Idempotency-Key ('' when it has none); refused when longer than 100 characters."""
    key = (request.headers.get(HEADER) or "").strip()
    if len(key) > 100:
        raise RuleViolation(_("The Idempotency-Key header is longer than 100 characters."), code="idempotency")
    return key


def record_row(request, key: str, digest: str, status: int, response: dict) -> tuple[str, str, list]:
    """The quoted table, quoted column list and parameters of the record that answers replays of
    this request (`digest`: `request_digest`): for `_insert`, and for hot paths that write it in
    the change's own statement (handbook.meetings.hotpath). A duplicate (user, key) violates the
    unique constraint."""
    connection = transaction.get_connection()
    meta = IdempotencyRecord._meta
    quote = connection.ops.quote_name
    values = {
        "user_id": request.user.pk,
        "key": key,
        "request_hash": digest,
        "status": status,
        "response": meta.get_field("response").get_db_prep_value(response, connection),
        "created_at": meta.get_field("created_at").get_db_prep_value(timezone.now(), connection),
    }
    return quote(meta.db_table), ", ".join(quote(n) for n in values), list(values.values())


def _insert(request, key: str, digest: str, status: int, response: dict) -> None:
    """One raw INSERT (the same row as IdempotencyRecord.objects.create, without compiling a query:
    meeting day sends thousands of these). A duplicate (user, key) raises IntegrityError."""
    table, columns, params = record_row(request, key, digest, status, response)
    with hot_cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(params))})", params)


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
    key = request_key(request)
    if not key:
        if atomic:
            with transaction.atomic():
                return work()
        return work()
    digest = request_digest(request, body)
    try:
        with transaction.atomic():
            status, response = work()
            _insert(request, key, digest, status, redact(response) if redact else response)
    except (IntegrityError, RuleViolation):
        # Everything above was rolled back; the first answer (if any) is committed by now, since a
        # concurrent twin waits on the unique index until the first transaction ends.
        existing = IdempotencyRecord.objects.filter(user=request.user, key=key).first()
        if existing is None:
            raise
        return replay(digest, existing.request_hash, existing.status, existing.response)
    return status, response


def replay(digest: str, stored_digest: str, status: int, response: Any) -> tuple[int, dict]:
    """The stored answer to a request sent again with its Idempotency-Key (`digest`: this request's
    `request_digest`); refused when the key was first used for a different request."""
    if stored_digest != digest:
        raise RuleViolation(
            _("This Idempotency-Key was already used for a different request."), code="idempotency_conflict"
        )
    return status, json.loads(response) if isinstance(response, str) else response


#: Clients retry within minutes; a day is far beyond any retry.
KEEP = datetime.timedelta(hours=24)


def prune(*, older_than: datetime.timedelta = KEEP, batch: int = 5000) -> int:
    """Delete the records older than `older_than`, in batches (a meeting day writes two per member);
    returns how many. Run daily (`handbook prune_idempotency_records`)."""
    cutoff = timezone.now() - older_than
    deleted = 0
    while True:
        ids = list(
            IdempotencyRecord.objects.filter(created_at__lt=cutoff).order_by("id").values_list("id", flat=True)[:batch]
        )
        if not ids:
            return deleted
        deleted += IdempotencyRecord.objects.filter(id__in=ids).delete()[0]
