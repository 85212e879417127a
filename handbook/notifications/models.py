"""Notifications: one in-app row per (user, event), its deliveries by email and web push,
each user's preferences, their devices' push subscriptions and the daily digests sent."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """Something a user should know about, shown in the app. `params` are stored raw and rendered
    by the kind's registered renderer at display or send time, in the reader's language.

    Unique per (user, event_key): a repeated or retried `notify` never creates a second row."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", db_index=False
    )
    kind = models.CharField(max_length=60)
    event_key = models.CharField(max_length=200)
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "event_key"], name="notification_once_per_user")]
        indexes = [
            # "My notifications, newest first" and the digest's "mine since T".
            models.Index(fields=["user", "-created_at"], name="notification_user_new_idx"),
            # The header badge: a count over a small partial index (only unread rows are in it).
            models.Index(fields=["user"], condition=Q(read_at__isnull=True), name="notification_unread_idx"),
        ]
        verbose_name = _("notification")

    def __str__(self) -> str:
        return f"{self.kind} → {self.user_id} ({self.event_key})"


class Delivery(models.Model):
    """Sending one notification through one channel. A worker claims it with a conditional UPDATE
    (pending → sending) before sending, so concurrent or repeated tasks send it at most once."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        PUSH = "push", _("Web push")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped")

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries", db_index=False)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Push goes to each of the user's devices; the ids already reached are kept so a retry after a
    # partial failure does not reach them again.
    done_subscriptions = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="delivery_once_per_channel"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "sending", "sent", "failed", "skipped"]),
                name="delivery_status_valid",
            ),
        ]
        indexes = [
            # The retry sweep: pending rows whose time has come, and stale claims.
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"), name="delivery_due_idx"),
            models.Index(fields=["claimed_at"], condition=Q(status="sending"), name="delivery_sending_idx"),
        ]
        verbose_name = _("delivery")

    def __str__(self) -> str:
        return f"{self.channel} {self.status} ({self.notification_id})"


class Preferences(models.Model):
    """How a user wants to be told. In-app notifications are always on; without a row the defaults
    apply: email on when the user has an address, push on for devices that subscribed, no digest."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="notification_preferences"
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="vi")
    email_enabled = models.BooleanField(_("by email"), default=True)
    push_enabled = models.BooleanField(_("on my devices (push)"), default=True)
    digest_daily = models.BooleanField(
        _("one email a day instead"), default=False, help_text=_("A daily summary replaces the separate emails.")
    )
    muted_kinds = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("notification preferences")

    def __str__(self) -> str:
        return f"preferences of {self.user_id}"


class PushSubscription(models.Model):
    """One device's web push subscription (from `pushManager.subscribe`). The push service answers
    404/410 for a subscription that is gone; it is then deleted."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions")
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("push subscription")

    def __str__(self) -> str:
        return f"push {self.user_id} {self.endpoint[:40]}"


class DigestRun(models.Model):
    """The daily digest of one user for one day: the unique (user, day) makes it at most once a day.
    It covers the notifications created in (period_start, period_end]; a retry sends the same period."""

    class Status(models.TextChoices):
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        EMPTY = "empty", _("Nothing to send")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_runs", db_index=False
    )
    day = models.DateField()
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENDING)
    attempts = models.PositiveSmallIntegerField(default=1)
    count = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="digest_once_a_day")]
        indexes = [models.Index(fields=["user", "-period_end"], name="digest_user_last_idx")]
        verbose_name = _("daily digest")

    def __str__(self) -> str:
        return f"digest {self.user_id} {self.day}"
