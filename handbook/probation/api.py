"""API for probation: who is due for recognition in a subtree, recording a decision, reading it.
The same queries and services as the pages."""

import datetime

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError

from handbook.core import access
from handbook.meetings.models import Motion

from . import queries, services
from .models import Recognition

router = Router(tags=["probation"])


class DueFilter(Schema):
    organization_id: int
    window_days: int = 60


class DueRowOut(Schema):
    member_id: int
    full_name: str
    organization_id: int
    admission_date: datetime.date
    probation_end: datetime.date
    decision_due: datetime.date
    state: str


class DueOut(Schema):
    organization_id: int
    today: datetime.date
    window_days: int
    counts: dict[str, int]
    rows: list[DueRowOut]


class RecognitionIn(Schema):
    member_id: int
    outcome: str
    decision_number: str
    decision_date: datetime.date
    motion_id: int | None = None
    votes_for: int | None = None
    votes_against: int | None = None
    eligible: int | None = None
    reason: str = ""


class RecognitionOut(Schema):
    id: int
    member_id: int
    organization_id: int
    outcome: str
    admission_date: datetime.date
    probation_end: datetime.date
    decision_due: datetime.date
    motion_id: int | None
    votes_for: int
    votes_against: int
    eligible: int
    votes_needed: int
    vote_passed: bool
    decision_number: str
    decision_date: datetime.date
    reason: str
    late: bool
    rule_set_id: int


def overseen_org(user, org_id: int):
    org = access.get_or_404(access.organizations(user), pk=org_id)
    if not access.covers(user, access.MEMBER_VIEW, org.path):
        raise Http404
    return org


@router.get("/due", response=DueOut)
def due(request, filters: Query[DueFilter]):
    """Probationary members whose probation ends within `window_days`, is over with the decision
    due, or whose decision is overdue (at most 500 rows; the counts are exact)."""
    org = overseen_org(request.user, filters.organization_id)
    if not 0 <= filters.window_days <= 366:
        raise HttpError(400, _("The window is 0 to 366 days."))
    result = queries.due(org, today=timezone.localdate(), window_days=filters.window_days)
    return {
        "organization_id": org.pk,
        "today": result["today"],
        "window_days": result["window_days"],
        "counts": result["counts"],
        "rows": [
            {
                "member_id": r.member.pk,
                "full_name": r.member.full_name,
                "organization_id": r.member.organization_id,
                "admission_date": r.probation.admission,
                "probation_end": r.probation.ends,
                "decision_due": r.probation.decision_due,
                "state": r.state,
            }
            for r in result["rows"]
        ],
    }


@router.post("/recognitions", response={201: RecognitionOut})
def decide(request, payload: RecognitionIn):
    """The cell's vote (a closed motion of the cell, or the counts) and the committee's decision."""
    member = access.get_or_404(access.members(request.user).select_related("organization"), pk=payload.member_id)
    if not access.covers(request.user, access.MEMBER_VIEW, member.organization.path):
        raise Http404
    if not access.covers(request.user, access.ORG_CHANGE, member.organization.path):
        raise HttpError(403, _("Only the committee decides on official membership."))
    motion = None
    if payload.motion_id is not None:
        motion = access.get_or_404(
            Motion.objects.select_related("meeting").filter(meeting__organization=member.organization),
            pk=payload.motion_id,
        )
    recognition = services.recognition_decide(
        actor=request.user,
        member=member,
        outcome=payload.outcome,
        decision_number=payload.decision_number,
        decision_date=payload.decision_date,
        motion=motion,
        votes_for=payload.votes_for,
        votes_against=payload.votes_against,
        eligible=payload.eligible,
        reason=payload.reason,
    )
    return Status(201, recognition)


@router.get("/recognitions/{recognition_id}", response=RecognitionOut)
def recognition(request, recognition_id: int):
    return access.get_or_404(Recognition.objects.filter(member__in=access.members(request.user)), pk=recognition_id)
