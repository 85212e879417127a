"""Reads of one's own notifications (a user sees only their own: every query starts from `user`)."""

from django.db.models import QuerySet

from .models import Notification


def mine(user) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).order_by("-created_at", "-pk")


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
