"""Cell meetings: the recurring schedule, each meeting, and who attended (first part of issue 4:
schedule and attendance; discussion, votes and minutes come next)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from handbook.members.models import Member, MergeRule
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
    """A meeting of a cell (regular, thematic, extraordinary): drafted by the secretary, published to
    the cell's members, with its check-in window fixed from the rulebook."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", _("Cancelled")

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="meetings", db_index=False)
    type = models.CharField(_("type"), max_length=14, choices=MeetingType.choices, default=MeetingType.REGULAR)
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    #: When members may check themselves in: from the rulebook in force on the meeting's day
    #: (meetings.check_in_opens_minutes / check_in_closes_minutes), set when the meeting is created,
    #: rescheduled or published (services.check_in_window), then kept as members were told it.
    check_in_opens_at = models.DateTimeField(_("check-in opens at"))
    check_in_closes_at = models.DateTimeField(_("check-in closes at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_link = models.URLField(_("online link"), blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    #: The resolution the meeting adopted, issued to the cell's members as a document.
    resolution = models.OneToOneField(
        "documents.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="meeting"
    )
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

    # No index of its own: the unique (meeting, member) index serves look-ups by meeting (one
    # index less to write on every check-in).
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="attendance", db_index=False)
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=8, choices=State.choices)
    method = models.CharField(max_length=10, choices=Method.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    #: What merging a duplicate member record does with these rows (see MergeRule).
    MEMBER_MERGE = {"member": MergeRule(MergeRule.STAY, _("meeting attendance"))}

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="attendance_once")]

    def __str__(self) -> str:
        return f"{self.meeting_id}/{self.member_id}: {self.state}"


class Motion(models.Model):
    """A question put to the vote at a meeting. Who may vote is frozen when it opens."""

    class Rule(models.TextChoices):
        MAJORITY_OF_PRESENT = "majority_present", _("More than half of the eligible members present")
        TWO_THIRDS_OF_SUMMONED = "two_thirds", _("At least two thirds of the eligible members summoned")

    class State(models.TextChoices):
        DRAFT = "draft", _("Not open yet")
        OPEN = "open", _("Voting")
        CLOSED = "closed", _("Closed")

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="motions")
    title = models.CharField(_("question"), max_length=300)
    options = models.JSONField(default=list)
    secret = models.BooleanField(_("secret ballot"), default=False)
    rule = models.CharField(max_length=20, choices=Rule.choices, default=Rule.MAJORITY_OF_PRESENT)
    state = models.CharField(max_length=6, choices=State.choices, default=State.DRAFT)
    denominator = models.PositiveIntegerField(default=0)
    present = models.PositiveIntegerField(default=0)
    result = models.JSONField(null=True, blank=True)
    #: The rulebook version in force when the vote opened: its quorum and thresholds decide it.
    rule_set = models.ForeignKey(
        "rules.RuleSetVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["meeting", "id"]

    def __str__(self) -> str:
        return self.title


class Eligibility(models.Model):
    """The frozen list of members who may vote on a motion (and whether they were present)."""

    motion = models.ForeignKey(Motion, on_delete=models.PROTECT, related_name="eligible", db_index=False)
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    present = models.BooleanField()

    #: What merging a duplicate member record does with these rows (see MergeRule).
    MEMBER_MERGE = {"member": MergeRule(MergeRule.STAY, _("places on frozen voter lists"))}

    class Meta:
        constraints = [models.UniqueConstraint(fields=["motion", "member"], name="eligibility_once")]

    def __str__(self) -> str:
        return f"{self.motion_id}/{self.member_id}"


class Participation(models.Model):
    """That a member voted — and nothing about how. One per (motion, member): a second ballot,
    however many retries arrive at once, is refused by the database."""

    # Served by the unique (motion, member) index, as Attendance.meeting.
    motion = models.ForeignKey(Motion, on_delete=models.PROTECT, related_name="participations", db_index=False)
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")

    #: What merging a duplicate member record does with these rows (see MergeRule).
    MEMBER_MERGE = {"member": MergeRule(MergeRule.STAY, _("votes taken part in"))}

    class Meta:
        constraints = [models.UniqueConstraint(fields=["motion", "member"], name="participation_once")]

    def __str__(self) -> str:
        return f"{self.motion_id}/{self.member_id}"


class OpenBallot(models.Model):
    """A ballot of an open (non-secret) vote: who chose what."""

    motion = models.ForeignKey(Motion, on_delete=models.PROTECT, related_name="open_ballots", db_index=False)
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    choice = models.PositiveSmallIntegerField()

    #: What merging a duplicate member record does with these rows (see MergeRule).
    MEMBER_MERGE = {"member": MergeRule(MergeRule.STAY, _("open ballots"))}

    class Meta:
        constraints = [models.UniqueConstraint(fields=["motion", "member"], name="open_ballot_once")]

    def __str__(self) -> str:
        return f"{self.motion_id}/{self.member_id}: {self.choice}"


class PendingSecretBallot(models.Model):
    """A secret choice waiting for the vote to close. No member, no time. Written with the
    Participation (so no vote is lost) and moved, shuffled, into the ballot box at closing, then
    deleted: the permanent box shares neither a transaction nor an order with the participations."""

    motion = models.ForeignKey(Motion, on_delete=models.PROTECT, related_name="+")
    choice = models.PositiveSmallIntegerField()
    receipt_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"pending ballot of motion {self.motion_id}"


class SecretBallot(models.Model):
    """The published ballot box of a secret vote: choice, receipt hash (the voter can find their
    own), and a hash chain over the box so that nobody can add, drop or change a ballot unseen."""

    motion = models.ForeignKey(Motion, on_delete=models.PROTECT, related_name="secret_ballots", db_index=False)
    position = models.PositiveIntegerField()
    choice = models.PositiveSmallIntegerField()
    receipt_hash = models.CharField(max_length=64)
    chain_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["motion", "position"]
        constraints = [models.UniqueConstraint(fields=["motion", "position"], name="secret_ballot_position")]

    def __str__(self) -> str:
        return f"{self.motion_id}#{self.position}"


class Rating(models.Model):
    """An upper-level official's rating of a meeting's quality (Directive 50 asks for it)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="ratings", db_index=False)
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(_("score (1–5)"))
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    rated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "rater"], name="rating_once_per_rater"),
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="rating_score_1_5"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}: {self.score}"


class CalendarFeed(models.Model):
    """A member's private calendar address (calendar apps cannot sign in): an unguessable token,
    replaceable at any time, that lists only their cell's published meetings."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"calendar of {self.user_id}"


class Comment(models.Model):
    """An opinion on the meeting's draft resolution or document, before or during the meeting;
    replies hang under a comment; the secretary marks the opinions taken into the resolution."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reply_to = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="replies")
    text = models.TextField(_("opinion"))
    taken_in = models.BooleanField(_("taken into the resolution"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["meeting", "created_at", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class Minutes(models.Model):
    """The meeting's minutes: a draft generated from the meeting's data, edited by the secretary,
    then finalised — after that the text never changes; corrections are amendments."""

    meeting = models.OneToOneField(Meeting, on_delete=models.PROTECT, related_name="minutes")
    text = models.TextField()
    finalised_at = models.DateTimeField(null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"minutes of {self.meeting_id}"


class Amendment(models.Model):
    minutes = models.ForeignKey(Minutes, on_delete=models.PROTECT, related_name="amendments")
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["minutes", "created_at"]

    def __str__(self) -> str:
        return self.text[:40]


class MeetingDocument(models.Model):
    """A file attached to a meeting (draft resolution, report, slides, an audio bulletin). Stored
    under a random name and served only through the access layer, never by a public address."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    file = models.CharField(max_length=200)
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["meeting", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.title


class MeetingGuest(models.Model):
    """A person from an upper level invited to a cell meeting (e.g. the commune committee member in
    charge of the cell). Sees the meeting and may give opinions; never votes and is never counted
    in the cell's attendance."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="guests", db_index=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="meeting_invitations")
    role_note = models.CharField(_("role at the meeting"), max_length=200, blank=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    invited_at = models.DateTimeField()
    present_at = models.DateTimeField(null=True, blank=True)
    present_marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["meeting", "invited_at", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="meeting_guest_once")]

    def __str__(self) -> str:
        return f"{self.meeting_id}/{self.user_id}"
