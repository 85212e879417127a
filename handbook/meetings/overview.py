"""The supervisor's view: every meeting of a subtree in a month, with attendance, content and vote
results, the cells that held no meeting, and ratings by upper-level officials."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from handbook.audit.models import EventType
from handbook.audit.services import audit_record
from handbook.core.errors import RuleViolation
from handbook.members.models import Member
from handbook.organizations.models import Organization
from handbook.organizations.paths import subtree_q

from .models import Attendance, Meeting, Rating


def month_bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The month in local time (a meeting at 19:00 on the last day belongs to that month)."""
    first = datetime.date(month.year, month.month, 1)
    following = datetime.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))
    return start, timezone.make_aware(datetime.datetime.combine(following, datetime.time.min))


@dataclass
class Row:
    meeting: Meeting
    expected: int
    present: int
    rate: float
    motions: list
    ratings: list


def overview(org: Organization, month: datetime.date, limit: int = 300) -> tuple[list[Row], list[Organization], int]:
    """Meetings (published) in org's subtree that month; cells without one; total cells."""
    start, end = month_bounds(month)
    meetings = list(
        Meeting.objects.filter(
            subtree_q(org.path, "organization__path"),
            starts_at__gte=start,
            starts_at__lt=end,
            state=Meeting.State.PUBLISHED,
        )
        .select_related("organization")
        .prefetch_related("motions", "ratings")
        .order_by("organization__path", "starts_at")[:limit]
    )
    present = dict(
        Attendance.objects.filter(meeting__in=meetings, state=Attendance.State.PRESENT)
        .values("meeting")
        .annotate(n=Count("id"))
        .values_list("meeting", "n")
    )
    cell_ids = {m.organization_id for m in meetings}
    expected = dict(
        Member.objects.filter(organization_id__in=cell_ids, status__in=Member.ON_ROLLS)
        .values("organization")
        .annotate(n=Count("id"))
        .values_list("organization", "n")
    )
    rows = []
    for m in meetings:
        e = expected.get(m.organization_id, 0)
        p = present.get(m.pk, 0)
        rows.append(Row(m, e, p, round(100 * p / e, 1) if e else 0.0, list(m.motions.all()), list(m.ratings.all())))
    cells = Organization.objects.filter(
        subtree_q(org.path), type__holds_members=True, status=Organization.Status.ACTIVE
    )
    held = Meeting.objects.filter(
        subtree_q(org.path, "organization__path"),
        starts_at__gte=start,
        starts_at__lt=end,
        state=Meeting.State.PUBLISHED,
    ).values("organization")
    silent = list(cells.exclude(Q(pk__in=held)).order_by("path")[:limit])
    return rows, silent, cells.count()


@transaction.atomic
def meeting_rate(*, actor: Any, meeting: Meeting, score: int, comment: str = "") -> Rating:
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise RuleViolation(_("Give a score from 1 to 5."), field="score")
    if meeting.state != Meeting.State.PUBLISHED or meeting.starts_at > timezone.now():
        raise RuleViolation(_("A meeting is rated after it has been held."), code="not_held")
    rating, _created = Rating.objects.update_or_create(
        meeting=meeting, rater=actor, defaults={"score": score, "comment": comment[:500], "rated_at": timezone.now()}
    )
    audit_record(
        actor=actor, event_type=EventType.MEETING_RATED, obj=meeting, after={"score": score, "comment": comment}
    )
    return rating
