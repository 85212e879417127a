"""API for reviews: periods, one's own reviews, the three steps, and the per-subtree summary.
The same services and scoped queries as the pages."""

import datetime

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from handbook.core import access
from handbook.members.models import Member

from . import levels, queries, services
from .models import Review, ReviewPeriod

router = Router(tags=["reviews"])


class PeriodOut(Schema):
    id: int
    organization_id: int
    title: str
    kind: str
    subject: str
    year: int
    quarter: int | None
    starts_on: datetime.date | None
    ends_on: datetime.date | None
    deadline: datetime.date
    status: str
    rule_set_id: int
    scale_max: int
    levels: dict[str, int]


class PeriodIn(Schema):
    organization_id: int
    title: str
    kind: str = "annual"
    subject: str = "members"
    year: int
    quarter: int | None = None
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None
    deadline: datetime.date


class ReviewOut(Schema):
    id: int | None
    period_id: int
    member_id: int | None
    organization_id: int | None
    state: str
    self_text: str
    self_score: int | None
    self_level: str
    proposed_score: int | None
    proposed_level: str
    proposal_reason: str
    final_score: int | None
    final_level: str
    decision_reason: str
    decision_number: str
    decision_date: datetime.date | None
    rule_set_id: int | None


class SubjectIn(Schema):
    member_id: int | None = None
    organization_id: int | None = None


class SelfIn(SubjectIn):
    text: str
    score: int | None = None


class ProposeIn(SubjectIn):
    score: int
    level: str = ""
    reason: str = ""


class DecideIn(SubjectIn):
    decision_number: str
    decision_date: datetime.date
    score: int | None = None
    level: str = ""
    reason: str = ""


class RowOut(Schema):
    organization_id: int | None
    name: str
    subjects: int
    self_assessed: int
    proposed: int
    decided: int
    not_reviewed: int
    levels: dict[str, int]
    percent: dict[str, float]


class SummaryOut(Schema):
    period_id: int
    node_id: int
    total: RowOut
    children: list[RowOut]


def _period_out(p: ReviewPeriod) -> dict:
    return {
        "id": p.pk,
        "organization_id": p.organization_id,
        "title": p.title,
        "kind": p.kind,
        "subject": p.subject,
        "year": p.year,
        "quarter": p.quarter,
        "starts_on": p.starts_on,
        "ends_on": p.ends_on,
        "deadline": p.deadline,
        "status": p.status,
        "rule_set_id": p.rule_set_id,
        "scale_max": levels.scale_max(p.rule_set),
        "levels": levels.bands(p.rule_set),
    }


def _review_out(r: Review) -> dict:
    fields = ReviewOut.model_fields
    return {name: getattr(r, name) for name in fields}


def _row_out(row: queries.Row) -> dict:
    org = row.organization
    return {
        "organization_id": org.pk if org else None,
        "name": org.name if org else "",
        "subjects": row.subjects,
        "self_assessed": row.self_assessed,
        "proposed": row.proposed,
        "decided": row.decided,
        "not_reviewed": row.not_reviewed,
        "levels": dict(row.levels),
        "percent": {c: float(row.percent(c)) for c in levels.LEVEL_CODES},
    }


def _period(request, period_id: int) -> ReviewPeriod:
    return access.get_or_404(queries.periods(request.user), pk=period_id)


def _subject(request, period: ReviewPeriod, data: SubjectIn):
    """The subject named in the input, through the scoped queries (out of scope: 404)."""
    if (data.member_id is None) == (data.organization_id is None):
        raise HttpError(400, _("Give exactly one of member_id and organization_id."))
    if data.member_id is not None:
        member = access.get_or_404(access.members(request.user).select_related("organization"), pk=data.member_id)
        return member
    org = access.get_or_404(access.organizations(request.user), pk=data.organization_id)
    if not queries.may_view_summary(request.user, org) and not queries.may_self_assess(request.user, org):
        raise Http404
    return org


def _step(fn, **kwargs) -> dict:
    try:
        return _review_out(fn(**kwargs))
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc


@router.get("/periods", response=list[PeriodOut])
def period_list(request, organization_id: int | None = None, status: str | None = None):
    """Periods the caller may see (run at or above their scope), optionally of one organisation."""
    qs = queries.periods(request.user)
    if organization_id is not None:
        qs = qs.filter(organization_id=organization_id)
    if status:
        qs = qs.filter(status=status)
    return [_period_out(p) for p in qs[:200]]


@router.post("/periods", response={201: PeriodOut})
def period_create(request, data: PeriodIn):
    org = access.get_or_404(access.organizations(request.user), pk=data.organization_id)
    try:
        period = services.period_create(
            actor=request.user, organization=org, **data.model_dump(exclude={"organization_id"})
        )
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    return Status(201, _period_out(period))


@router.get("/periods/{period_id}", response=PeriodOut)
def period_detail(request, period_id: int):
    return _period_out(_period(request, period_id))


@router.post("/periods/{period_id}/close", response=PeriodOut)
def period_close(request, period_id: int):
    period = _period(request, period_id)
    try:
        return _period_out(services.period_close(actor=request.user, period=period))
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc


@router.get("/periods/{period_id}/summary", response=SummaryOut)
def period_summary(request, period_id: int, node_id: int | None = None):
    """Counts and percentages per level, not yet reviewed, per child of `node_id` (default: the
    organisation running the period). Officials overseeing the node only."""
    period = _period(request, period_id)
    node = period.organization
    if node_id is not None:
        node = access.get_or_404(access.organizations(request.user), pk=node_id)
    node = queries.summary_node(period, node)
    if not queries.may_view_summary(request.user, node):
        raise Http404
    s = queries.summary(period, node)
    return {
        "period_id": period.pk,
        "node_id": node.pk,
        "total": _row_out(s.total),
        "children": [_row_out(r) for r in s.children],
    }


@router.get("/periods/{period_id}/review", response=ReviewOut)
def review_detail(request, period_id: int, member_id: int | None = None, organization_id: int | None = None):
    """One subject's review in the period (an empty one, id null, before the self-assessment)."""
    period = _period(request, period_id)
    subject = _subject(request, period, SubjectIn(member_id=member_id, organization_id=organization_id))
    lookup = {"member": subject} if isinstance(subject, Member) else {"organization": subject}
    review = Review.objects.filter(period=period, **lookup).first()
    if review is None:
        if not queries.in_period(period, subject):
            raise Http404
        review = Review(period=period, **lookup, self_text="")
    return _review_out(review)


@router.get("/mine", response=list[ReviewOut])
def mine(request):
    """The caller's own reviews (as a member), newest first."""
    member_id = access.scope_for(request.user).member_id
    if not member_id:
        return []
    member = Member.objects.get(pk=member_id)
    return [_review_out(r) for r in queries.member_reviews(member)]


@router.post("/periods/{period_id}/self-assessment", response=ReviewOut)
def self_assessment(request, period_id: int, data: SelfIn):
    period = _period(request, period_id)
    subject = _subject(request, period, data)
    return _step(
        services.review_self_assess,
        actor=request.user,
        period=period,
        subject=subject,
        text=data.text,
        score=data.score,
    )


@router.post("/periods/{period_id}/proposal", response=ReviewOut)
def proposal(request, period_id: int, data: ProposeIn):
    period = _period(request, period_id)
    subject = _subject(request, period, data)
    return _step(
        services.review_propose,
        actor=request.user,
        period=period,
        subject=subject,
        score=data.score,
        level=data.level,
        reason=data.reason,
    )


@router.post("/periods/{period_id}/decision", response=ReviewOut)
def decision(request, period_id: int, data: DecideIn):
    period = _period(request, period_id)
    subject = _subject(request, period, data)
    return _step(
        services.review_decide,
        actor=request.user,
        period=period,
        subject=subject,
        decision_number=data.decision_number,
        decision_date=data.decision_date,
        score=data.score,
        level=data.level,
        reason=data.reason,
    )
