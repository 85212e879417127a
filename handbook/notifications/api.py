"""API for one's own notifications, preferences and devices (push subscriptions).
Everyone sees only their own notifications: anybody else's answers 404 like a missing one."""

import datetime

from django.conf import settings
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from handbook.core import access

from . import queries, services

router = Router(tags=["notifications"])

MAX_LIMIT = 100


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    created_at: datetime.datetime
    read_at: datetime.datetime | None


class NotificationPage(Schema):
    count: int
    unread: int
    items: list[NotificationOut]


class UnreadOut(Schema):
    unread: int


class MarkedOut(Schema):
    marked: int


class PreferencesOut(Schema):
    language: str
    email_enabled: bool
    push_enabled: bool
    digest_daily: bool
    muted_kinds: list[str]
    has_email: bool
    push_configured: bool
    push_public_key: str
    kinds: list[str]


class PreferencesIn(Schema):
    language: str | None = None
    email_enabled: bool | None = None
    push_enabled: bool | None = None
    digest_daily: bool | None = None
    muted_kinds: list[str] | None = None


class PushKeys(Schema):
    p256dh: str
    auth: str


class PushSubscriptionIn(Schema):
    endpoint: str
    keys: PushKeys
    user_agent: str = ""


class PushSubscriptionDelete(Schema):
    endpoint: str


class PushSubscriptionOut(Schema):
    id: int
    endpoint: str
    created_at: datetime.datetime


def _out(n) -> dict:
    return {
        "id": n.pk,
        "kind": n.kind,
        "title": services.render_title(n),
        "body": services.render_body(n),
        "url": n.url,
        "created_at": n.created_at,
        "read_at": n.read_at,
    }


def _prefs(request) -> dict:
    prefs = services.preferences_for(request.user)
    return {
        "language": prefs.language,
        "email_enabled": prefs.email_enabled,
        "push_enabled": prefs.push_enabled,
        "digest_daily": prefs.digest_daily,
        "muted_kinds": list(prefs.muted_kinds),
        "has_email": bool(request.user.email),
        "push_configured": services.push_configured(),
        "push_public_key": settings.VAPID_PUBLIC_KEY if services.push_configured() else "",
        "kinds": sorted(services.kinds()),
    }


@router.get("", response=NotificationPage)
def notification_list(request, unread: bool = False, limit: int = 50, offset: int = 0):
    """My notifications, newest first (`unread=true` for the unread ones only); titles in the request's language."""
    qs = queries.mine(request.user)
    if unread:
        qs = qs.filter(read_at__isnull=True)
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    return {
        "count": qs.count(),
        "unread": queries.unread_count(request.user),
        "items": [_out(n) for n in qs[offset : offset + limit]],
    }


@router.get("/unread-count", response=UnreadOut)
def unread_count(request):
    return {"unread": queries.unread_count(request.user)}


@router.post("/read-all", response=MarkedOut)
def read_all(request):
    return {"marked": services.notification_mark_all_read(actor=request.user)}


@router.post("/{notification_id}/read", response=NotificationOut)
def read(request, notification_id: int):
    notification = access.get_or_404(queries.mine(request.user), pk=notification_id)
    return _out(services.notification_mark_read(actor=request.user, notification=notification))


@router.get("/preferences", response=PreferencesOut)
def preferences_get(request):
    return _prefs(request)


@router.patch("/preferences", response=PreferencesOut)
def preferences_update(request, data: PreferencesIn):
    """Change only the fields sent."""
    services.preferences_update(actor=request.user, **data.dict(exclude_unset=True))
    return _prefs(request)


@router.post("/push-subscriptions", response={201: PushSubscriptionOut})
def push_subscribe(request, data: PushSubscriptionIn):
    """Register this device's push subscription (the JSON of `PushSubscription.toJSON()`)."""
    subscription = services.push_subscription_register(
        actor=request.user,
        endpoint=data.endpoint,
        p256dh=data.keys.p256dh,
        auth=data.keys.auth,
        user_agent=data.user_agent or request.headers.get("User-Agent", ""),
    )
    return Status(
        201, {"id": subscription.pk, "endpoint": subscription.endpoint, "created_at": subscription.created_at}
    )


@router.delete("/push-subscriptions", response={204: None})
def push_unsubscribe(request, data: PushSubscriptionDelete):
    """Forget one of my devices (an unknown endpoint, or someone else's, is 404)."""
    if not services.push_subscription_delete(actor=request.user, endpoint=data.endpoint):
        raise HttpError(404, "Not found")
    return Status(204, None)
