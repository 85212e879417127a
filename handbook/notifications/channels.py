"""Sending through the two outside channels: email (Django's email backend: SMTP, or the console
in development) and web push (pywebpush with VAPID). Texts are rendered in the reader's language."""

import json
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .models import Delivery, Notification, Preferences, PushSubscription
from .services import render_body, render_title

logger = logging.getLogger(__name__)

PUSH_TTL_SECONDS = 24 * 3600
PUSH_TIMEOUT_SECONDS = 10


class PushFailed(Exception):
    """At least one device could not be reached for a reason other than "gone"; retry later."""


def absolute(url: str) -> str:
    """Links in emails and push messages need the site's address (HANDBOOK_BASE_URL)."""
    if not url:
        url = reverse("notifications:list")
    if url.startswith(("http://", "https://")):
        return url
    return settings.HANDBOOK_BASE_URL.rstrip("/") + "/" + url.lstrip("/")


def open_link(notification: Notification) -> str:
    """Links go through the notification's own page, which marks it read and then redirects."""
    return absolute(reverse("notifications:open", args=[notification.pk]))


def send_email(notification: Notification, user, prefs: Preferences, connection=None) -> None:
    with translation.override(prefs.language):
        title = render_title(notification)
        context = {
            "title": title,
            "body": render_body(notification),
            "link": open_link(notification),
            "preferences_link": absolute(reverse("notifications:preferences")),
        }
        text = render_to_string("notifications/email/notification.txt", context)
    EmailMessage(
        subject=title, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[user.email], connection=connection
    ).send(fail_silently=False)


def send_digest(*, user, prefs: Preferences, notifications: list[Notification], total: int) -> None:
    with translation.override(prefs.language):
        items = [
            {"title": render_title(n), "body": render_body(n), "link": open_link(n), "created_at": n.created_at}
            for n in notifications
        ]
        context = {
            "items": items,
            "total": total,
            "more": total - len(items),
            "list_link": absolute(reverse("notifications:list")),
            "preferences_link": absolute(reverse("notifications:preferences")),
        }
        subject = render_to_string("notifications/email/digest_subject.txt", context).strip()
        text = render_to_string("notifications/email/digest.txt", context)
    EmailMessage(subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[user.email]).send(
        fail_silently=False
    )


def send_push(delivery: Delivery, notification: Notification, user, prefs: Preferences) -> int:
    """Push to each of the user's devices not reached yet. Returns how many were reached now.
    A 404/410 answer means the subscription is gone: it is deleted. Other failures raise
    `PushFailed` after the reached devices are recorded, so a retry skips them."""
    from pywebpush import WebPushException, webpush
    from requests import RequestException

    with translation.override(prefs.language):
        payload = json.dumps(
            {
                "title": render_title(notification),
                "body": render_body(notification),
                "url": open_link(notification),
                "tag": notification.event_key,
            },
            ensure_ascii=False,
        )
    done = list(delivery.done_subscriptions)
    reached = 0
    errors = []
    for subscription in PushSubscription.objects.filter(user=user).exclude(pk__in=done).order_by("pk"):
        info = {"endpoint": subscription.endpoint, "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth}}
        try:
            webpush(
                subscription_info=info,
                data=payload,
                vapid_private_key=settings.VAPID_PRIVATE_KEY,
                vapid_claims={"sub": settings.VAPID_SUBJECT},  # a fresh dict: webpush adds aud and exp to it
                ttl=PUSH_TTL_SECONDS,
                timeout=PUSH_TIMEOUT_SECONDS,
            )
        except WebPushException as exc:
            status = getattr(exc.response, "status_code", None)
            if status in (404, 410):
                logger.info("push subscription %s is gone (%s): deleted", subscription.pk, status)
                subscription.delete()
                continue
            errors.append(f"{status or 'error'}: {exc.message}"[:300])
        except (RequestException, OSError, ValueError) as exc:
            errors.append(f"{exc.__class__.__name__}: {exc}"[:300])
        else:
            done.append(subscription.pk)
            reached += 1
    if done != delivery.done_subscriptions:
        Delivery.objects.filter(pk=delivery.pk).update(done_subscriptions=done)
        delivery.done_subscriptions = done
    if errors:
        raise PushFailed("; ".join(errors))
    return reached
