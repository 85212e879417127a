import datetime

from django.db.models import QuerySet
from django.utils import timezone


def filtered(events: QuerySet, *, actor="", event_type=None, object_type="", object_id="", since=None, until=None):
    qs = events
    if actor:
        qs = qs.filter(actor_label=actor)
    if event_type not in (None, ""):
        qs = qs.filter(event_type=event_type)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if since:
        qs = qs.filter(occurred_at__gte=timezone.make_aware(datetime.datetime.combine(since, datetime.time.min)))
    if until:
        qs = qs.filter(occurred_at__lte=timezone.make_aware(datetime.datetime.combine(until, datetime.time.max)))
    return qs.order_by("-occurred_at", "-id")
