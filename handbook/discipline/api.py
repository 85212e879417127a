"""API for discipline cases (sensitive), exemptions and exits. The same services as the pages.

A case is found only by the member it concerns and by roles with the sensitive-data permission
over its organisation; anyone else gets 404, as for a case that does not exist. Reads of other
members' cases are logged as sensitive reads."""

import datetime

from django.http import Http404
from ninja import Router, Schema, Status

from handbook.audit.models import SensitiveAccess
from handbook.core import access
from handbook.meetings.models import Motion

from . import queries, services
from .models import DisciplineCase, Exemption, Exit

router = Router(tags=["discipline"])


class CaseOut(Schema):
    id: int
    member_id: int | None
    organization_id: int
    against_organization: bool
    violation: str
    opened_on: datetime.date
    state: str
    motion_id: int | None
    votes_for: int | None
    votes_against: int | None
    voters: int | None
    votes_needed: int | None
    form: str
    final_form: str
    decided_by: str
    decision_number: str
    decision_date: datetime.date | None
    effective_date: datetime.date | None
    notified_on: datetime.date | None
    appeal_deadline: datetime.date | None
    rule_set_id: int | None
    appeal: str
    appeal_filed_on: datetime.date | None
    appeal_decided_on: datetime.date | None
    appeal_form: str
    appeal_note: str


class CaseIn(Schema):
    member_id: int | None = None
    organization_id: int | None = None
    violation: str
    opened_on: datetime.date | None = None


class DecideIn(Schema):
    form: str
    decided_by: str
    decision_number: str
    decision_date: datetime.date
    effective_date: datetime.date | None = None
    motion_id: int | None = None
    votes_for: int | None = None
    votes_against: int | None = None
    voters: int | None = None


class DropIn(Schema):
    note: str = ""


class NotifyIn(Schema):
    notified_on: datetime.date


class AppealIn(Schema):
    filed_on: datetime.date


class AppealDecisionIn(Schema):
    outcome: str
    decided_on: datetime.date
    form: str = ""
    note: str = ""


class ExitOut(Schema):
    id: int
    member_id: int
    member_name: str
    organization_id: int
    kind: str
    date: datetime.date
    decision: str
    note: str
    case_id: int | None
    reversed_on: datetime.date | None


class ExitIn(Schema):
    member_id: int
    kind: str
    date: datetime.date
    decision: str = ""
    note: str = ""


class ExemptionOut(Schema):
    id: int
    member_id: int
    reason: str
    decision_number: str
    decided_by: str
    start: datetime.date
    end: datetime.date | None


class ExemptionIn(Schema):
    member_id: int
    reason: str
    start: datetime.date
    decision_number: str = ""
    decided_by: str = ""


class EndIn(Schema):
    end: datetime.date


def _case_out(case: DisciplineCase) -> dict:
    data = {f: getattr(case, f) for f in CaseOut.model_fields if hasattr(case, f) and f != "appeal_deadline"}
    data["appeal_deadline"] = services.appeal_deadline(case)
    data["final_form"] = case.final_form
    return data


def _exit_out(row: Exit) -> dict:
    return {
        **{f: getattr(row, f) for f in ExitOut.model_fields if f != "member_name"},
        "member_name": row.member.full_name,
    }


def _visible_case(request, case_id: int) -> DisciplineCase:
    return access.get_or_404(queries.cases(request.user), pk=case_id)


def _managed_case(request, case_id: int) -> DisciplineCase:
    case = _visible_case(request, case_id)
    if not queries.can_manage(request.user, case):
        raise Http404
    return case


@router.get("/cases", response=list[CaseOut])
def case_list(request, organization_id: int | None = None, member_id: int | None = None):
    """Cases in the subtree of an organisation, or of one member, that the caller may read."""
    rows = queries.cases(request.user)
    if organization_id is not None:
        org = access.get_or_404(access.organizations(request.user), pk=organization_id)
        rows = queries.subtree_cases(request.user, org)
    if member_id is not None:
        rows = rows.filter(member_id=member_id)
    rows = list(rows[:500])
    queries.log_read(request.user, rows, SensitiveAccess.Channel.API)
    return [_case_out(c) for c in rows]


@router.post("/cases", response={201: CaseOut})
def case_open(request, data: CaseIn):
    """Open a case against a member (`member_id`) or an organisation (`organization_id`)."""
    member = org = None
    if data.member_id is not None:
        member = access.get_or_404(access.members(request.user).select_related("organization"), pk=data.member_id)
        if not queries.can_open_for_member(request.user, member):
            raise Http404
    if data.organization_id is not None:
        org = access.get_or_404(access.organizations(request.user), pk=data.organization_id)
        if not queries.can_open_for_organization(request.user, org):
            raise Http404
    case = services.case_open(
        actor=request.user, member=member, organization=org, violation=data.violation, opened_on=data.opened_on
    )
    return Status(201, _case_out(case))


@router.get("/cases/{case_id}", response=CaseOut)
def case_detail(request, case_id: int):
    case = _visible_case(request, case_id)
    queries.log_read(request.user, [case], SensitiveAccess.Channel.API)
    return _case_out(case)


@router.post("/cases/{case_id}/decide", response=CaseOut)
def case_decide(request, case_id: int, data: DecideIn):
    """The decision after the vote: the cell's secret ballot (`motion_id`, closed and adopted) or
    the committee's counts checked against `discipline.vote_threshold`."""
    case = _managed_case(request, case_id)
    motion = None
    if data.motion_id is not None:
        motion = access.get_or_404(Motion.objects.filter(meeting__in=access.meetings(request.user)), pk=data.motion_id)
    fields = data.dict(exclude={"motion_id"})
    return _case_out(services.case_decide(actor=request.user, case=case, motion=motion, **fields))


@router.post("/cases/{case_id}/drop", response=CaseOut)
def case_drop(request, case_id: int, data: DropIn):
    return _case_out(services.case_drop(actor=request.user, case=_managed_case(request, case_id), note=data.note))


@router.post("/cases/{case_id}/notify", response=CaseOut)
def case_notify(request, case_id: int, data: NotifyIn):
    case = _managed_case(request, case_id)
    return _case_out(services.case_notify(actor=request.user, case=case, notified_on=data.notified_on))


@router.post("/cases/{case_id}/appeal", response=CaseOut)
def appeal_file(request, case_id: int, data: AppealIn):
    """Record an appeal (filed within `discipline.appeal_days` days of the notification)."""
    case = _managed_case(request, case_id)
    return _case_out(services.appeal_file(actor=request.user, case=case, filed_on=data.filed_on))


@router.post("/cases/{case_id}/appeal-decision", response=CaseOut)
def appeal_decide(request, case_id: int, data: AppealDecisionIn):
    case = _managed_case(request, case_id)
    return _case_out(services.appeal_decide(actor=request.user, case=case, **data.dict()))


@router.get("/exits", response=list[ExitOut])
def exit_list(request, organization_id: int, start: datetime.date | None = None, end: datetime.date | None = None):
    """Members who left from the subtree of an organisation in a period (by the day they left)."""
    org = access.get_or_404(access.organizations(request.user), pk=organization_id)
    if not access.covers(request.user, access.MEMBER_VIEW, org.path):
        raise Http404
    rows = queries.exit_list(request.user, org, start, end).select_related("member", "organization")[:1000]
    return [_exit_out(r) for r in queries.exits_shown(request.user, rows)]


@router.post("/exits", response={201: ExitOut})
def exit_record(request, data: ExitIn):
    """Death, removal from the rolls or resignation (expulsion comes from a discipline case)."""
    member = access.get_or_404(access.members(request.user, access.MEMBER_CHANGE), pk=data.member_id)
    row = services.exit_record(actor=request.user, **data.dict(exclude={"member_id"}), member=member)
    return Status(201, _exit_out(Exit.objects.select_related("member").get(pk=row.pk)))


@router.get("/exemptions", response=list[ExemptionOut])
def exemption_list(request, member_id: int):
    member = access.get_or_404(access.members(request.user), pk=member_id)
    return list(queries.exemptions(request.user).filter(member=member))


@router.post("/exemptions", response={201: ExemptionOut})
def exemption_grant(request, data: ExemptionIn):
    """Exempt an elderly or ill member from activities: status `exempt`, still counted."""
    member = access.get_or_404(access.members(request.user, access.MEMBER_CHANGE), pk=data.member_id)
    row = services.exemption_grant(actor=request.user, member=member, **data.dict(exclude={"member_id"}))
    return Status(201, row)


@router.post("/exemptions/{exemption_id}/end", response=ExemptionOut)
def exemption_end(request, exemption_id: int, data: EndIn):
    row = access.get_or_404(
        Exemption.objects.filter(member__in=access.members(request.user, access.MEMBER_CHANGE)), pk=exemption_id
    )
    return services.exemption_end(actor=request.user, exemption=row, end=data.end)
