"""API for a meeting's documents and guests (on the meetings router) and attendance rates
(`/api/v1/attendance/...`). The same services and access layer as the pages."""

import datetime

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.errors import HttpError

from handbook.core import access
from handbook.core.errors import RuleViolation

from . import documents, guests, rates
from .api import _managed, _visible, router
from .models import MeetingDocument, MeetingGuest
from .views_attachments import serve_document


class DocumentOut(Schema):
    id: int
    meeting_id: int
    title: str
    filename: str
    content_type: str
    size: int
    uploaded_at: datetime.datetime
    download_url: str


def _document_out(d: MeetingDocument) -> dict:
    return {
        "id": d.pk,
        "meeting_id": d.meeting_id,
        "title": d.title,
        "filename": d.filename,
        "content_type": d.content_type,
        "size": d.size,
        "uploaded_at": d.uploaded_at,
        "download_url": f"/api/v1/meetings/{d.meeting_id}/documents/{d.pk}/file",
    }


@router.get("/{meeting_id}/documents", response=list[DocumentOut])
def document_list(request, meeting_id: int):
    """Documents attached to a meeting you may see."""
    meeting = _visible(request, meeting_id)
    return [_document_out(d) for d in meeting.documents.all()]


@router.post("/{meeting_id}/documents", response={201: DocumentOut})
def document_upload(request, meeting_id: int, file: File[UploadedFile], title: Form[str] = ""):
    """Attach a file (secretary): PDF, JPEG/PNG/WebP, Word/Excel/PowerPoint/OpenDocument, or audio
    (MP3, M4A, OGG, WAV, AMR), at most 20 MB; the content must match the extension."""
    meeting = _managed(request, meeting_id)
    document = documents.document_add(
        actor=request.user,
        meeting=meeting,
        title=title,
        filename=file.name or "",
        data=file.read(documents.MAX_DOCUMENT_BYTES + 1),
    )
    return Status(201, _document_out(document))


def _document(request, meeting_id: int, document_id: int, *, manage: bool) -> MeetingDocument:
    meeting = _managed(request, meeting_id) if manage else _visible(request, meeting_id)
    return access.get_or_404(MeetingDocument.objects.filter(meeting=meeting), pk=document_id)


@router.get("/{meeting_id}/documents/{document_id}/file", response={200: None})
def document_download(request, meeting_id: int, document_id: int):
    """The file itself (binary, as an attachment)."""
    return serve_document(_document(request, meeting_id, document_id, manage=False))


@router.delete("/{meeting_id}/documents/{document_id}", response={204: None})
def document_delete(request, meeting_id: int, document_id: int):
    documents.document_remove(actor=request.user, document=_document(request, meeting_id, document_id, manage=True))
    return Status(204, None)


class GuestOut(Schema):
    id: int
    meeting_id: int
    user_id: int
    name: str
    role_note: str
    present: bool
    present_at: datetime.datetime | None


class GuestIn(Schema):
    user_id: int
    role_note: str = ""


class CandidateOut(Schema):
    user_id: int
    name: str
    organization: str | None


class PresenceIn(Schema):
    present: bool = True


def _guest_out(g: MeetingGuest) -> dict:
    return {
        "id": g.pk,
        "meeting_id": g.meeting_id,
        "user_id": g.user_id,
        "name": guests.display_name(g.user),
        "role_note": g.role_note,
        "present": g.present_at is not None,
        "present_at": g.present_at,
    }


@router.get("/{meeting_id}/guests", response=list[GuestOut])
def guest_list(request, meeting_id: int):
    """Guests invited from upper levels (they see the meeting, may give opinions, never vote and
    are not counted in attendance)."""
    meeting = _visible(request, meeting_id)
    return [_guest_out(g) for g in meeting.guests.select_related("user", "user__member")]


@router.get("/{meeting_id}/guest-candidates", response=list[CandidateOut])
def guest_candidates(request, meeting_id: int, q: str = ""):
    """Whom the secretary may invite: officials of the committees above the cell and members of the
    other cells of its upper organisation (at most 20, searched by name)."""
    meeting = _managed(request, meeting_id)
    return [
        {
            "user_id": u.pk,
            "name": guests.display_name(u),
            "organization": u.member.organization.name if u.member_id else None,
        }
        for u in guests.guest_candidates(meeting, q)[:20]
    ]


@router.post("/{meeting_id}/guests", response={201: GuestOut})
def guest_invite(request, meeting_id: int, data: GuestIn):
    meeting = _managed(request, meeting_id)
    user = get_user_model().objects.filter(pk=data.user_id, is_active=True).first()
    if user is None:
        raise RuleViolation(
            _("Invite an official or member of the cell's upper levels."), code="not_upper_level", field="user"
        )
    guest = guests.guest_invite(actor=request.user, meeting=meeting, user=user, role_note=data.role_note)
    return Status(201, _guest_out(guest))


def _guest(request, meeting_id: int, guest_id: int, *, manage: bool) -> MeetingGuest:
    meeting = _managed(request, meeting_id) if manage else _visible(request, meeting_id)
    return access.get_or_404(MeetingGuest.objects.filter(meeting=meeting).select_related("user"), pk=guest_id)


@router.delete("/{meeting_id}/guests/{guest_id}", response={204: None})
def guest_remove(request, meeting_id: int, guest_id: int):
    guests.guest_remove(actor=request.user, guest=_guest(request, meeting_id, guest_id, manage=True))
    return Status(204, None)


@router.post("/{meeting_id}/guests/{guest_id}/presence", response=GuestOut)
def guest_presence(request, meeting_id: int, guest_id: int, data: PresenceIn):
    """The secretary marks a guest present or not; the guest checks themselves in (check-in window)."""
    guest = _guest(request, meeting_id, guest_id, manage=False)
    if access.meetings(request.user, manage=True).filter(pk=meeting_id).exists():
        guest = guests.guest_mark(actor=request.user, guest=guest, present=data.present)
    elif guest.user_id == request.user.pk:
        guest = guests.guest_check_in(actor=request.user, guest=guest)
    else:
        raise HttpError(404, "Not found")
    return _guest_out(guest)


rates_router = Router(tags=["meetings"])


class Period(Schema):
    start: datetime.date | None = None
    end: datetime.date | None = None

    def bounds(self) -> tuple[datetime.date, datetime.date]:
        default_start, default_end = rates.default_period()
        start, end = self.start or default_start, self.end or default_end
        return (start, end) if start <= end else (end, start)


class FiguresOut(Schema):
    held: int
    summoned: int
    present: int
    excused: int
    unexcused: int
    rate: float


class OrgFiguresOut(FiguresOut):
    organization_id: int
    name: str


class MemberFiguresOut(FiguresOut):
    member_id: int
    full_name: str


class OrganizationRatesOut(Schema):
    organization_id: int
    name: str
    start: datetime.date
    end: datetime.date
    total: FiguresOut
    children: list[OrgFiguresOut]
    members: list[MemberFiguresOut]


class MemberMeetingOut(Schema):
    meeting_id: int
    title: str
    starts_at: datetime.datetime
    organization_id: int
    state: str | None


class MemberRatesOut(Schema):
    member_id: int
    full_name: str
    start: datetime.date
    end: datetime.date
    total: FiguresOut
    meetings: list[MemberMeetingOut]


@rates_router.get("/organizations/{organization_id}", response=OrganizationRatesOut)
def organization_rates(request, organization_id: int, period: Query[Period]):
    """Officials: attendance over a period (default: this year) for the organisation's subtree,
    one row per child organisation (drill down by calling this again), and per member for a cell.
    Summoned = the cell's roll today plus anyone recorded; guests are never counted."""
    org = access.get_or_404(access.organizations(request.user).select_related("type"), pk=organization_id)
    if not access.covers(request.user, access.ORG_VIEW, org.path):
        raise HttpError(404, "Not found")
    start, end = period.bounds()
    total, rows = rates.subtree_rates(org, start, end)
    members = []
    if org.type.holds_members and access.covers(request.user, access.MEMBER_VIEW, org.path):
        members = [
            {"member_id": r.member.pk, "full_name": r.member.full_name, **r.figures.as_dict()}
            for r in rates.cell_member_rates(org, start, end)
        ]
    return {
        "organization_id": org.pk,
        "name": org.name,
        "start": start,
        "end": end,
        "total": total.as_dict(),
        "children": [
            {"organization_id": r.organization.pk, "name": r.organization.name, **r.figures.as_dict()} for r in rows
        ],
        "members": members,
    }


@rates_router.get("/members/{member_id}", response=MemberRatesOut)
def member_rates(request, member_id: int, period: Query[Period]):
    """One member's meetings in the period with their state (`null`: not recorded) and their rate:
    your own, or a member in your scope."""
    member = access.get_or_404(access.members(request.user), pk=member_id)
    start, end = period.bounds()
    figures, items = rates.member_history(member, start, end)
    return {
        "member_id": member.pk,
        "full_name": member.full_name,
        "start": start,
        "end": end,
        "total": figures.as_dict(),
        "meetings": [
            {
                "meeting_id": i.meeting.pk,
                "title": i.meeting.title,
                "starts_at": i.meeting.starts_at,
                "organization_id": i.meeting.organization_id,
                "state": i.state or None,
            }
            for i in items
        ],
    }
