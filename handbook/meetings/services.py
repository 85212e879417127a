"""Meetings: schedule, create, publish, and attendance (check-in, roll call, absence notices)."""

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from handbook.audit.models import EventType
from handbook.audit.services import audit_record
from handbook.core.errors import RuleViolation
from handbook.members.models import Member
from handbook.organizations.models import Organization
from handbook.rules import rulebook

from .models import Attendance, Meeting, MeetingType, Schedule

#: Changes to a published meeting that its members are told about.
NOTICE_FIELDS = {"title", "starts_at", "place", "online_link", "agenda"}


def check_in_window(
    organization: Organization, starts_at: datetime.datetime
) -> tuple[datetime.datetime, datetime.datetime]:
    """When members may check in to a meeting of `organization` starting at `starts_at`: from
    `meetings.check_in_opens_minutes` before to `meetings.check_in_closes_minutes` after the start,
    by the rules in force on the meeting's day — or today's, for a meeting recorded from a day no
    rules covered (before the rulebook's first version)."""
    try:
        rules = rulebook.for_organization(organization, on=timezone.localtime(starts_at).date())
    except RuleViolation as exc:
        if exc.code != "no_rules_in_force":
            raise
        rules = rulebook.for_organization(organization)
    return (
        starts_at - datetime.timedelta(minutes=rules.value("meetings.check_in_opens_minutes")),
        starts_at + datetime.timedelta(minutes=rules.value("meetings.check_in_closes_minutes")),
    )


def check_in_is_open(meeting: Meeting, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    return meeting.state == Meeting.State.PUBLISHED and meeting.check_in_opens_at <= now <= meeting.check_in_closes_at


def outside_window(opens: datetime.datetime, closes: datetime.datetime) -> RuleViolation:
    """The refusal of a check-in outside its window, in the same words on every path."""
    return RuleViolation(
        _("Check-in is open from %(opens)s to %(closes)s.") % {"opens": _when(opens), "closes": _when(closes)},
        code="window",
    )


def _when(value: datetime.datetime) -> str:
    return date_format(timezone.localtime(value), "H:i d/m/Y")


def _require_cell(organization: Organization) -> None:
    if not organization.type.holds_members or not organization.is_active:
        raise RuleViolation(_("Meetings are held by active cells."), code="not_a_cell", field="organization")


@transaction.atomic
def schedule_set(
    *, actor: Any, organization: Organization, day_of_month: int, time: datetime.time, place: str = ""
) -> Schedule:
    _require_cell(organization)
    if not 1 <= day_of_month <= 28:
        raise RuleViolation(_("Choose a day from 1 to 28 (every month has it)."), field="day_of_month")
    schedule, _created = Schedule.objects.update_or_create(
        organization=organization,
        defaults={"day_of_month": day_of_month, "time": time, "place": place[:200], "active": True},
    )
    audit_record(
        actor=actor,
        event_type=EventType.MEETING_SCHEDULED,
        obj=organization,
        after={"day_of_month": day_of_month, "time": time.isoformat(), "place": place},
    )
    return schedule


@transaction.atomic
def schedule_generate(*, actor: Any, organization: Organization, months: int = 3) -> list[Meeting]:
    """Create the regular meetings of the coming months from the cell's schedule (existing ones
    are left alone, so running it twice creates nothing new)."""
    schedule = Schedule.objects.filter(organization=organization, active=True).first()
    if schedule is None:
        raise RuleViolation(_("Set the cell's meeting schedule first."), code="no_schedule")
    today = timezone.localdate()
    created = []
    year, month = today.year, today.month
    for _step in range(months):
        day = datetime.date(year, month, schedule.day_of_month)
        if day >= today:
            starts_at = timezone.make_aware(datetime.datetime.combine(day, schedule.time))
            if not Meeting.objects.filter(
                organization=organization, type=MeetingType.REGULAR, starts_at=starts_at
            ).exists():
                created.append(
                    meeting_create(
                        actor=actor,
                        organization=organization,
                        type=MeetingType.REGULAR,
                        title=_("Regular meeting, %(month)02d/%(year)s") % {"month": month, "year": year},
                        starts_at=starts_at,
                        place=schedule.place,
                    )
                )
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return created


@transaction.atomic
def meeting_create(
    *,
    actor: Any,
    organization: Organization,
    title: str,
    starts_at: datetime.datetime,
    type: str = MeetingType.REGULAR,
    place: str = "",
    online_link: str = "",
    agenda: str = "",
) -> Meeting:
    _require_cell(organization)
    title = " ".join((title or "").split())
    if not title:
        raise RuleViolation(_("Enter a title."), field="title")
    if type not in MeetingType.values:
        raise RuleViolation(_("Choose a type of meeting."), field="type")
    if starts_at > timezone.now() + datetime.timedelta(days=730):
        raise RuleViolation(_("A meeting is planned at most two years ahead."), field="starts_at")
    opens, closes = check_in_window(organization, starts_at)
    try:
        with transaction.atomic():
            meeting = Meeting.objects.create(
                organization=organization,
                type=type,
                title=title[:200],
                starts_at=starts_at,
                check_in_opens_at=opens,
                check_in_closes_at=closes,
                place=place[:200],
                online_link=online_link,
                agenda=agenda,
            )
    except IntegrityError as exc:
        raise RuleViolation(_("The cell already has a meeting of this type at that time."), code="duplicate") from exc
    audit_record(
        actor=actor,
        event_type=EventType.MEETING_CREATED,
        obj=meeting,
        after={"title": meeting.title, "starts_at": starts_at},
    )
    return meeting


@transaction.atomic
def meeting_publish(*, actor: Any, meeting: Meeting) -> Meeting:
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.state != Meeting.State.DRAFT:
        raise RuleViolation(_("Only a draft can be published."), code="state")
    meeting.state = Meeting.State.PUBLISHED
    # The window members are told of: the rules in force now for the meeting's day.
    meeting.check_in_opens_at, meeting.check_in_closes_at = check_in_window(meeting.organization, meeting.starts_at)
    meeting.save(update_fields=["state", "check_in_opens_at", "check_in_closes_at"])
    audit_record(
        actor=actor,
        event_type=EventType.MEETING_PUBLISHED,
        obj=meeting,
        after={"check_in_opens_at": meeting.check_in_opens_at, "check_in_closes_at": meeting.check_in_closes_at},
    )
    from . import notices

    notices.published(meeting)
    return meeting


def _on_roll(meeting: Meeting, member: Member) -> None:
    if member.organization_id != meeting.organization_id or member.status not in Member.ON_ROLLS:
        raise RuleViolation(_("This member is not on the cell's roll."), code="not_on_roll", field="member")


def _record(
    *,
    actor: Any,
    meeting: Meeting,
    member: Member,
    state: str,
    method: str,
    reason: str = "",
    keep_same: bool = False,
) -> Attendance:
    """Insert or update the one attendance row of (meeting, member), under concurrency too.

    The insert comes first and the unique constraint (meeting, member) decides: the common case
    (no row yet) costs no look-up. With `keep_same`, an existing row already in `state` is returned
    unchanged and nothing is audited (a repeated tap)."""
    now = timezone.now()
    values = {"state": state, "method": method, "reason": reason[:300], "recorded_by": actor, "recorded_at": now}
    before = None
    try:
        with transaction.atomic():
            row = Attendance.objects.create(meeting=meeting, member=member, **values)
    except IntegrityError:
        # The row exists (an earlier tap, an absence notice, a concurrent retry): lock and update it.
        row = Attendance.objects.select_for_update().get(meeting=meeting, member=member)
        if keep_same and row.state == state:
            return row
        before = {"state": row.state, "method": row.method}
        if (row.state, row.method, row.reason) != (state, method, values["reason"]):
            for key, value in values.items():
                setattr(row, key, value)
            row.save()
    audit_record(
        actor=actor,
        event_type=EventType.ATTENDANCE_RECORDED,
        obj=meeting,
        before=before or {"state": None, "method": None},
        after={"member_id": member.pk, "state": state, "method": method},
    )
    return row


@transaction.atomic
def check_in(*, actor: Any, meeting: Meeting) -> Attendance:
    """The member linked to `actor` checks in to a published meeting of their cell, in its window."""
    # Re-read what the rules need, nothing more: this is meeting day's hottest path.
    meeting = Meeting.objects.only(
        "id", "organization_id", "state", "starts_at", "title", "check_in_opens_at", "check_in_closes_at"
    ).get(pk=meeting.pk)
    member = Member.objects.only("id", "organization_id", "status").filter(pk=getattr(actor, "member_id", None)).first()
    if member is None:
        raise RuleViolation(_("Only a member can check in."), code="not_a_member")
    _on_roll(meeting, member)
    if meeting.state != Meeting.State.PUBLISHED:
        raise RuleViolation(_("This meeting is not open."), code="not_published")
    if not meeting.check_in_opens_at <= timezone.now() <= meeting.check_in_closes_at:
        raise outside_window(meeting.check_in_opens_at, meeting.check_in_closes_at)
    return _record(  # a repeated tap changes nothing
        actor=actor,
        meeting=meeting,
        member=member,
        state=Attendance.State.PRESENT,
        method=Attendance.Method.SELF,
        keep_same=True,
    )


@transaction.atomic
def absence_notify(*, actor: Any, meeting: Meeting, reason: str) -> Attendance:
    """A member tells the cell beforehand that they cannot come, and why."""
    member = Member.objects.filter(pk=getattr(actor, "member_id", None)).first()
    if member is None:
        raise RuleViolation(_("Only a member can send an absence notice."), code="not_a_member")
    _on_roll(meeting, member)
    if not reason.strip():
        raise RuleViolation(_("Give the reason for your absence."), field="reason")
    if timezone.now() >= meeting.starts_at:
        raise RuleViolation(_("Send the notice before the meeting starts."), code="too_late")
    return _record(
        actor=actor,
        meeting=meeting,
        member=member,
        state=Attendance.State.EXCUSED,
        method=Attendance.Method.SELF,
        reason=reason,
    )


@transaction.atomic
def roll_call(*, actor: Any, meeting: Meeting, member: Member, state: str, reason: str = "") -> Attendance:
    """The secretary marks one member: one tap a member, safe to repeat."""
    if state not in Attendance.State.values:
        raise RuleViolation(_("Choose present, absent with a reason, or absent without one."), field="state")
    meeting = Meeting.objects.select_related("organization").get(pk=meeting.pk)
    if meeting.state == Meeting.State.CANCELLED:
        raise RuleViolation(_("This meeting was cancelled."), code="cancelled")
    _on_roll(meeting, member)
    return _record(
        actor=actor, meeting=meeting, member=member, state=state, method=Attendance.Method.ROLL_CALL, reason=reason
    )


def summary(meeting: Meeting) -> dict:
    """Attendance of one meeting against the cell's current roll."""
    expected = Member.objects.filter(organization=meeting.organization, status__in=Member.ON_ROLLS).count()
    by_state = {state: 0 for state in Attendance.State.values}
    for state in Attendance.objects.filter(meeting=meeting).values_list("state", flat=True):
        by_state[state] += 1
    present = by_state[Attendance.State.PRESENT]
    return {
        "expected": expected,
        "present": present,
        "excused": by_state[Attendance.State.EXCUSED],
        "absent": by_state[Attendance.State.ABSENT],
        "unrecorded": max(expected - sum(by_state.values()), 0),
        "rate": round(100 * present / expected, 1) if expected else 0.0,
    }


MEETING_FIELDS = ("title", "type", "starts_at", "place", "online_link", "agenda")


@transaction.atomic
def meeting_update(*, actor: Any, meeting: Meeting, **changes: Any) -> Meeting:
    """The secretary edits the agenda, time, place or online link; the change is audited."""
    unknown = set(changes) - set(MEETING_FIELDS)
    if unknown:
        raise RuleViolation(_("These fields cannot be changed here: %(f)s") % {"f": ", ".join(sorted(unknown))})
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.state == Meeting.State.CANCELLED:
        raise RuleViolation(_("This meeting was cancelled."), code="cancelled")
    if hasattr(meeting, "minutes") and meeting.minutes.finalised_at:
        raise RuleViolation(_("The minutes are final; the meeting can no longer change."), code="final")
    before = {f: getattr(meeting, f) for f in MEETING_FIELDS}
    title = " ".join(str(changes.get("title", meeting.title)).split())
    if not title:
        raise RuleViolation(_("Enter a title."), field="title")
    if changes.get("type", meeting.type) not in MeetingType.values:
        raise RuleViolation(_("Choose a type of meeting."), field="type")
    for field, value in changes.items():
        setattr(meeting, field, value)
    meeting.title = title[:200]
    if meeting.starts_at != before["starts_at"]:
        meeting.check_in_opens_at, meeting.check_in_closes_at = check_in_window(meeting.organization, meeting.starts_at)
    try:
        with transaction.atomic():
            meeting.save()
    except IntegrityError as exc:
        raise RuleViolation(_("The cell already has a meeting of this type at that time."), code="duplicate") from exc
    after = {f: getattr(meeting, f) for f in MEETING_FIELDS}
    changed = [f for f in MEETING_FIELDS if before[f] != after[f]]
    if changed:
        audit_record(
            actor=actor,
            event_type=EventType.MEETING_UPDATED,
            obj=meeting,
            before={f: before[f] for f in changed},
            after={f: after[f] for f in changed},
        )
    # Members are told when what they need to come changes, once the meeting is published.
    if meeting.state == Meeting.State.PUBLISHED and set(changed) & NOTICE_FIELDS:
        from . import notices

        notices.changed(meeting, timezone.now().strftime("%Y%m%d%H%M%S%f"))
    return meeting
