"""API for reports upward: the reports I must send (with the period due and its status), a
definition, submitting (multipart, with an optional file; `Idempotency-Key` supported), the
submissions I may see, their review, and the committee's tracking summary."""

import datetime
import hashlib
import json

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status, UploadedFile
from ninja.errors import HttpError

from handbook.core import access
from handbook.core.errors import RuleViolation
from handbook.core.idempotency import run_once
from handbook.organizations.models import Organization

from . import periods, queries, services
from .models import ReportDefinition, ReportSubmission

router = Router(tags=["reports"])


class FieldOut(Schema):
    key: str
    label: str
    type: str
    required: bool


class DefinitionOut(Schema):
    id: int
    issuer_id: int
    issuer: str
    title: str
    description: str
    frequency: str
    due_days: int
    attachment: str
    target_type: str | None
    start_period: datetime.date
    active: bool
    template_version: int
    fields: list[FieldOut]


class DueOut(Schema):
    organization_id: int
    organization: str
    definition: DefinitionOut
    period: datetime.date
    period_label: str
    deadline: datetime.date
    status: str
    submission_id: int | None
    review_state: str | None
    missing_periods: int


class SubmissionOut(Schema):
    id: int
    definition_id: int
    organization_id: int
    organization: str
    period: datetime.date
    data: dict
    template_version: int
    attachment_name: str
    version: int
    state: str
    late: bool
    first_submitted_at: datetime.datetime
    submitted_at: datetime.datetime
    review_comment: str


class ReviewIn(Schema):
    accept: bool
    comment: str = ""


class CountsOut(Schema):
    organization_id: int
    organization: str
    obligated: int
    on_time: int
    late: int
    not_submitted: int
    returned: int
    accepted: int


class TrackingOut(Schema):
    definition_id: int
    period: datetime.date
    deadline: datetime.date
    overdue: bool
    total: CountsOut
    units: list[CountsOut]


def _definition_out(d: ReportDefinition) -> dict:
    template = d.current_template()
    return {
        "id": d.pk,
        "issuer_id": d.issuer_id,
        "issuer": d.issuer.name,
        "title": d.title,
        "description": d.description,
        "frequency": d.frequency,
        "due_days": d.due_days,
        "attachment": d.attachment,
        "target_type": d.target_type.code if d.target_type_id else None,
        "start_period": d.start_period,
        "active": d.is_active,
        "template_version": template.version,
        "fields": template.fields,
    }


def _submission_out(s: ReportSubmission) -> dict:
    return {
        "id": s.pk,
        "definition_id": s.definition_id,
        "organization_id": s.organization_id,
        "organization": s.organization.name,
        "period": s.period,
        "data": s.data,
        "template_version": s.template.version,
        "attachment_name": s.attachment_name,
        "version": s.version,
        "state": s.state,
        "late": s.late,
        "first_submitted_at": s.first_submitted_at,
        "submitted_at": s.submitted_at,
        "review_comment": s.review_comment,
    }


def _counts_out(org: Organization, c: queries.Counts) -> dict:
    return {
        "organization_id": org.pk,
        "organization": org.name,
        "obligated": c.obligated,
        "on_time": c.on_time,
        "late": c.late,
        "not_submitted": c.not_submitted,
        "returned": c.returned,
        "accepted": c.accepted,
    }


def _definition(request, definition_id: int) -> ReportDefinition:
    return access.get_or_404(queries.definitions(request.user), pk=definition_id)


@router.get("/due", response=list[DueOut])
def due(request, organization_id: int | None = None):
    """The reports I must send: for each organisation I report for (my cell; with
    `organization_id`, one I may report for), each report it owes with the period due now."""
    scope = access.scope_for(request.user)
    if organization_id is not None:
        org = access.get_or_404(access.organizations(request.user, access.MEMBER_CHANGE), pk=organization_id)
        orgs = [org]
    else:
        orgs = list(
            Organization.objects.filter(path__in=scope.paths(access.MEMBER_CHANGE), status=Organization.Status.ACTIVE)
            .select_related("type")
            .order_by("path")[:50]
        )
    today = timezone.localdate()
    out = []
    for org in orgs:
        for r in queries.owed_reports(org, today):
            out.append(
                {
                    "organization_id": org.pk,
                    "organization": org.name,
                    "definition": _definition_out(r.definition),
                    "period": r.period,
                    "period_label": r.definition.period_label(r.period),
                    "deadline": r.definition.deadline(r.period),
                    "status": r.status,
                    "submission_id": r.submission.pk if r.submission else None,
                    "review_state": r.submission.state if r.submission else None,
                    "missing_periods": r.overdue_periods,
                }
            )
    return out


@router.get("/definitions", response=list[DefinitionOut])
def definition_list(request, active: bool = True):
    """Reports I may follow: issued in my subtree, or above it (for my part of it)."""
    qs = queries.definitions(request.user).prefetch_related("templates")
    if active:
        qs = qs.filter(archived_at__isnull=True)
    return [_definition_out(d) for d in qs[:200]]


@router.get("/definitions/{definition_id}", response=DefinitionOut)
def definition_detail(request, definition_id: int):
    return _definition_out(_definition(request, definition_id))


@router.post("/definitions/{definition_id}/submissions", response={201: SubmissionOut})
def submission_create(
    request,
    definition_id: int,
    organization_id: Form[int],
    period: Form[datetime.date],
    data: Form[str] = "{}",
    file: File[UploadedFile] = None,
):
    """Submit (or resubmit before acceptance) a period's report, as multipart/form-data: `data` is
    a JSON object of field values, `file` the attachment. Send an `Idempotency-Key` header: a retry
    on a bad connection gets the first answer and submits nothing twice."""
    definition = _definition(request, definition_id)
    org = access.get_or_404(
        access.organizations(request.user, access.MEMBER_CHANGE).select_related("type"), pk=organization_id
    )
    if not queries.may_submit(request.user, definition, org):
        raise HttpError(404, "Not found")
    try:
        values = json.loads(data or "{}")
    except ValueError:
        raise RuleViolation(_("The report data must be an object of field values."), field="data") from None
    upload = (file.name, file.read()) if file is not None else None
    body = {
        "organization_id": organization_id,
        "period": period,
        "data": values,
        "file": hashlib.sha256(upload[1]).hexdigest() if upload else None,
    }

    def work():
        sub = services.submission_submit(
            actor=request.user,
            definition=definition,
            organization=org,
            period=periods.period_start(definition.frequency, period),
            data=values,
            attachment=upload,
        )
        return 201, json.loads(json.dumps(_submission_out(sub), default=str))

    status, answer = run_once(request, body, work)
    return Status(status, answer)


@router.get("/submissions", response=list[SubmissionOut])
def submission_list(
    request, definition_id: int | None = None, period: datetime.date | None = None, organization_id: int | None = None
):
    """Submissions of organisations I oversee, newest period first (at most 500)."""
    qs = queries.submissions(request.user)
    if definition_id is not None:
        qs = qs.filter(definition_id=definition_id)
    if period is not None:
        qs = qs.filter(period=period)
    if organization_id is not None:
        qs = qs.filter(organization_id=organization_id)
    return [_submission_out(s) for s in qs.order_by("-period", "organization__path")[:500]]


@router.get("/submissions/{submission_id}", response=SubmissionOut)
def submission_detail(request, submission_id: int):
    return _submission_out(access.get_or_404(queries.submissions(request.user), pk=submission_id))


@router.post("/submissions/{submission_id}/review", response=SubmissionOut)
def submission_review(request, submission_id: int, data: ReviewIn):
    """Accept (final) or return with a comment: the issuing committee's staff."""
    sub = access.get_or_404(queries.submissions(request.user), pk=submission_id)
    if not queries.may_manage(request.user, sub.definition):
        raise HttpError(404, "Not found")
    sub = services.submission_review(actor=request.user, submission=sub, accept=data.accept, comment=data.comment)
    return _submission_out(sub)


@router.get("/definitions/{definition_id}/tracking", response=TrackingOut)
def tracking(request, definition_id: int, period: datetime.date | None = None, node_id: int | None = None):
    """On time / late / not submitted for one period, in total and per unit one level below the
    node (default: the top of what I may see of the issuer's subtree)."""
    definition = _definition(request, definition_id)
    today = timezone.localdate()
    day = periods.period_start(definition.frequency, period) if period else queries.due_period(definition, today)
    node = queries.visible_root(request.user, definition)
    if node is None:
        raise HttpError(404, "Not found")
    if node_id is not None:
        node = access.get_or_404(access.organizations(request.user), pk=node_id)
        if not node.path.startswith(definition.issuer.path) or not access.covers(
            request.user, access.ORG_VIEW, node.path
        ):
            raise HttpError(404, "Not found")
    t = queries.tracking(definition, day, node, today)
    return {
        "definition_id": definition.pk,
        "period": day,
        "deadline": t.deadline,
        "overdue": t.overdue,
        "total": _counts_out(node, t.total),
        "units": [_counts_out(org or node, c) for org, c in t.rows],
    }
