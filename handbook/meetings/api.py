"""API for meetings: list, detail, check-in, absence notice, roll call, create, publish.
Check-in and roll call accept an `Idempotency-Key` header: a retried request returns the first answer."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from handbook.core import access
from handbook.core.idempotency import run_once
from handbook.members.models import Member

from . import guests, hotpath, services, votes
from . import minutes as minutes_service
from .models import Attendance, Comment, Meeting, Minutes, Motion, Participation, SecretBallot

router = Router(tags=["meetings"])


class MeetingOut(Schema):
    id: int
    organization_id: int
    organization: str
    type: str
    title: str
    starts_at: datetime.datetime
    #: Members may check themselves in from `check_in_opens_at` to `check_in_closes_at`.
    check_in_opens_at: datetime.datetime
    check_in_closes_at: datetime.datetime
    place: str
    online_link: str
    agenda: str
    state: str
    my_attendance: str | None


class MeetingIn(Schema):
    organization_id: int
    title: str
    starts_at: datetime.datetime
    type: str = "regular"
    place: str = ""
    online_link: str = ""
    agenda: str = ""


class AttendanceOut(Schema):
    meeting_id: int
    member_id: int
    state: str
    method: str
    reason: str
    recorded_at: datetime.datetime


class RollCallIn(Schema):
    member_id: int
    state: str
    reason: str = ""


class AbsenceIn(Schema):
    reason: str


class SummaryOut(Schema):
    expected: int
    present: int
    excused: int
    absent: int
    unrecorded: int
    rate: float
    members: list[dict]


def _out(meeting: Meeting, user, mine: str | None | bool = False) -> dict:
    """The meeting as JSON; `mine`: the user's attendance state when the caller read it already."""
    if mine is False:
        mine = None
        if user.member_id:
            mine = (
                Attendance.objects.filter(meeting=meeting, member_id=user.member_id)
                .values_list("state", flat=True)
                .first()
            )
    return {
        "id": meeting.pk,
        "organization_id": meeting.organization_id,
        "organization": meeting.organization.name,
        "type": meeting.type,
        "title": meeting.title,
        "starts_at": meeting.starts_at,
        "check_in_opens_at": meeting.check_in_opens_at,
        "check_in_closes_at": meeting.check_in_closes_at,
        "place": meeting.place,
        "online_link": meeting.online_link,
        "agenda": meeting.agenda,
        "state": meeting.state,
        "my_attendance": mine,
    }


def _attendance(row: Attendance) -> dict:
    return {
        "meeting_id": row.meeting_id,
        "member_id": row.member_id,
        "state": row.state,
        "method": row.method,
        "reason": row.reason,
        "recorded_at": row.recorded_at,
    }


def _visible(request, meeting_id: int, *, with_organization: bool = True) -> Meeting:
    qs = access.meetings(request.user)
    meeting = access.get_or_404(qs.select_related("organization") if with_organization else qs, pk=meeting_id)
    if (
        meeting.state == Meeting.State.DRAFT
        and not access.meetings(request.user, manage=True).filter(pk=meeting.pk).exists()
    ):
        raise HttpError(404, "Not found")  # drafts are the secretary's until published
    return meeting


def _managed(request, meeting_id: int) -> Meeting:
    return access.get_or_404(access.meetings(request.user, manage=True).select_related("organization"), pk=meeting_id)


@router.get("", response=list[MeetingOut])
def meeting_list(request, organization_id: int | None = None, upcoming: bool = False):
    """Meetings you may see: your cell's, or (with `organization_id`) those of a cell you oversee."""
    qs = access.meetings(request.user).select_related("organization")
    managed = access.meetings(request.user, manage=True).values("pk")
    qs = qs.exclude(state=Meeting.State.DRAFT) | qs.filter(pk__in=managed)
    if organization_id is not None:
        qs = qs.filter(organization_id=organization_id)
    if upcoming:
        qs = qs.filter(check_in_closes_at__gte=timezone.now()).order_by("starts_at")
    meetings = list(qs.distinct()[:100])
    mine = {}
    if request.user.member_id:  # the user's attendance at all of them in one query
        mine = dict(
            Attendance.objects.filter(meeting__in=meetings, member_id=request.user.member_id).values_list(
                "meeting_id", "state"
            )
        )
    return [_out(m, request.user, mine.get(m.pk)) for m in meetings]


@router.get("/{meeting_id}", response=MeetingOut)
def meeting_detail(request, meeting_id: int):
    return _out(_visible(request, meeting_id), request.user)


@router.post("", response={201: MeetingOut})
def meeting_create(request, data: MeetingIn):
    org = access.get_or_404(access.organizations(request.user).select_related("type"), pk=data.organization_id)
    if not access.covers(request.user, access.MEMBER_CHANGE, org.path):
        raise HttpError(404, "Not found")
    meeting = services.meeting_create(actor=request.user, organization=org, **data.dict(exclude={"organization_id"}))
    return Status(201, _out(meeting, request.user))


@router.post("/{meeting_id}/publish", response=MeetingOut)
def meeting_publish(request, meeting_id: int):
    return _out(services.meeting_publish(actor=request.user, meeting=_managed(request, meeting_id)), request.user)


@router.post("/{meeting_id}/check-in", response={200: AttendanceOut})
def meeting_check_in(request, meeting_id: int):
    """Check yourself in (send an `Idempotency-Key`: a retry on a bad connection is answered once)."""
    # Lean SQL, same rules as _visible + services.check_in (meeting day's hottest path: see hotpath).
    meeting = hotpath.check_in_read(request.user, meeting_id)
    done = hotpath.check_in_at_once(request, meeting)  # PostgreSQL, the usual case: one statement
    if done is not None:
        return Status(*done)
    status, body = run_once(
        request, {}, lambda: (200, hotpath.check_in(actor=request.user, meeting=meeting)), atomic=True
    )
    return Status(status, body)


@router.post("/{meeting_id}/absence", response={200: AttendanceOut})
def meeting_absence(request, meeting_id: int, data: AbsenceIn):
    meeting = _visible(request, meeting_id)
    return Status(200, _attendance(services.absence_notify(actor=request.user, meeting=meeting, reason=data.reason)))


@router.post("/{meeting_id}/roll-call", response={200: AttendanceOut})
def meeting_roll_call(request, meeting_id: int, data: RollCallIn):
    """Mark one member (secretary). Idempotent with an `Idempotency-Key` header."""
    meeting = _managed(request, meeting_id)
    member = access.get_or_404(access.members(request.user, access.MEMBER_CHANGE), pk=data.member_id)

    def work():
        row = services.roll_call(
            actor=request.user, meeting=meeting, member=member, state=data.state, reason=data.reason
        )
        return 200, _json(_attendance(row))

    status, body = run_once(request, data.dict(), work)
    return Status(status, body)


@router.get("/{meeting_id}/attendance", response=SummaryOut)
def meeting_attendance(request, meeting_id: int):
    """Who attended (officials of the cell and above; members see only their own state)."""
    meeting = _visible(request, meeting_id)
    if not access.covers(request.user, access.ORG_VIEW, meeting.organization.path):
        raise HttpError(404, "Not found")
    rows = {a.member_id: a for a in Attendance.objects.filter(meeting=meeting)}
    members = Member.objects.filter(organization=meeting.organization, status__in=Member.ON_ROLLS).order_by("sort_key")
    listing = [
        {"member_id": m.pk, "full_name": m.full_name, "state": rows[m.pk].state if m.pk in rows else None}
        for m in members
    ]
    return {**services.summary(meeting), "members": listing}


def _json(data: dict) -> dict:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items()}


motions_router = Router(tags=["meetings"])


class MotionIn(Schema):
    title: str
    options: list[str] = []
    secret: bool = False
    rule: str = Motion.Rule.MAJORITY_OF_PRESENT


class MotionOut(Schema):
    id: int
    meeting_id: int
    title: str
    options: list[str]
    secret: bool
    rule: str
    state: str
    denominator: int
    present: int
    i_voted: bool
    result: dict | None
    box: list[dict] | None = Field(None, description="Secret votes, once closed: the hash-chained ballot box")


class VoteIn(Schema):
    choice: int


class VoteOut(Schema):
    motion_id: int
    receipt: str | None = Field(description="Secret votes: your receipt code, shown once; find it in the box")


def _motion_out(motion: Motion, user) -> dict:
    box = None
    if motion.secret and motion.state == Motion.State.CLOSED:
        box = list(
            SecretBallot.objects.filter(motion=motion).values("position", "choice", "receipt_hash", "chain_hash")
        )
    return {
        "id": motion.pk,
        "meeting_id": motion.meeting_id,
        "title": motion.title,
        "options": motion.options,
        "secret": motion.secret,
        "rule": motion.rule,
        "state": motion.state,
        "denominator": motion.denominator,
        "present": motion.present,
        "i_voted": Participation.objects.filter(motion=motion, member_id=user.member_id).exists()
        if user.member_id
        else False,
        "result": motion.result,
        "box": box,
    }


def _motion(request, motion_id: int, *, manage: bool = False) -> Motion:
    meetings = access.meetings(request.user, manage=manage)
    motion = access.get_or_404(Motion.objects.select_related("meeting"), pk=motion_id, meeting__in=meetings)
    if motion.meeting.state == Meeting.State.DRAFT and not manage:
        _visible(request, motion.meeting_id)
    return motion


@router.post("/{meeting_id}/motions", response={201: MotionOut})
def motion_create(request, meeting_id: int, data: MotionIn):
    meeting = _managed(request, meeting_id)
    motion = votes.motion_create(actor=request.user, meeting=meeting, **data.dict())
    return Status(201, _motion_out(motion, request.user))


@motions_router.get("/{motion_id}", response=MotionOut)
def motion_detail(request, motion_id: int):
    """The question, its state, your participation; the result and (secret votes) the ballot box once closed."""
    return _motion_out(_motion(request, motion_id), request.user)


@motions_router.post("/{motion_id}/open", response=MotionOut)
def motion_open(request, motion_id: int):
    return _motion_out(
        votes.motion_open(actor=request.user, motion=_motion(request, motion_id, manage=True)), request.user
    )


@motions_router.post("/{motion_id}/close", response=MotionOut)
def motion_close(request, motion_id: int):
    return _motion_out(
        votes.motion_close(actor=request.user, motion=_motion(request, motion_id, manage=True)), request.user
    )


@motions_router.post("/{motion_id}/vote", response=VoteOut)
def motion_vote(request, motion_id: int, data: VoteIn):
    """Cast your ballot (send an `Idempotency-Key`: a retry returns the first answer, without the
    receipt, which is shown once; the first ballot stands whatever choice a retry carries)."""
    # The idempotency record is kept with the voter: the choice must not enter it, not even hashed
    # (three options are three hashes to try). So a key's digest covers the request without it.
    digest_body = {}
    # Lean SQL, same rules as _motion + votes.vote_cast, the motion locked (see hotpath).
    done = hotpath.vote_at_once(request, motion_id, data.choice, digest_body)  # PostgreSQL, usual case
    if done is not None:
        return Status(*done)
    status, body = run_once(
        request,
        digest_body,
        lambda: (200, hotpath.vote_cast(actor=request.user, motion_id=motion_id, choice=data.choice)),
        # The receipt is shown once and never stored next to the voter: a replay says it was counted.
        redact=lambda answer: {**answer, "receipt": None},
        atomic=True,
    )
    return Status(status, body)


comments_router = Router(tags=["meetings"])


class CommentIn(Schema):
    text: str
    reply_to: int | None = None


class CommentOut(Schema):
    id: int
    meeting_id: int
    author: str
    reply_to: int | None
    text: str
    taken_in: bool
    created_at: datetime.datetime


class TakenInIn(Schema):
    taken_in: bool = True


class MinutesOut(Schema):
    meeting_id: int
    text: str
    final: bool
    amendments: list[str]
    resolution_document_id: int | None = None


def _comment_out(c: Comment) -> dict:
    return {
        "id": c.pk,
        "meeting_id": c.meeting_id,
        "author": c.author.get_full_name() or c.author.first_name or c.author.username,
        "reply_to": c.reply_to_id,
        "text": c.text,
        "taken_in": c.taken_in,
        "created_at": c.created_at,
    }


@router.get("/{meeting_id}/comments", response=list[CommentOut])
def comment_list(request, meeting_id: int):
    meeting = _visible(request, meeting_id)
    return [_comment_out(c) for c in meeting.comments.select_related("author")[:500]]


@router.post("/{meeting_id}/comments", response={201: CommentOut})
def comment_create(request, meeting_id: int, data: CommentIn):
    """Members of the cell (and its managers) give opinions on the draft resolution."""
    meeting = _visible(request, meeting_id)
    on_roll = Member.objects.filter(
        pk=request.user.member_id, organization=meeting.organization, status__in=Member.ON_ROLLS
    ).exists()
    if (
        not on_roll
        and not access.covers(request.user, access.MEMBER_CHANGE, meeting.organization.path)
        and not guests.is_guest(request.user, meeting)
    ):
        raise HttpError(403, _("Only the cell's members and invited guests give opinions here."))
    reply_to = Comment.objects.filter(pk=data.reply_to, meeting=meeting).first() if data.reply_to else None
    comment = minutes_service.comment_add(actor=request.user, meeting=meeting, text=data.text, reply_to=reply_to)
    return Status(201, _comment_out(comment))


@comments_router.post("/{comment_id}/taken-in", response=CommentOut)
def comment_taken_in(request, comment_id: int, data: TakenInIn):
    comment = access.get_or_404(
        Comment.objects.select_related("author"), pk=comment_id, meeting__in=access.meetings(request.user, manage=True)
    )
    return _comment_out(minutes_service.comment_take_in(actor=request.user, comment=comment, taken_in=data.taken_in))


@router.get("/{meeting_id}/minutes", response=MinutesOut)
def minutes_read(request, meeting_id: int):
    meeting = _visible(request, meeting_id)
    minutes = Minutes.objects.filter(meeting=meeting).first()
    if minutes is None:
        raise HttpError(404, "Not found")
    return {
        "meeting_id": meeting.pk,
        "text": minutes.text,
        "final": minutes.finalised_at is not None,
        "amendments": [a.text for a in minutes.amendments.all()],
        "resolution_document_id": meeting.resolution_id,
    }


class ResolutionIn(Schema):
    title: str = ""
    text: str


class ResolutionOut(Schema):
    meeting_id: int
    document_id: int


@router.post("/{meeting_id}/resolution", response={201: ResolutionOut})
def resolution_issue(request, meeting_id: int, data: ResolutionIn):
    """Issue the resolution the meeting adopted to the cell's members (final minutes and an adopted
    question needed; once). Members read and confirm it under `/documents`."""
    meeting = _managed(request, meeting_id)
    document = minutes_service.resolution_issue(actor=request.user, meeting=meeting, title=data.title, text=data.text)
    return Status(201, {"meeting_id": meeting.pk, "document_id": document.pk})
