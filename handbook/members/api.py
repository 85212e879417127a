"""API for member records: the scoped list with filters, one record, create and update."""

import datetime

from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError

from handbook.core import access

from . import queries, services
from .models import Member

router = Router(tags=["members"])


class MemberOut(Schema):
    id: int
    full_name: str
    sex: str
    date_of_birth: datetime.date
    cccd: str
    status: str
    organization_id: int
    organization: str


class MemberPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[MemberOut]


class MemberFilters(Schema):
    q: str = ""
    status: str = ""
    sex: str = ""
    organization_id: int | None = None
    page: int = 1


class MemberIn(Schema):
    organization_id: int
    full_name: str
    sex: str
    date_of_birth: datetime.date
    cccd: str
    status: str = Member.Status.PROBATIONARY


class MemberPatch(Schema):
    full_name: str | None = None
    sex: str | None = None
    date_of_birth: datetime.date | None = None
    cccd: str | None = None
    status: str | None = None


PAGE_SIZE = 50


def _out(m: Member) -> dict:
    return {
        "id": m.pk,
        "full_name": m.full_name,
        "sex": m.sex,
        "date_of_birth": m.date_of_birth,
        "cccd": m.cccd,
        "status": m.status,
        "organization_id": m.organization_id,
        "organization": m.organization.name,
    }


@router.get("", response=MemberPage)
def member_list(request, filters: Query[MemberFilters]):
    """Members in the caller's scope, 50 a page, in Vietnamese name order."""
    org = None
    if filters.organization_id is not None:
        org = access.get_or_404(access.organizations(request.user), pk=filters.organization_id)
    qs = queries.filtered(
        access.members(request.user), q=filters.q, status=filters.status, sex=filters.sex, organization=org
    )
    page = max(filters.page, 1)
    rows = list(qs[(page - 1) * PAGE_SIZE : page * PAGE_SIZE])
    return {"count": qs.count(), "page": page, "page_size": PAGE_SIZE, "results": [_out(m) for m in rows]}


@router.get("/{member_id}", response=MemberOut)
def member_detail(request, member_id: int):
    return _out(access.get_or_404(access.members(request.user).select_related("organization"), pk=member_id))


@router.post("", response={201: MemberOut})
def member_create(request, data: MemberIn):
    org = access.get_or_404(
        access.organizations(request.user, access.ORG_VIEW).select_related("type"), pk=data.organization_id
    )
    if not access.covers(request.user, access.MEMBER_CHANGE, org.path):
        raise HttpError(404, "Not found")
    member = services.member_create(
        actor=request.user,
        organization=org,
        full_name=data.full_name,
        sex=data.sex,
        date_of_birth=data.date_of_birth,
        cccd=data.cccd,
        status=data.status,
    )
    return Status(201, _out(member))


@router.patch("/{member_id}", response=MemberOut)
def member_update(request, member_id: int, data: MemberPatch):
    member = access.get_or_404(access.members(request.user, access.MEMBER_CHANGE), pk=member_id)
    changes = {k: v for k, v in data.dict().items() if v is not None}
    member = services.member_update(actor=request.user, member=member, **changes)
    member.refresh_from_db()
    return _out(Member.objects.select_related("organization").get(pk=member.pk))
