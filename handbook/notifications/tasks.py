"""Background work: fan-out to recipients, deliveries by email and push with retries, the daily digest.

Exactly once: the in-app row is unique per (user, event_key) and inserted with ignore-conflicts; a
delivery is unique per (notification, channel) and sent only by the worker whose conditional
UPDATE moved it from pending to sending. django-tasks has no automatic retries: a failed delivery
goes back to pending with a later `next_attempt_at`, is re-queued with `run_after` when the backend
can defer, and is picked up in any case by `retry_notifications` (cron) once its time has come.
"""

import datetime
import logging
from collections.abc import Iterable, Iterator

from django.contrib.auth import get_user_model
from django.core import mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from . import channels
from .models import Delivery, DigestRun, Notification, Preferences, PushSubscription
from .services import BATCH_SIZE, get_resolver, preferences_for, wants_email, wants_push

logger = logging.getLogger(__name__)

DELIVERY_CHUNK = 100
MAX_ATTEMPTS = 5
# Waits after the 1st, 2nd, 3rd, 4th failed attempt.
BACKOFF = [
    datetime.timedelta(minutes=1),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=30),
    datetime.timedelta(hours=2),
]
# A claim older than this belongs to a worker that died while sending. Whether the message left is
# unknown; it is marked failed rather than sent again, so nobody gets it twice.
STALE_CLAIM = datetime.timedelta(minutes=15)
DIGEST_MAX_ITEMS = 50


def _batches(source: Iterable[int], size: int) -> Iterator[list[int]]:
    if hasattr(source, "iterator"):
        source = source.iterator(chunk_size=size)
    batch: list[int] = []
    for value in source:
        batch.append(int(value))
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _chunks(values: list[int], size: int) -> Iterator[list[int]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


@task()
def fan_out(
    *,
    kind: str,
    event_key: str,
    params: dict,
    url: str,
    user_ids: list[int] | None = None,
    recipients: list | None = None,
) -> int:
    """Create the in-app rows for every recipient, batch by batch, and queue their deliveries."""
    if user_ids is not None:
        source: Iterable[int] = user_ids
    else:
        name, args = recipients
        source = get_resolver(name)(**args)
    created = 0
    for batch in _batches(source, BATCH_SIZE):
        pending = create_batch(kind=kind, event_key=event_key, params=params, url=url, user_ids=batch)
        created += len(batch)
        for chunk in _chunks(pending, DELIVERY_CHUNK):
            deliver.enqueue(chunk)
    return created


@transaction.atomic
def create_batch(*, kind: str, event_key: str, params: dict, url: str, user_ids: list[int]) -> list[int]:
    """One batch: in-app rows (ignoring those that exist) and the deliveries each user's preferences
    ask for. Returns the ids of deliveries waiting to be sent. Safe to run twice."""
    users = list(get_user_model().objects.filter(pk__in=user_ids, is_active=True).only("pk", "email"))
    if not users:
        return []
    ids = [u.pk for u in users]
    now = timezone.now()
    Notification.objects.bulk_create(
        [
            Notification(user_id=pk, kind=kind, event_key=event_key, params=params, url=url, created_at=now)
            for pk in ids
        ],
        ignore_conflicts=True,
    )
    rows = dict(Notification.objects.filter(user_id__in=ids, event_key=event_key).values_list("user_id", "pk"))
    prefs = {p.user_id: p for p in Preferences.objects.filter(user_id__in=ids)}
    subscribed = set(PushSubscription.objects.filter(user_id__in=ids).values_list("user_id", flat=True))
    deliveries = []
    for user in users:
        p = prefs.get(user.pk) or Preferences(user_id=user.pk)
        if wants_email(user, p, kind):
            deliveries.append(Delivery(notification_id=rows[user.pk], channel=Delivery.Channel.EMAIL))
        if user.pk in subscribed and wants_push(p, kind):
            deliveries.append(Delivery(notification_id=rows[user.pk], channel=Delivery.Channel.PUSH))
    Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
    return list(
        Delivery.objects.filter(notification_id__in=rows.values(), status=Delivery.Status.PENDING).values_list(
            "pk", flat=True
        )
    )


@task()
def deliver(delivery_ids: list[int]) -> dict:
    """Send a chunk of deliveries (one SMTP connection for the chunk's emails)."""
    outcome: dict[str, int] = {}
    connection = mail.get_connection()
    try:
        for pk in delivery_ids:
            result = send_one(pk, connection=connection)
            outcome[result] = outcome.get(result, 0) + 1
    finally:
        connection.close()
    return outcome


def _claim(pk: int) -> bool:
    now = timezone.now()
    return (
        Delivery.objects.filter(pk=pk, status=Delivery.Status.PENDING, next_attempt_at__lte=now).update(
            status=Delivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
        == 1
    )


def _finish(delivery: Delivery, status: str, error: str = "") -> None:
    Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING).update(
        status=status, last_error=error, sent_at=timezone.now() if status == Delivery.Status.SENT else None
    )


def send_one(pk: int, *, connection=None) -> str:
    """Claim and send one delivery. Returns what happened: claimed-elsewhere, sent, skipped, retry, failed."""
    if not _claim(pk):
        return "not-claimed"
    delivery = Delivery.objects.select_related("notification", "notification__user").get(pk=pk)
    notification = delivery.notification
    user = notification.user
    prefs = preferences_for(user)
    # Preferences are read again at send time: turning email off stops what is still queued.
    if delivery.channel == Delivery.Channel.EMAIL:
        allowed = user.is_active and wants_email(user, prefs, notification.kind)
    else:
        allowed = user.is_active and wants_push(prefs, notification.kind)
    if not allowed:
        _finish(delivery, Delivery.Status.SKIPPED, "preferences")
        return "skipped"
    try:
        if delivery.channel == Delivery.Channel.EMAIL:
            channels.send_email(notification, user, prefs, connection=connection)
        else:
            channels.send_push(delivery, notification, user, prefs)
    except Exception as exc:  # noqa: BLE001 - any failure of the outside service is retried
        return _failed(delivery, exc)
    if delivery.channel == Delivery.Channel.PUSH and not delivery.done_subscriptions:
        _finish(delivery, Delivery.Status.SKIPPED, "no device")
        return "skipped"
    _finish(delivery, Delivery.Status.SENT)
    return "sent"


def _failed(delivery: Delivery, exc: Exception) -> str:
    error = f"{exc.__class__.__name__}: {exc}"[:1000]
    logger.warning("notification delivery %s failed (attempt %s): %s", delivery.pk, delivery.attempts, error)
    if delivery.attempts >= MAX_ATTEMPTS:
        _finish(delivery, Delivery.Status.FAILED, error)
        return "failed"
    when = timezone.now() + BACKOFF[min(delivery.attempts, len(BACKOFF)) - 1]
    Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING).update(
        status=Delivery.Status.PENDING, next_attempt_at=when, last_error=error
    )
    if deliver.get_backend().supports_defer:
        deliver.using(run_after=when).enqueue([delivery.pk])
    return "retry"


def retry_due(*, inline: bool = False, limit: int = 10_000) -> dict:
    """The sweep run by `retry_notifications`: give up on stale claims, send what is due (and failed
    digests of today that may be tried again)."""
    now = timezone.now()
    stale = Delivery.objects.filter(status=Delivery.Status.SENDING, claimed_at__lt=now - STALE_CLAIM).update(
        status=Delivery.Status.FAILED,
        last_error="outcome unknown: the worker stopped while sending; not sent again to avoid a duplicate",
    )
    due = list(
        Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    for chunk in _chunks(due, DELIVERY_CHUNK):
        if inline:
            deliver.call(chunk)
        else:
            deliver.enqueue(chunk)
    digests = list(
        DigestRun.objects.filter(status=DigestRun.Status.FAILED, attempts__lt=MAX_ATTEMPTS).values_list("pk", flat=True)
    )
    for pk in digests:
        digest_retry(pk)
    return {"stale": stale, "due": len(due), "digests": len(digests)}


@task()
def retry_task() -> dict:
    return retry_due()


# The daily digest -----------------------------------------------------------------------------


def digest_users():
    return (
        Preferences.objects.filter(digest_daily=True, user__is_active=True)
        .exclude(user__email="")
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )


def send_digests(*, now: datetime.datetime | None = None, inline: bool = False) -> int:
    """Queue today's digest for every user who asked for one (run once a day; running it again the
    same day sends nothing new: one digest per user per day)."""
    now = now or timezone.now()
    queued = 0
    for batch in _batches(digest_users(), BATCH_SIZE):
        if inline:
            digest_batch.call(batch, now.isoformat())
        else:
            digest_batch.enqueue(batch, now.isoformat())
        queued += len(batch)
    return queued


@task()
def digest_batch(user_ids: list[int], now_iso: str) -> int:
    now = datetime.datetime.fromisoformat(now_iso)
    return sum(1 for pk in user_ids if digest_send(user_id=pk, now=now) == "sent")


@task()
def digests_task() -> int:
    return send_digests()


def digest_send(*, user_id: int, now: datetime.datetime) -> str:
    """Today's digest for one user: claimed by inserting the (user, day) row, so a second run, or
    a second worker, finds it taken."""
    day = timezone.localdate(now)
    last_end = (
        DigestRun.objects.filter(user_id=user_id).order_by("-period_end").values_list("period_end", flat=True).first()
    )
    start = last_end or now - datetime.timedelta(days=1)
    try:
        with transaction.atomic():
            run = DigestRun.objects.create(user_id=user_id, day=day, period_start=start, period_end=now)
    except IntegrityError:
        return "already"
    return _digest_deliver(run)


def digest_retry(pk: int) -> str:
    claimed = DigestRun.objects.filter(pk=pk, status=DigestRun.Status.FAILED, attempts__lt=MAX_ATTEMPTS).update(
        status=DigestRun.Status.SENDING, attempts=F("attempts") + 1
    )
    if not claimed:
        return "not-claimed"
    return _digest_deliver(DigestRun.objects.get(pk=pk))


def _digest_deliver(run: DigestRun) -> str:
    user = get_user_model().objects.get(pk=run.user_id)
    prefs = preferences_for(user)
    qs = Notification.objects.filter(
        user_id=run.user_id, created_at__gt=run.period_start, created_at__lte=run.period_end
    ).exclude(kind__in=prefs.muted_kinds)
    total = qs.count()
    if not total or not user.email or not prefs.digest_daily:
        DigestRun.objects.filter(pk=run.pk).update(status=DigestRun.Status.EMPTY, count=0)
        return "empty"
    notifications = list(qs.order_by("-created_at")[:DIGEST_MAX_ITEMS])
    try:
        channels.send_digest(user=user, prefs=prefs, notifications=notifications, total=total)
    except Exception as exc:  # noqa: BLE001 - retried by retry_notifications
        logger.warning("digest %s failed: %s", run.pk, exc)
        DigestRun.objects.filter(pk=run.pk).update(
            status=DigestRun.Status.FAILED, last_error=f"{exc.__class__.__name__}: {exc}"[:1000]
        )
        return "failed"
    DigestRun.objects.filter(pk=run.pk).update(
        status=DigestRun.Status.SENT, count=total, sent_at=timezone.now(), last_error=""
    )
    return "sent"
