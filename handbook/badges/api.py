"""API for party badges: who is due on an award occasion in a subtree, recording an award,
reading it. The same queries and services as the pages."""

import datetime

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError

from handbook.core import access
from handbook.probation.api import overseen_org
from handbook.rules import rulebook

from . import queries, services
from .models import BadgeAward

router = Router(tags=["badges"])


class DueFilter(Schema):
    organization_id: int
    award_date: datetime.date


class CandidateOut(Schema):
    member_id: int
    full_name: str
    organization_id: int
    admission_date: datetime.date
    years: int
    reaches_on: datetime.date
    early: bool
    held: int | None


class DueOut(Schema):
    organization_id: int
    award_date: datetime.date
    rule_set_id: int
    counts: dict[str, int]
    rows: list[CandidateOut]


class AwardIn(Schema):
    member_id: int
    years: int
    award_date: datetime.date
    decision_number: str
    decision_date: datetime.date
    early_reason: str = ""


class AwardOut(Schema):
    id: int
    member_id: int
    organization_id: int
    years: int
    award_date: datetime.date
    reaches_on: datetime.date
    early: bool
    early_reason: str
    decision_number: str
    decision_date: datetime.date
    badge_id: int | None
    rule_set_id: int


@router.get("/due", response=DueOut)
def due(request, filters: Query[DueFilter]):
    """For each member of the subtree, the highest badge above those they hold that they reach by
    `award_date` (`early`: only within the early months for the seriously ill). At most 500 rows;
    the counts are exact."""
    org = overseen_org(request.user, filters.organization_id)
    rs = rulebook.for_organization(org, on=filters.award_date)
    result = queries.due(org, award_date=filters.award_date, rs=rs)
    return {
        "organization_id": org.pk,
        "award_date": filters.award_date,
        "rule_set_id": rs.pk,
        "counts": result["counts"],
        "rows": [
            {
                "member_id": c.member.pk,
                "full_name": c.member.full_name,
                "organization_id": c.member.organization_id,
                "admission_date": c.member.admission_date,
                "years": c.years,
                "reaches_on": c.reaches_on,
                "early": c.early,
                "held": c.held,
            }
            for c in result["rows"]
        ],
    }


@router.post("/awards", response={201: AwardOut})
def award(request, payload: AwardIn):
    member = access.get_or_404(access.members(request.user).select_related("organization"), pk=payload.member_id)
    if not access.covers(request.user, access.MEMBER_VIEW, member.organization.path):
        raise Http404
    if not access.covers(request.user, access.ORG_CHANGE, member.organization.path):
        raise HttpError(403, _("Only the committee awards party badges."))
    done = services.badge_award(
        actor=request.user,
        member=member,
        years=payload.years,
        award_date=payload.award_date,
        decision_number=payload.decision_number,
        decision_date=payload.decision_date,
        early_reason=payload.early_reason,
    )
    return Status(201, done)


@router.get("/awards/{award_id}", response=AwardOut)
def award_detail(request, award_id: int):
    return access.get_or_404(BadgeAward.objects.filter(member__in=access.members(request.user)), pk=award_id)
