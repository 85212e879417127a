"""Attendance rates over a period: per cell, per subtree (rolled up to an organisation's
children), and per member.

Definitions (the same everywhere, so the parts add up to the totals):
- a meeting is *held* when it is published and its start lies in the period and in the past;
- *summoned* at a meeting: the cell's members on the rolls today, plus anyone else recorded at
  that meeting (a member who has since left still counts for the meetings they were recorded at).
  The roll at the time of each meeting is not kept, so today's roll stands in for it;
- *present* / *excused*: the attendance rows with that state; *unexcused* = summoned − present −
  excused (absent without a reason, or never recorded);
- *rate* = present / summoned. Guests from upper levels are not members of the cell and are never
  counted (they are not attendance rows).

Each figure comes from a handful of grouped queries whatever the number of meetings: meetings held
per cell, roll size per cell, attendance per (cell, state), and the extra summoned members per cell.
Cells are combined and rolled up in Python — O(cells in the subtree), never O(meetings).
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, F, Q
from django.utils import timezone

from handbook.members.models import Member
from handbook.organizations import queries as org_queries
from handbook.organizations.models import Organization
from handbook.organizations.paths import STEPLEN, subtree_q

from .models import Attendance, Meeting


def period_bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """[start 00:00, the day after end 00:00) in local time, capped at now (held = in the past)."""
    lower = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))
    upper = timezone.make_aware(datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min))
    return lower, min(upper, timezone.now())


def default_period() -> tuple[datetime.date, datetime.date]:
    today = timezone.localdate()
    return datetime.date(today.year, 1, 1), today


@dataclass
class Figures:
    held: int = 0
    summoned: int = 0
    present: int = 0
    excused: int = 0
    cells: int = 0

    @property
    def unexcused(self) -> int:
        return max(self.summoned - self.present - self.excused, 0)

    @property
    def rate(self) -> float:
        return round(100 * self.present / self.summoned, 1) if self.summoned else 0.0

    def add(self, other: "Figures") -> None:
        self.held += other.held
        self.summoned += other.summoned
        self.present += other.present
        self.excused += other.excused
        self.cells += other.cells

    def as_dict(self) -> dict:
        return {
            "held": self.held,
            "summoned": self.summoned,
            "present": self.present,
            "excused": self.excused,
            "unexcused": self.unexcused,
            "rate": self.rate,
        }


@dataclass
class Row:
    organization: Organization
    figures: Figures = field(default_factory=Figures)


def held_meetings(path: str, start: datetime.date, end: datetime.date):
    lower, upper = period_bounds(start, end)
    return Meeting.objects.filter(
        subtree_q(path, "organization__path"),
        state=Meeting.State.PUBLISHED,
        starts_at__gte=lower,
        starts_at__lt=upper,
    )


def cell_figures(path: str, start: datetime.date, end: datetime.date) -> dict[str, Figures]:
    """Figures of every cell of the subtree at `path` that held a meeting: cell path -> Figures."""
    meetings = held_meetings(path, start, end)
    held = dict(meetings.values("organization__path").annotate(n=Count("id")).values_list("organization__path", "n"))
    if not held:
        return {}
    cells = meetings.values("organization_id")
    roll = dict(
        Member.objects.filter(organization_id__in=cells, status__in=Member.ON_ROLLS)
        .values("organization__path")
        .annotate(n=Count("id"))
        .values_list("organization__path", "n")
    )
    rows = Attendance.objects.filter(meeting__in=meetings.values("pk"))
    by_state: dict[tuple[str, str], int] = {
        (p, s): n
        for p, s, n in rows.values("meeting__organization__path", "state")
        .annotate(n=Count("id"))
        .values_list("meeting__organization__path", "state", "n")
    }
    # Recorded at a meeting but not on the cell's roll today: they were summoned then.
    extra = dict(
        rows.filter(~Q(member__organization=F("meeting__organization")) | ~Q(member__status__in=Member.ON_ROLLS))
        .values("meeting__organization__path")
        .annotate(n=Count("id"))
        .values_list("meeting__organization__path", "n")
    )
    result = {}
    for cell_path, n in held.items():
        result[cell_path] = Figures(
            held=n,
            summoned=n * roll.get(cell_path, 0) + extra.get(cell_path, 0),
            present=by_state.get((cell_path, Attendance.State.PRESENT), 0),
            excused=by_state.get((cell_path, Attendance.State.EXCUSED), 0),
            cells=1,
        )
    return result


def subtree_rates(org: Organization, start: datetime.date, end: datetime.date) -> tuple[Figures, list[Row]]:
    """Totals of `org`'s subtree and one row per child (each child's whole subtree), for drill-down."""
    per_cell = cell_figures(org.path, start, end)
    total = Figures()
    for figures in per_cell.values():
        total.add(figures)
    children = list(org_queries.children(org, include_archived=True))
    rows = {child.path: Row(child) for child in children}
    width = len(org.path) + STEPLEN
    for cell_path, figures in per_cell.items():
        row = rows.get(cell_path[:width])
        if row is not None:
            row.figures.add(figures)
    # Dissolved or merged children stay listed only for the period when they held meetings.
    return total, [
        rows[c.path] for c in children if c.status == Organization.Status.ACTIVE or rows[c.path].figures.held
    ]


@dataclass
class MemberRow:
    member: Member
    figures: Figures


def cell_member_rates(cell: Organization, start: datetime.date, end: datetime.date) -> list[MemberRow]:
    """One row per member summoned to the cell's meetings in the period (today's roll, plus anyone
    recorded at one of them), in roll order."""
    meetings = held_meetings(cell.path, start, end).filter(organization=cell)
    held = meetings.count()
    counts: dict[int, dict[str, int]] = {}
    for member_id, state, n in (
        Attendance.objects.filter(meeting__in=meetings.values("pk"))
        .values("member_id", "state")
        .annotate(n=Count("id"))
        .values_list("member_id", "state", "n")
    ):
        counts.setdefault(member_id, {})[state] = n
    members = Member.objects.filter(Q(organization=cell, status__in=Member.ON_ROLLS) | Q(pk__in=list(counts))).order_by(
        "sort_key", "pk"
    )
    result = []
    for member in members:
        mine = counts.get(member.pk, {})
        on_roll = member.organization_id == cell.pk and member.status in Member.ON_ROLLS
        result.append(
            MemberRow(
                member,
                Figures(
                    held=held,
                    summoned=held if on_roll else sum(mine.values()),
                    present=mine.get(Attendance.State.PRESENT, 0),
                    excused=mine.get(Attendance.State.EXCUSED, 0),
                ),
            )
        )
    return result


@dataclass
class MemberMeeting:
    meeting: Meeting
    state: str  # an Attendance.State value, or "" (not recorded: counted as unexcused)


def member_history(member: Member, start: datetime.date, end: datetime.date) -> tuple[Figures, list[MemberMeeting]]:
    """The member's meetings in the period (their current cell's held meetings while on the rolls,
    and any meeting they were recorded at) with their state, and their rate."""
    lower, upper = period_bounds(start, end)
    recorded = Attendance.objects.filter(member=member, meeting__starts_at__gte=lower, meeting__starts_at__lt=upper)
    q = Q(pk__in=recorded.values("meeting_id"))
    if member.status in Member.ON_ROLLS:
        q |= Q(organization_id=member.organization_id)
    meetings = list(
        Meeting.objects.filter(q, state=Meeting.State.PUBLISHED, starts_at__gte=lower, starts_at__lt=upper)
        .select_related("organization")
        .order_by("starts_at")
    )
    states = dict(recorded.values_list("meeting_id", "state"))
    figures = Figures(held=len(meetings), summoned=len(meetings))
    items = []
    for meeting in meetings:
        state = states.get(meeting.pk, "")
        figures.present += state == Attendance.State.PRESENT
        figures.excused += state == Attendance.State.EXCUSED
        items.append(MemberMeeting(meeting, state))
    return figures, items
