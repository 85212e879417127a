"""iCalendar feed of a member's cell meetings (RFC 5545, written with the icalendar library)."""

import datetime
import secrets

from django.db import transaction
from django.utils import timezone
from icalendar import Calendar, Event

from handbook.members.models import Member

from .models import CalendarFeed, Meeting


@transaction.atomic
def feed_renew(*, user) -> CalendarFeed:
    """A new token; the old address stops working at once."""
    feed, _created = CalendarFeed.objects.update_or_create(user=user, defaults={"token": secrets.token_urlsafe(32)})
    return feed


def feed_ics(feed: CalendarFeed, *, host: str) -> bytes:
    member = Member.objects.filter(pk=feed.user.member_id).select_related("organization").first()
    calendar = Calendar()
    calendar.add("prodid", "-//Handbook//meetings//VI")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Sinh hoạt chi bộ")
    if member is None:
        return calendar.to_ical()
    since = timezone.now() - datetime.timedelta(days=90)
    meetings = Meeting.objects.filter(
        organization=member.organization, state=Meeting.State.PUBLISHED, starts_at__gte=since
    ).order_by("starts_at")[:200]
    for meeting in meetings:
        event = Event()
        event.add("uid", f"meeting-{meeting.pk}@{host}")
        event.add("dtstamp", timezone.now())
        event.add("dtstart", meeting.starts_at)
        event.add("dtend", meeting.starts_at + datetime.timedelta(hours=2))
        event.add("summary", meeting.title)
        if meeting.place:
            event.add("location", meeting.place)
        event.add("description", meeting.agenda or meeting.get_type_display())
        event.add("url", f"https://{host}/meetings/{meeting.pk}/")
        calendar.add_component(event)
    return calendar.to_ical()
