"""API for member records: list, the full record (protected fields only for those allowed), create,
update, status changes and the record's tables."""

import datetime
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Body, Field, File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.errors import HttpError
from pydantic import create_model

from handbook.audit.models import SensitiveAccess
from handbook.audit.services import sensitive_read
from handbook.core import access

from . import exports, imports, queries, services
from . import requests as change_requests
from .models import RECORD_TABLES, ImportJob, Member
from .record import record_view
from .sheet import RECORD_FIELDS

router = Router(tags=["members"])

PROTECTED = "Protected: present only for the member and for roles with the sensitive-data permission."


class MemberOut(Schema):
    id: int
    full_name: str
    sex: str
    date_of_birth: datetime.date
    status: str
    organization_id: int
    organization: str


class MemberPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[MemberOut]


class MemberFilters(Schema):
    """Filters that are not personal data, so they may travel in the query string."""

    status: str = ""
    sex: str = ""
    organization_id: int | None = None
    page: int = 1


class StatusChangeOut(Schema):
    status: str
    effective_date: datetime.date
    note: str


def _field_type(name: str):
    return datetime.date if Member._meta.get_field(name).get_internal_type() == "DateField" else str


def _described(name: str) -> dict:
    return {"description": PROTECTED} if name in Member.SENSITIVE_FIELDS else {}


#: The whole record as read. Generated from the member sheet (members/sheet.py), so a field added
#: to the sheet appears here; protected fields are absent for readers without the permission.
MemberRecordOut = create_model(
    "MemberRecordOut",
    __base__=Schema,
    id=(int, ...),
    organization_id=(int, ...),
    organization=(str, ...),
    status=(str, ...),
    admitting_organization=(int | None, None),
    **{name: (_field_type(name) | None, Field(None, **_described(name))) for name in RECORD_FIELDS},
    party_age_years=(int, ...),
    party_age_months=(int, ...),
    status_history=(list[StatusChangeOut], ...),
    tables=(list[str], Field(description="Tables this caller may read (`GET /members/{id}/tables/{table}`)")),
)

_REQUIRED_ON_CREATE = {"full_name", "sex", "date_of_birth", "cccd"}

#: A new member: the four identifying fields are required, every other field of the sheet optional.
MemberIn = create_model(
    "MemberIn",
    __base__=Schema,
    organization_id=(int, ...),
    status=(str, Member.Status.PROBATIONARY),
    **{
        name: (_field_type(name), ...)
        if name in _REQUIRED_ON_CREATE
        else ((datetime.date | None, None) if _field_type(name) is datetime.date else (str, ""))
        for name in RECORD_FIELDS
    },
)

#: Only the fields sent are changed. A changed status is recorded as of today; use
#: `POST /members/{id}/status` for a change with another effective date.
MemberPatch = create_model(
    "MemberPatch",
    __base__=Schema,
    status=(str | None, None),
    **{name: (_field_type(name) | None, None) for name in RECORD_FIELDS},
)


class StatusIn(Schema):
    status: str
    effective_date: datetime.date
    note: str = ""


PAGE_SIZE = 50


def _out(m: Member) -> dict:
    return {
        "id": m.pk,
        "full_name": m.full_name,
        "sex": m.sex,
        "date_of_birth": m.date_of_birth,
        "status": m.status,
        "organization_id": m.organization_id,
        "organization": m.organization.name,
    }


def _visible(request, member_id: int) -> Member:
    return access.get_or_404(
        access.members(request.user).select_related("organization", "admitting_organization"), pk=member_id
    )


def _changeable(request, member_id: int) -> Member:
    return access.get_or_404(
        access.members(request.user, access.MEMBER_CHANGE).select_related("organization"), pk=member_id
    )


def _record(request, member: Member) -> dict:
    view = record_view(request.user, member, channel=SensitiveAccess.Channel.API)
    return {
        **view.values(),
        "id": member.pk,
        "organization_id": member.organization_id,
        "organization": member.organization.name,
        "party_age_years": view.party_age.years,
        "party_age_months": view.party_age.months,
        "status_history": [
            {"status": h.status, "effective_date": h.effective_date, "note": h.note} for h in view.history
        ],
        "tables": [t.key for t in view.tables],
    }


class MemberSearch(MemberFilters):
    q: str = Field("", description="Name (diacritics ignored), phone, party card number, or CCCD (protected)")


def _page(request, filters: MemberFilters, q: str = "") -> dict:
    org = None
    if filters.organization_id is not None:
        org = access.get_or_404(access.organizations(request.user), pk=filters.organization_id)
    qs = queries.filtered(
        access.members(request.user),
        q=q,
        status=filters.status,
        sex=filters.sex,
        organization=org,
        sensitive_scope=access.members(request.user, access.MEMBER_SENSITIVE),
    )
    page = max(filters.page, 1)
    rows = list(qs[(page - 1) * PAGE_SIZE : page * PAGE_SIZE])
    return {"count": qs.count(), "page": page, "page_size": PAGE_SIZE, "results": [_out(m) for m in rows]}


@router.get("", response=MemberPage)
def member_list(request, filters: Query[MemberFilters]):
    """Members in the caller's scope, 50 a page, in Vietnamese name order (no protected fields)."""
    return _page(request, filters)


@router.post("/search", response=MemberPage)
def member_search(request, data: MemberSearch):
    """The same list searched by name, phone, card number or CCCD. A POST, so that what is searched
    for (personal data) never appears in URLs, proxy logs or browser history."""
    return _page(request, data, q=data.q)


@router.get("/{member_id}", response=MemberRecordOut, exclude_unset=True)
def member_detail(request, member_id: int):
    """The whole record. Protected fields are left out (not null: absent) unless the caller is the
    member or holds the sensitive-data permission over the member's cell; such reads are logged."""
    return _record(request, _visible(request, member_id))


@router.post("", response={201: MemberRecordOut}, exclude_unset=True)
def member_create(request, data: MemberIn):
    org = access.get_or_404(access.organizations(request.user).select_related("type"), pk=data.organization_id)
    if not access.covers(request.user, access.MEMBER_CHANGE, org.path):
        raise HttpError(404, "Not found")
    fields = data.dict(exclude={"organization_id"})
    member = services.member_create(actor=request.user, organization=org, **fields)
    return Status(201, _record(request, _visible(request, member.pk)))


@router.patch("/{member_id}", response=MemberRecordOut, exclude_unset=True)
def member_update(request, member_id: int, data: MemberPatch):
    member = _changeable(request, member_id)
    changes = data.dict(exclude_unset=True)
    services.member_update(actor=request.user, member=member, **changes)
    return _record(request, _visible(request, member_id))


@router.post("/{member_id}/status", response={201: StatusChangeOut})
def member_status(request, member_id: int, data: StatusIn):
    """Record a status change effective on a given day (removal, exemption, death, ...)."""
    member = _changeable(request, member_id)
    change = services.member_status_change(
        actor=request.user, member=member, status=data.status, effective_date=data.effective_date, note=data.note
    )
    return Status(201, {"status": change.status, "effective_date": change.effective_date, "note": change.note})


def _table_model(member: Member, table: str, request):
    model = RECORD_TABLES.get(table)
    if model is None:
        raise HttpError(404, "Not found")
    if model.sensitive and not access.sees_sensitive(request.user, member):
        raise HttpError(403, _("This part of the record is protected."))
    return model


def _row(row) -> dict[str, Any]:
    return {"id": row.pk, **services._row_snapshot(row)}


@router.get("/{member_id}/tables/{table}", response=list[dict[str, Any]])
def table_rows(request, member_id: int, table: str):
    """Rows of one table of the record: work, training, rewards, badges, travel; and, protected,
    family and discipline."""
    member = _visible(request, member_id)
    model = _table_model(member, table, request)
    if model.sensitive:
        sensitive_read(actor=request.user, member_ids=[member.pk], fields=[table], channel="api")
    return [_row(r) for r in model.objects.filter(member=member)]


@router.post("/{member_id}/tables/{table}", response={201: dict[str, Any]})
def table_add(request, member_id: int, table: str, data: Body[dict[str, Any]]):
    member = _changeable(request, member_id)
    _table_model(member, table, request)
    row = services.member_row_add(actor=request.user, member=member, table=table, **data)
    return Status(201, _row(row))


@router.delete("/{member_id}/tables/{table}/{row_id}", response={204: None})
def table_remove(request, member_id: int, table: str, row_id: int):
    member = _changeable(request, member_id)
    _table_model(member, table, request)
    services.member_row_remove(actor=request.user, member=member, table=table, row_id=row_id)
    return Status(204, None)


requests_router = Router(tags=["members"])


class ChangeRequestIn(Schema):
    changes: dict[str, Any] = Field(description="Field name → proposed value, for fields of the record")
    comment: str = ""


class ChangeRequestOut(Schema):
    id: int
    member_id: int
    member: str
    state: str
    changes: dict[str, Any] | None = Field(None, description="Absent when it touches protected fields you may not see")
    comment: str
    reason: str
    created_at: datetime.datetime
    decided_at: datetime.datetime | None


class DecisionIn(Schema):
    approve: bool
    reason: str = ""


def _request_out(request, obj) -> dict:
    visible = access.sees_sensitive(request.user, obj.member) or not (set(obj.changes) & set(Member.SENSITIVE_FIELDS))
    out = {
        "id": obj.pk,
        "member_id": obj.member_id,
        "member": obj.member.full_name,
        "state": obj.state,
        "comment": obj.comment,
        "reason": obj.reason,
        "created_at": obj.created_at,
        "decided_at": obj.decided_at,
    }
    if visible:
        out["changes"] = obj.changes
        shown = [name for name in obj.changes if name in Member.SENSITIVE_FIELDS]
        if shown:
            sensitive_read(actor=request.user, member_ids=[obj.member_id], fields=shown, channel="api")
    return out


@router.post("/{member_id}/change-requests", response={201: ChangeRequestOut}, exclude_unset=True)
def change_request_create(request, member_id: int, data: ChangeRequestIn):
    """A member proposes corrections to their own record; their cell decides."""
    member = _visible(request, member_id)
    obj = change_requests.change_request_create(
        actor=request.user, member=member, changes=data.changes, comment=data.comment
    )
    return Status(201, _request_out(request, obj))


@requests_router.get("", response=list[ChangeRequestOut], exclude_unset=True)
def change_request_list(request, state: str = ""):
    """Your own requests, and those you may decide (pending first)."""
    rows = queries.change_requests(request.user)
    if state:
        rows = rows.filter(state=state)
    return [_request_out(request, r) for r in rows[:200]]


@requests_router.post("/{request_id}/decision", response=ChangeRequestOut, exclude_unset=True)
def change_request_decision(request, request_id: int, data: DecisionIn):
    obj = access.get_or_404(queries.change_requests(request.user), pk=request_id)
    if not access.members(request.user, access.MEMBER_CHANGE).filter(pk=obj.member_id).exists():
        raise HttpError(403, _("You cannot decide on this request."))
    if set(obj.changes) & set(Member.SENSITIVE_FIELDS) and not access.sees_sensitive(request.user, obj.member):
        raise HttpError(403, _("This part of the record is protected."))
    obj = change_requests.change_request_decide(
        actor=request.user, request=obj, approve=data.approve, reason=data.reason
    )
    return _request_out(request, obj)


@router.get("/export/{fmt}", response={200: None})
def member_export(request, fmt: str, filters: Query[MemberFilters]):
    """The filtered member list as `xlsx` or `csv` (at most 50,000 rows; audited; protected
    columns only where the caller may see them)."""
    if not access.scope_for(request.user).is_official:
        raise HttpError(404, "Not found")
    org = None
    if filters.organization_id is not None:
        org = access.get_or_404(access.organizations(request.user), pk=filters.organization_id)
    qs = queries.filtered(
        access.members(request.user),
        status=filters.status,
        sex=filters.sex,
        organization=org,
        sensitive_scope=access.members(request.user, access.MEMBER_SENSITIVE),
    )
    body, content_type = exports.export_members(
        user=request.user, queryset=qs, fmt=fmt, description=filters.dict(exclude={"page"})
    )
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="handbook-members.{fmt}"'
    return response


imports_router = Router(tags=["members"])


class ImportJobOut(Schema):
    id: int
    filename: str
    state: str
    mode: str
    total_rows: int
    processed_rows: int
    imported_rows: int
    error_count: int
    errors: list[dict[str, Any]] = Field(description="At most 500: row (1 = header), column, message")


def _job_out(job) -> dict:
    return {
        "id": job.pk,
        "filename": job.filename,
        "state": job.state,
        "mode": job.mode,
        "total_rows": job.total_rows,
        "processed_rows": job.processed_rows,
        "imported_rows": job.imported_rows,
        "error_count": len(job.errors),
        "errors": job.errors[:500],
    }


@imports_router.post("", response={202: ImportJobOut})
def import_create(request, file: File[UploadedFile], mode: Form[str] = "all"):
    """Upload an .xlsx or .csv (the template is `GET /members/import/template.xlsx` on the site).
    `mode`: `all` (nothing imported if any row fails) or `valid`. Poll `GET /imports/{id}`."""
    if not access.scope_for(request.user).has_any(access.MEMBER_CHANGE):
        raise HttpError(404, "Not found")
    job = imports.start(user=request.user, filename=file.name, content=file.read(imports.MAX_BYTES + 1), mode=mode)
    return Status(202, _job_out(job))


@imports_router.get("/{job_id}", response=ImportJobOut)
def import_status(request, job_id: int):
    """Progress and result of one of your imports."""
    job = access.get_or_404(ImportJob.objects.filter(user=request.user).defer("content"), pk=job_id)
    return _job_out(job)
