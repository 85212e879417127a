"""Cell meetings: the recurring schedule, each meeting, and who attended (first part of issue 4:
schedule and attendance; discussion, votes and minutes come next)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from handbook.members.models import Member
from handbook.organizations.models import Organization


class MeetingType(models.TextChoices):
    REGULAR = "regular", _("Regular monthly meeting")
    THEMATIC = "thematic", _("Thematic meeting")
    EXTRAORDINARY = "extraordinary", _("Extraordinary meeting")


class Schedule(models.Model):
    """A cell's recurring rule, e.g. the 5th of each month at 19:00; generates upcoming meetings."""

    organization = models.OneToOneField(Organization, on_delete=models.PROTECT, related_name="meeting_schedule")
    day_of_month = models.PositiveSmallIntegerField(_("day of the month"))
    time = models.TimeField(_("time"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(day_of_month__gte=1, day_of_month__lte=28), name="schedule_day_1_28"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization}: {self.day_of_month} {self.time:%H:%M}"


class Meeting(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", _("Cancelled")

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="meetings")
    type = models.CharField(_("type"), max_length=14, choices=MeetingType.choices, default=MeetingType.REGULAR)
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_link = models.URLField(_("online link"), blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["organization", "starts_at"], name="meeting_org_start_idx")]
        constraints = [
            models.UniqueConstraint(fields=["organization", "type", "starts_at"], name="meeting_once_per_slot")
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_at:%Y-%m-%d})"


class Attendance(models.Model):
    """One member at one meeting. Unique per (meeting, member): the last line against duplicates
    when a phone on a poor connection retries."""

    class State(models.TextChoices):
        PRESENT = "present", _("Present")
        EXCUSED = "excused", _("Absent with a reason")
        ABSENT = "absent", _("Absent without a reason")

    class Method(models.TextChoices):
        SELF = "self", _("checked in on their phone")
        ROLL_CALL = "roll_call", _("roll call by the secretary")

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="attendance")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=8, choices=State.choices)
    method = models.CharField(max_length=10, choices=Method.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="attendance_once")]

    def __str__(self) -> str:
        return f"{self.meeting_id}/{self.member_id}: {self.state}"
