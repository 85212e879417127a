"""Notifications: the public interface other apps call, and the user's own changes.

Other apps register their kinds and audiences when they load (in `AppConfig.ready()`):

    register_kind("meeting_published", title=lambda p: gettext("Meeting on %(date)s") % p)
    register_recipients("cell_members", lambda *, cell_id: User.objects.filter(...).values_list("pk", flat=True))

and call `notify(...)` inside their service's transaction. The fan-out, the in-app rows and the
deliveries by email and web push run afterwards as background tasks (see `tasks.py`).
"""

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from handbook.audit.models import EventType
from handbook.audit.services import audit_record
from handbook.core.errors import RuleViolation

from .models import Notification, Preferences, PushSubscription

BATCH_SIZE = 1000


@dataclass(frozen=True)
class Kind:
    name: str
    title: Callable[[dict], str]
    body: Callable[[dict], str] | None = None
    label: Any = None  # shown on the preferences page (a lazy translation); the name otherwise


_KINDS: dict[str, Kind] = {}
_RESOLVERS: dict[str, Callable[..., Iterable[int]]] = {}


def register_kind(
    name: str, *, title: Callable[[dict], str], body: Callable[[dict], str] | None = None, label: Any = None
) -> None:
    """Declare a kind of notification. `title` and `body` turn the stored params into text in the
    active language; they run when the notification is shown or sent, so each user reads it in
    their own language. `label` (optional, e.g. `gettext_lazy("New documents")`) names the kind on
    the preferences page, where a user may mute it for email and push.
    Registering a name again replaces it (module reloads in development)."""
    _KINDS[name] = Kind(name=name, title=title, body=body, label=label)


def register_recipients(name: str, resolver: Callable[..., Iterable[int]]) -> None:
    """Declare an audience: `resolver(**args)` returns user ids (a `values_list` queryset is best:
    the fan-out reads it in batches)."""
    _RESOLVERS[name] = resolver


def kinds() -> dict[str, Kind]:
    return dict(_KINDS)


def get_kind(name: str) -> Kind | None:
    return _KINDS.get(name)


def get_resolver(name: str) -> Callable[..., Iterable[int]]:
    try:
        return _RESOLVERS[name]
    except KeyError:
        raise ValueError(f"unknown recipients {name!r}: call register_recipients first") from None


def notify(
    kind: str,
    event_key: str,
    *,
    users: Iterable[int] | None = None,
    recipients: tuple[str, dict] | None = None,
    params: dict | None = None,
    url: str = "",
) -> None:
    """Tell `users` (ids) or the audience `recipients=(name, args)` about one event.

    Call it inside the service's transaction: nothing is queued if that transaction rolls back.
    The same `event_key` reaches a user at most once, however often `notify` is called."""
    from . import tasks

    if kind not in _KINDS:
        raise ValueError(f"unknown notification kind {kind!r}: call register_kind first")
    if (users is None) == (recipients is None):
        raise ValueError("give exactly one of users= or recipients=")
    if not event_key or len(event_key) > 200:
        raise ValueError("event_key must be 1 to 200 characters")
    params = params or {}
    json.dumps(params)  # fail here, in the caller, rather than later in the worker
    if recipients is not None:
        name, args = recipients
        get_resolver(name)
        json.dumps(args)
        jobs = [{"recipients": [name, args]}]
    else:
        ids = sorted({int(u) for u in users})
        jobs = [{"user_ids": ids[i : i + BATCH_SIZE]} for i in range(0, len(ids), BATCH_SIZE)]
    for job in jobs:
        payload = {"kind": kind, "event_key": event_key, "params": params, "url": url[:500], **job}
        transaction.on_commit(lambda payload=payload: tasks.fan_out.enqueue(**payload))


# Rendering ------------------------------------------------------------------------------------


def render_title(notification: Notification) -> str:
    kind = _KINDS.get(notification.kind)
    if kind is None:
        return _("Notification")
    try:
        return str(kind.title(notification.params))
    except (KeyError, TypeError, ValueError):
        return _("Notification")


def render_body(notification: Notification) -> str:
    kind = _KINDS.get(notification.kind)
    if kind is None or kind.body is None:
        return ""
    try:
        return str(kind.body(notification.params))
    except (KeyError, TypeError, ValueError):
        return ""


# Preferences ----------------------------------------------------------------------------------


def preferences_for(user) -> Preferences:
    """The stored preferences, or the defaults (not saved) when the user never changed them."""
    prefs = Preferences.objects.filter(user=user).first()
    return prefs or Preferences(user=user, language=settings.LANGUAGE_CODE)


def wants_email(user, prefs: Preferences, kind: str) -> bool:
    return bool(user.email) and prefs.email_enabled and not prefs.digest_daily and kind not in prefs.muted_kinds


def wants_push(prefs: Preferences, kind: str) -> bool:
    return push_configured() and prefs.push_enabled and kind not in prefs.muted_kinds


def push_configured() -> bool:
    return bool(getattr(settings, "VAPID_PUBLIC_KEY", "") and getattr(settings, "VAPID_PRIVATE_KEY", ""))


@transaction.atomic
def preferences_update(
    *,
    actor,
    language: str | None = None,
    email_enabled: bool | None = None,
    push_enabled: bool | None = None,
    digest_daily: bool | None = None,
    muted_kinds: list[str] | None = None,
) -> Preferences:
    """Change one's own preferences (only the values given)."""
    prefs = Preferences.objects.select_for_update().filter(user=actor).first()
    if prefs is None:
        prefs = Preferences(user=actor, language=settings.LANGUAGE_CODE)
    before = _prefs_dict(prefs)
    if language is not None:
        if language not in dict(settings.LANGUAGES):
            raise RuleViolation(_("Choose one of the offered languages."), code="language", field="language")
        prefs.language = language
    if muted_kinds is not None:
        unknown = sorted(set(muted_kinds) - set(_KINDS))
        if unknown:
            raise RuleViolation(_("Unknown kind of notification."), code="unknown_kind", field="muted_kinds")
        prefs.muted_kinds = sorted(set(muted_kinds))
    for field, value in (
        ("email_enabled", email_enabled),
        ("push_enabled", push_enabled),
        ("digest_daily", digest_daily),
    ):
        if value is not None:
            setattr(prefs, field, bool(value))
    prefs.save()
    after = _prefs_dict(prefs)
    if after != before:
        audit_record(
            actor=actor,
            event_type=EventType.NOTIFICATION_PREFERENCES_CHANGED,
            obj=prefs,
            object_repr=actor.get_username(),
            before=before,
            after=after,
        )
    return prefs


def _prefs_dict(prefs: Preferences) -> dict:
    return {
        "language": prefs.language,
        "email_enabled": prefs.email_enabled,
        "push_enabled": prefs.push_enabled,
        "digest_daily": prefs.digest_daily,
        "muted_kinds": list(prefs.muted_kinds),
    }


# Reading --------------------------------------------------------------------------------------


def notification_mark_read(*, actor, notification: Notification) -> Notification:
    """Mark one of one's own notifications read (not audited: it changes nothing but the reader's view)."""
    if notification.user_id != actor.pk:
        raise RuleViolation(_("Not found."), code="not_found")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
    return notification


def notification_mark_all_read(*, actor) -> int:
    return Notification.objects.filter(user=actor, read_at__isnull=True).update(read_at=timezone.now())


# Push subscriptions ---------------------------------------------------------------------------


@transaction.atomic
def push_subscription_register(
    *, actor, endpoint: str, p256dh: str, auth: str, user_agent: str = ""
) -> PushSubscription:
    """Remember this device. A browser keeps one endpoint per device: registering it again (even
    after another user signed in on the same phone) moves it to the current user."""
    if not push_configured():
        raise RuleViolation(_("Notifications on devices are not set up on this server."), code="push_disabled")
    if not endpoint.startswith("https://") or len(endpoint) > 1000:
        raise RuleViolation(_("This is not a push subscription."), code="invalid_subscription", field="endpoint")
    if not p256dh or not auth or len(p256dh) > 200 or len(auth) > 100:
        raise RuleViolation(_("This is not a push subscription."), code="invalid_subscription", field="keys")
    subscription, created = PushSubscription.objects.update_or_create(
        endpoint=endpoint,
        defaults={"user": actor, "p256dh": p256dh, "auth": auth, "user_agent": user_agent[:300]},
    )
    if created:
        audit_record(
            actor=actor,
            event_type=EventType.PUSH_SUBSCRIBED,
            obj=subscription,
            object_repr=user_agent[:100] or actor.get_username(),
        )
    return subscription


@transaction.atomic
def push_subscription_delete(*, actor, endpoint: str) -> bool:
    """Forget one of one's own devices. Someone else's endpoint is treated as unknown."""
    subscription = PushSubscription.objects.filter(user=actor, endpoint=endpoint).first()
    if subscription is None:
        return False
    audit_record(
        actor=actor,
        event_type=EventType.PUSH_UNSUBSCRIBED,
        obj=subscription,
        object_repr=subscription.user_agent[:100] or actor.get_username(),
    )
    subscription.delete()
    return True
