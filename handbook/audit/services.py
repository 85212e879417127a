"""Writing audit events. Every domain service calls `audit_record` inside its own transaction."""

import datetime
import decimal
import uuid
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from handbook.core.db import hot_cursor

from .context import current_request_id

__all__ = [
    "audit_insert",
    "audit_record",
    "audit_row",
    "audit_record_many",
    "current_request_id",
    "jsonable",
    "sensitive_read",
]
from .models import AuditEvent, EventType, SensitiveAccess


def _in_transaction() -> bool:
    return transaction.get_connection().in_atomic_block


def jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def _forget_cached_auth(object_type: str, object_ids: list[Any]) -> None:
    """Changes to members and organisations may be bulk updates that send no model signal; every
    change is audited, so this is where cached API auth (user, scope) learns about all of them."""
    if object_type == "members.member":
        from handbook.accounts.authcache import forget_tokens

        forget_tokens(member_ids=[int(i) for i in object_ids if str(i).isdigit()])  # not "list" (exports)
    elif object_type.startswith("organizations."):
        from handbook.accounts.authcache import forget_tree

        forget_tree()


def audit_record(
    *,
    actor: Any,
    event_type: EventType,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: Any = "",
    object_repr: str = "",
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEvent:
    """Record one event. Must run inside the caller's transaction (atomic block)."""
    if not _in_transaction():
        raise RuntimeError("audit_record must be called inside the changing service's transaction")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        object_repr = object_repr or str(obj)
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    if object_type and object_id:
        _forget_cached_auth(object_type, [object_id])
    return AuditEvent.objects.create(
        occurred_at=timezone.now(),
        actor=actor if is_user else None,
        actor_label=(actor.get_username() if is_user else "system")[:150],
        event_type=int(event_type),
        object_type=object_type,
        object_id=str(object_id),
        object_repr=object_repr[:300],
        before=jsonable(before) if before is not None else None,
        after=jsonable(after) if after is not None else None,
        request_id=current_request_id(),
    )


def audit_insert(**event: Any) -> None:
    """`audit_record` in one raw INSERT, for meeting day's hot paths (handbook.meetings.hotpath):
    the same row, the same transaction rule, no model instance and no query compilation. Takes
    `audit_row`'s keyword arguments."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("audit_insert must be called inside the changing service's transaction")
    table, columns, params = audit_row(**event)
    with hot_cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(params))})", params)


def audit_row(
    *,
    actor: Any,
    event_type: EventType,
    object_type: str,
    object_id: Any,
    object_repr: str,
    before: dict | None = None,
    after: dict | None = None,
) -> tuple[str, str, list]:
    """The quoted table, quoted column list and parameters of `audit_record`'s row, for a raw
    INSERT that the caller makes part of the change's own statement or transaction (meeting day's
    hot paths). Cached API auth learns of the change here, as in `audit_record`."""
    connection = transaction.get_connection()
    if object_type and object_id:
        _forget_cached_auth(object_type, [object_id])
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    fields = AuditEvent._meta
    values = {
        "occurred_at": timezone.now(),
        "actor_id": actor.pk if is_user else None,
        "actor_label": (actor.get_username() if is_user else "system")[:150],
        "event_type": int(event_type),
        "object_type": object_type,
        "object_id": str(object_id),
        "object_repr": object_repr[:300],
        "before": jsonable(before) if before is not None else None,
        "after": jsonable(after) if after is not None else None,
        "request_id": current_request_id(),
    }
    params = []
    for name, value in values.items():
        field = fields.get_field(name.removesuffix("_id") if name == "actor_id" else name)
        # None stays NULL (a JSONField would store JSON null), as Model.save() does for these fields.
        params.append(None if value is None else field.get_db_prep_value(value, connection))
    quote = connection.ops.quote_name
    return quote(fields.db_table), ", ".join(quote(n) for n in values), params


def audit_record_many(
    *, actor: Any, event_type: EventType, objects: list[models.Model], before: dict | None, after: dict | None
) -> int:
    """One event per object with the same before/after (bulk moves); same transaction rule."""
    if not _in_transaction():
        raise RuntimeError("audit_record_many must be called inside the changing service's transaction")
    now = timezone.now()
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    for object_type in {obj._meta.label_lower for obj in objects}:
        _forget_cached_auth(object_type, [obj.pk for obj in objects if obj._meta.label_lower == object_type])
    rows = [
        AuditEvent(
            occurred_at=now,
            actor=actor if is_user else None,
            actor_label=(actor.get_username() if is_user else "system")[:150],
            event_type=int(event_type),
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            object_repr=str(obj)[:300],
            before=jsonable(before) if before is not None else None,
            after=jsonable(after) if after is not None else None,
            request_id=current_request_id(),
        )
        for obj in objects
    ]
    AuditEvent.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def sensitive_read(*, actor: Any, member_ids: list[int], fields: list[str], channel: str) -> int:
    """Record that `actor` received these sensitive fields of these members (not their own)."""
    if not fields or not member_ids:
        return 0
    own = getattr(actor, "member_id", None)
    now = timezone.now()
    rows = [
        SensitiveAccess(
            occurred_at=now,
            actor=actor,
            actor_label=actor.get_username()[:150],
            member_id=member_id,
            fields=sorted(fields),
            channel=channel,
            request_id=current_request_id(),
        )
        for member_id in member_ids
        if member_id != own
    ]
    SensitiveAccess.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
