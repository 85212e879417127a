"""API for admissions: candidates, cases, recording a step (validated by the same forms as the
pages), targets and progress. The same services and scoped queries as the pages."""

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from handbook.core import access
from handbook.core.errors import RuleViolation
from handbook.organizations.paths import subtree_q

from . import forms, queries, services
from .models import AdmissionCase, AdmissionTarget, Candidate, Step

router = Router(tags=["admissions"])


class CandidateIn(Schema):
    organization_id: int
    full_name: str
    date_of_birth: datetime.date
    sex: str
    category: str = Candidate.Category.OTHER
    cccd: str = ""
    contact: str = ""
    notes: str = ""


class CandidateOut(Schema):
    id: int
    organization_id: int
    full_name: str
    date_of_birth: datetime.date
    sex: str
    category: str
    contact: str
    notes: str


class StepOut(Schema):
    step: str
    date: datetime.date
    document: str
    note: str
    recorded_by: str | None


class CaseOut(Schema):
    id: int
    candidate: CandidateOut
    organization_id: int
    state: str
    step: str
    next_step: str | None
    step_date: datetime.date | None
    certificate_expires: datetime.date | None
    application_date: datetime.date | None
    cell_vote_date: datetime.date | None
    committee_vote_date: datetime.date | None
    decision_number: str
    decision_date: datetime.date | None
    decided_by_id: int | None
    member_id: int | None
    rule_set_version_id: int | None
    ceremony_due: datetime.date | None
    ceremony_date: datetime.date | None
    overdue: list[str]


class CaseDetailOut(CaseOut):
    steps: list[StepOut]


class CaseIn(Schema):
    candidate_id: int


class StepIn(Schema):
    date: datetime.date
    document: str = ""
    note: str = ""
    #: The step's own values, as the page's form fields (ids for introducers and organisations).
    values: dict[str, Any] = {}


class TargetIn(Schema):
    organization_id: int
    year: int
    number: int | None = None
    percent: Decimal | None = None
    by_category: dict[str, int] = {}
    enterprise_organizations: int | None = None


class TargetOut(Schema):
    id: int
    organization_id: int
    year: int
    number: int | None
    percent: Decimal | None
    base_membership: int | None
    plan: int
    by_category: dict[str, int]
    enterprise_organizations: int | None


class ProgressRow(Schema):
    key: str
    label: str
    admitted: int
    plan: int | None
    percent: Decimal | None


class ProgressOut(Schema):
    organization_id: int
    year: int
    plan: int | None
    admitted: int
    percent: Decimal | None
    categories: list[ProgressRow]
    children: list[ProgressRow]
    enterprise_organizations: int
    enterprise_plan: int | None
    enterprise_percent: Decimal | None


class EnterpriseIn(Schema):
    organization_id: int
    name: str
    enterprise: str = ""
    founded_on: datetime.date


class EnterpriseOut(Schema):
    id: int
    organization_id: int
    name: str
    enterprise: str
    founded_on: datetime.date


def _candidate(c: Candidate, user, path: str) -> dict:
    """`category` is "" where it is protected from the user (religion without the sensitive-data
    permission)."""
    return {
        "id": c.pk,
        "organization_id": c.organization_id,
        "full_name": c.full_name,
        "date_of_birth": c.date_of_birth,
        "sex": c.sex,
        "category": queries.shown_category(user, c, path),
        "contact": c.contact,
        "notes": c.notes,
    }


def _overdue(case: AdmissionCase, today: datetime.date) -> list[str]:
    out = []
    if case.state != case.State.OPEN:
        return out
    if getattr(case, "stalled", False):
        out.append("stalled")
    if (
        case.certificate_expires
        and case.certificate_expires < today
        and case.step not in (Step.DECISION, Step.CEREMONY)
    ):
        out.append("certificate_expired")
    if case.step == Step.DECISION and case.ceremony_due and case.ceremony_due < today:
        out.append("ceremony_late")
    return out


def _case(case: AdmissionCase, user, *, steps: bool = False) -> dict:
    out = {
        "id": case.pk,
        "candidate": _candidate(case.candidate, user, case.organization.path),
        "organization_id": case.organization_id,
        "state": case.state,
        "step": case.step,
        "next_step": case.next_step,
        "step_date": case.step_date,
        "certificate_expires": case.certificate_expires,
        "application_date": case.application_date,
        "cell_vote_date": case.cell_vote_date,
        "committee_vote_date": case.committee_vote_date,
        "decision_number": case.decision_number,
        "decision_date": case.decision_date,
        "decided_by_id": case.decided_by_id,
        "member_id": case.member_id,
        "rule_set_version_id": case.rule_set_id,
        "ceremony_due": case.ceremony_due,
        "ceremony_date": case.ceremony_date,
        "overdue": _overdue(case, timezone.localdate()),
    }
    if steps:
        out["steps"] = [
            {
                "step": s.step,
                "date": s.date,
                "document": s.document,
                "note": s.note,
                "recorded_by": s.recorded_by.get_username() if s.recorded_by else None,
            }
            for s in case.steps.select_related("recorded_by")
        ]
    return out


def _target(t: AdmissionTarget) -> dict:
    return {
        "id": t.pk,
        "organization_id": t.organization_id,
        "year": t.year,
        "number": t.number,
        "percent": t.percent,
        "base_membership": t.base_membership,
        "plan": t.plan,
        "by_category": t.by_category,
        "enterprise_organizations": t.enterprise_organizations,
    }


@router.get("/candidates", response=list[CandidateOut])
def candidate_list(request, organization_id: int, category: str = ""):
    """The candidates of a cell (or of a whole subtree)."""
    org = access.get_or_404(queries.viewable_organizations(request.user), pk=organization_id)
    qs = (
        queries.candidates(request.user)
        .filter(subtree_q(org.path, "organization__path"))
        .select_related("organization")
        .order_by("full_name", "pk")
    )
    if category and queries.category_filter_allowed(request.user, org, category):
        qs = qs.filter(category=category)
    return [_candidate(c, request.user, c.organization.path) for c in qs[:1000]]


@router.post("/candidates", response={201: CandidateOut})
def candidate_create(request, data: CandidateIn):
    org = access.get_or_404(
        access.organizations(request.user, access.MEMBER_CHANGE).select_related("type"), pk=data.organization_id
    )
    values = data.dict()
    values.pop("organization_id")
    candidate = services.candidate_create(actor=request.user, organization=org, **values)
    return Status(201, _candidate(candidate, request.user, org.path))


@router.get("/cases", response=list[CaseOut])
def case_list(request, organization_id: int, step: str = "", category: str = "", overdue: bool = False):
    """Open cases under an organisation (the pipeline)."""
    org = access.get_or_404(queries.viewable_organizations(request.user), pk=organization_id)
    if not queries.category_filter_allowed(request.user, org, category):
        category = ""
    rows = queries.pipeline(org, step=step, category=category, overdue=overdue)[:1000]
    return [_case(c, request.user) for c in rows]


@router.post("/cases", response={201: CaseDetailOut})
def case_open(request, data: CaseIn):
    candidate = access.get_or_404(queries.candidates(request.user, manage=True), pk=data.candidate_id)
    return Status(201, _case(services.case_open(actor=request.user, candidate=candidate), request.user, steps=True))


@router.get("/cases/{case_id}", response=CaseDetailOut)
def case_detail(request, case_id: int):
    case = access.get_or_404(queries.cases(request.user).select_related("candidate", "organization"), pk=case_id)
    return _case(case, request.user, steps=True)


@router.post("/cases/{case_id}/steps/{step}", response=CaseDetailOut)
def step_record(request, case_id: int, step: str, data: StepIn):
    """Record the case's next step. `values` holds the step's fields, e.g. for `course`:
    `{"certificate_number": "…", "certificate_issued": "2025-03-01"}`; for `cell_vote` and
    `committee_vote`: `{"votes_for": 5, "votes_against": 0, "members": 6}`; for `decision`:
    `{"number": "…", "decided_by": <organisation id>}`."""
    case = access.get_or_404(queries.cases(request.user, manage=True).select_related("organization"), pk=case_id)
    if step not in Step.values or not queries.may_record(request.user, case, step):
        raise HttpError(404, "Not found")
    form = forms.STEP_FORMS[step](
        data={**data.values, "date": data.date, "document": data.document, "note": data.note}, case=case
    )
    if not form.is_valid():
        errors = {k: " ".join(str(m) for m in v) for k, v in form.errors.items()}
        first = next(iter(errors))
        raise RuleViolation(errors[first], code="invalid", field=first, errors=errors)
    case = services.case_step_record(actor=request.user, case=case, step=step, **form.cleaned_data)
    return _case(case, request.user, steps=True)


@router.get("/targets", response=list[TargetOut])
def target_list(request, organization_id: int):
    org = access.get_or_404(queries.viewable_organizations(request.user), pk=organization_id)
    return [_target(t) for t in AdmissionTarget.objects.filter(organization=org).order_by("-year")]


@router.post("/targets", response={201: TargetOut})
def target_set(request, data: TargetIn):
    org = access.get_or_404(access.organizations(request.user, access.ORG_CHANGE), pk=data.organization_id)
    target = services.target_set(
        actor=request.user,
        organization=org,
        year=data.year,
        number=data.number,
        percent=data.percent,
        by_category=data.by_category,
        enterprise_organizations=data.enterprise_organizations,
    )
    return Status(201, _target(target))


@router.get("/progress", response=ProgressOut)
def progress(request, organization_id: int, year: int | None = None):
    """Admitted this year under the subtree against the plan, per category and per child."""
    org = access.get_or_404(queries.viewable_organizations(request.user), pk=organization_id)
    p = queries.progress(org, year or timezone.localdate().year)
    return {
        "organization_id": org.pk,
        "year": p["year"],
        "plan": p["plan"],
        "admitted": p["admitted"],
        "percent": p["percent"],
        "categories": [
            {
                "key": r["code"],
                "label": str(r["label"]),
                "admitted": r["admitted"],
                "plan": r["plan"],
                "percent": r["percent"],
            }
            for r in p["categories"]
        ],
        "children": [
            {
                "key": str(r["organization"].pk),
                "label": r["organization"].name,
                "admitted": r["admitted"],
                "plan": r["plan"],
                "percent": r["percent"],
            }
            for r in p["children"]
        ],
        "enterprise_organizations": p["enterprise_organizations"],
        "enterprise_plan": p["enterprise_plan"],
        "enterprise_percent": p["enterprise_percent"],
    }


@router.post("/enterprise-organizations", response={201: EnterpriseOut})
def enterprise_create(request, data: EnterpriseIn):
    """Record a new party organisation founded in a non-state enterprise."""
    org = access.get_or_404(access.organizations(request.user, access.ORG_CHANGE), pk=data.organization_id)
    row = services.enterprise_organization_record(
        actor=request.user, organization=org, name=data.name, enterprise=data.enterprise, founded_on=data.founded_on
    )
    return Status(
        201,
        {
            "id": row.pk,
            "organization_id": row.organization_id,
            "name": row.name,
            "enterprise": row.enterprise,
            "founded_on": row.founded_on,
        },
    )
