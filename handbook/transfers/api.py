"""API for transfers: the lists of a subtree, a member's transfers, one transfer, issuing a letter
and each later step as its own operation. The same services and scoped queries as the pages."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from handbook.core import access

from . import forms, queries, services
from .models import Transfer

router = Router(tags=["transfers"])


class MemberSummary(Schema):
    id: int
    full_name: str
    sex: str
    date_of_birth: datetime.date
    status: str
    admission_date: datetime.date | None
    official_date: datetime.date | None
    card_number: str | None
    record_number: str


class TransferOut(Schema):
    id: int
    member_id: int
    member_name: str
    kind: str
    state: str
    from_organization_id: int
    to_organization_id: int
    letter_number: str
    issued_on: datetime.date
    present_by: datetime.date
    presented_on: datetime.date | None
    decided_on: datetime.date | None
    reason: str
    start: datetime.date | None
    end: datetime.date | None
    ended_on: datetime.date | None
    dues_paid_until: datetime.date | None
    rule_set_version_id: int
    overdue: bool
    actions: list[str]
    member: MemberSummary | None = None


class IssueIn(Schema):
    member_id: int
    to_organization_id: int
    kind: Transfer.Kind
    letter_number: str
    issued_on: datetime.date | None = None
    start: datetime.date | None = None
    end: datetime.date | None = None
    dues_paid_until: datetime.date | None = None
    note: str = ""


class PresentIn(Schema):
    presented_on: datetime.date | None = None


class AcceptIn(Schema):
    accepted_on: datetime.date | None = None


class ReasonIn(Schema):
    reason: str = ""


class EndIn(Schema):
    ended_on: datetime.date | None = None


def _out(user, t: Transfer, *, summary: bool = False) -> dict:
    today = timezone.localdate()
    out = {
        "id": t.pk,
        "member_id": t.member_id,
        "member_name": t.member.full_name,
        "kind": t.kind,
        "state": t.state,
        "from_organization_id": t.from_organization_id,
        "to_organization_id": t.to_organization_id,
        "letter_number": t.letter_number,
        "issued_on": t.issued_on,
        "present_by": t.present_by,
        "presented_on": t.presented_on,
        "decided_on": t.decided_on,
        "reason": t.reason,
        "start": t.start,
        "end": t.end,
        "ended_on": t.ended_on,
        "dues_paid_until": t.dues_paid_until,
        "rule_set_version_id": t.rule_set_id,
        "overdue": t.is_overdue(today),
        "actions": services.allowed_actions(user, t, today),
        "member": None,
    }
    if summary and queries.sees_summary(user, t):
        m = t.member
        out["member"] = {
            "id": m.pk,
            "full_name": m.full_name,
            "sex": m.sex,
            "date_of_birth": m.date_of_birth,
            "status": m.status,
            "admission_date": m.admission_date,
            "official_date": m.official_date,
            "card_number": m.card_number,
            "record_number": m.record_number,
        }
    return out


@router.get("", response=list[TransferOut])
def transfer_list(
    request,
    organization_id: int | None = None,
    list: str = "outgoing",  # noqa: A002 - the public query parameter's name
    member_id: int | None = None,
    limit: int = 100,
    offset: int = 0,
):
    """`member_id`: that member's transfers. Otherwise `organization_id` with `list` one of
    outgoing, incoming, overdue, attending (members temporarily attending the subtree's cells)."""
    limit = max(1, min(limit, 500))
    if member_id is not None:
        member = access.get_or_404(access.members(request.user), pk=member_id)
        rows = queries.for_member(request.user, member)
    else:
        if organization_id is None or list not in queries.LISTS:
            raise HttpError(400, _("Give organization_id and a list: outgoing, incoming, overdue or attending."))
        org = access.get_or_404(access.organizations(request.user), pk=organization_id)
        rows = queries.for_subtree(request.user, org, list, timezone.localdate())
    return [_out(request.user, t) for t in rows[offset : offset + limit]]


@router.get("/{transfer_id}", response=TransferOut)
def transfer_detail(request, transfer_id: int):
    """One transfer; `member` (the record summary) for the sending side, the member, and the
    receiving side once the letter was presented."""
    t = access.get_or_404(queries.visible(request.user), pk=transfer_id)
    return _out(request.user, t, summary=True)


@router.post("", response={201: TransferOut})
def transfer_issue(request, data: IssueIn):
    member = access.get_or_404(
        access.members(request.user, access.MEMBER_CHANGE).select_related("organization"), pk=data.member_id
    )
    if not services.may_issue(request.user, member):
        raise HttpError(403, _("Only the sending committee issues a transfer letter."))
    to_org = access.get_or_404(forms.receiving_cells().select_related("type"), pk=data.to_organization_id)
    t = services.transfer_issue(
        actor=request.user,
        member=member,
        to_organization=to_org,
        kind=data.kind,
        letter_number=data.letter_number,
        issued_on=data.issued_on or timezone.localdate(),
        start=data.start,
        end=data.end,
        dues_paid_until=data.dues_paid_until,
        note=data.note,
    )
    return Status(201, _out(request.user, _reload(t), summary=True))


def _reload(t: Transfer) -> Transfer:
    return Transfer.objects.select_related("member", "from_organization", "to_organization").get(pk=t.pk)


def _for_step(request, transfer_id: int, *, receive: bool = False, send: bool = False) -> Transfer:
    t = access.get_or_404(queries.visible(request.user), pk=transfer_id)
    allowed = (receive and services.may_receive(request.user, t)) or (send and services.may_send(request.user, t))
    if not allowed:
        raise HttpError(403, _("You cannot take this step on this transfer."))
    return t


@router.post("/{transfer_id}/present", response=TransferOut)
def transfer_present(request, transfer_id: int, data: PresentIn):
    """The receiving side records that the member presented the letter."""
    t = _for_step(request, transfer_id, receive=True)
    services.transfer_present(actor=request.user, transfer=t, presented_on=data.presented_on or timezone.localdate())
    return _out(request.user, _reload(t), summary=True)


@router.post("/{transfer_id}/accept", response=TransferOut)
def transfer_accept(request, transfer_id: int, data: AcceptIn):
    t = _for_step(request, transfer_id, receive=True)
    services.transfer_accept(actor=request.user, transfer=t, accepted_on=data.accepted_on)
    return _out(request.user, _reload(t), summary=True)


@router.post("/{transfer_id}/return", response=TransferOut)
def transfer_return(request, transfer_id: int, data: ReasonIn):
    t = _for_step(request, transfer_id, receive=True)
    services.transfer_return(actor=request.user, transfer=t, reason=data.reason)
    return _out(request.user, _reload(t), summary=True)


@router.post("/{transfer_id}/cancel", response=TransferOut)
def transfer_cancel(request, transfer_id: int, data: ReasonIn):
    t = _for_step(request, transfer_id, send=True)
    services.transfer_cancel(actor=request.user, transfer=t, reason=data.reason)
    return _out(request.user, _reload(t), summary=True)


@router.post("/{transfer_id}/expire", response=TransferOut)
def transfer_expire(request, transfer_id: int):
    t = _for_step(request, transfer_id, send=True)
    services.transfer_expire(actor=request.user, transfer=t)
    return _out(request.user, _reload(t), summary=True)


@router.post("/{transfer_id}/end", response=TransferOut)
def transfer_end(request, transfer_id: int, data: EndIn):
    """A temporary transfer ends: the member is back at the home cell."""
    t = _for_step(request, transfer_id, receive=True, send=True)
    services.transfer_end(actor=request.user, transfer=t, ended_on=data.ended_on)
    return _out(request.user, _reload(t), summary=True)
