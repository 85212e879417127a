"""Every step of a transfer: issue, present, accept or return, cancel or expire, and the end of a
temporary transfer. Each runs in one transaction with its audit event; member changes go through
the member services (`member_move`, `member_status_change`)."""

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from handbook.audit.models import EventType
from handbook.audit.services import audit_record
from handbook.core import access
from handbook.core.errors import RuleViolation
from handbook.members import services as member_services
from handbook.members.models import Member
from handbook.members.validators import add_months
from handbook.organizations.models import Organization
from handbook.rules import rulebook

from . import notices
from .models import Transfer

#: Who can be sent: members on the rolls and taking part (not away, not exempt).
TRANSFERABLE = (Member.Status.PROBATIONARY, Member.Status.OFFICIAL)


# --- who may act ---------------------------------------------------------------------------------
def may_issue(user, member: Member) -> bool:
    """The sending committee: member and organisation rights over the member's cell (a cell
    secretary alone may not issue a letter)."""
    path = member.organization.path
    return access.covers(user, access.MEMBER_CHANGE, path) and access.covers(user, access.ORG_CHANGE, path)


def may_send(user, transfer: Transfer) -> bool:
    path = transfer.from_organization.path
    return access.covers(user, access.MEMBER_CHANGE, path) and access.covers(user, access.ORG_CHANGE, path)


def may_receive(user, transfer: Transfer) -> bool:
    """The receiving side: whoever may change members of the receiving cell (possibly in another
    province)."""
    return access.covers(user, access.MEMBER_CHANGE, transfer.to_organization.path)


def allowed_actions(user, transfer: Transfer, today: datetime.date) -> list[str]:
    """The steps this user may take on this transfer now (for pages and the API's output)."""
    actions = []
    send, receive = may_send(user, transfer), may_receive(user, transfer)
    if transfer.state == Transfer.State.ISSUED:
        if receive:
            actions += ["present", "return"]
        if send:
            actions.append("cancel")
            if today > transfer.present_by:
                actions.append("expire")
    elif transfer.state == Transfer.State.PRESENTED and receive:
        actions += ["accept", "return"]
    elif transfer.state == Transfer.State.ACCEPTED and transfer.is_temporary and (send or receive):
        actions.append("end")
    return actions


# --- rules ---------------------------------------------------------------------------------------
def period_problem(kind: str, start: datetime.date | None, end: datetime.date | None, rs) -> str | None:
    """Whether a temporary transfer's period fits the rules: at least `temporary_min_months` and
    under `temporary_max_months`; to study, up to `study_max_months`."""
    if kind == Transfer.Kind.OFFICIAL:
        return None
    if start is None or end is None:
        return _("A temporary transfer needs its start and end dates.")
    if end <= start:
        return _("The end must come after the start.")
    if kind == Transfer.Kind.STUDY:
        longest = rs.value("transfer.study_max_months")
        if end > add_months(start, longest):
            return _("A transfer to study lasts at most %(n)d months.") % {"n": longest}
        return None
    shortest = rs.value("transfer.temporary_min_months")
    longest = rs.value("transfer.temporary_max_months")
    if end < add_months(start, shortest):
        return _("A temporary transfer lasts at least %(n)d months.") % {"n": shortest}
    if end >= add_months(start, longest):
        return _("A temporary transfer lasts less than %(n)d months.") % {"n": longest}
    return None


def present_deadline(issued_on: datetime.date, rs) -> datetime.date:
    return rulebook.working_days_after(issued_on, rs.value("transfer.present_working_days"), rs)


def _not_future(day: datetime.date, field: str) -> None:
    if day > timezone.localdate():
        raise RuleViolation(_("This date is in the future."), code="future", field=field)


def _lock(transfer: Transfer) -> Transfer:
    return (
        Transfer.objects.select_for_update(of=("self",))
        .select_related("member", "from_organization", "to_organization", "rule_set")
        .get(pk=transfer.pk)
    )


def _require_state(transfer: Transfer, *states: str) -> None:
    if transfer.state not in states:
        raise RuleViolation(
            _("This transfer is “%(state)s”: that step is not possible now.") % {"state": transfer.get_state_display()},
            code="wrong_state",
        )


def _audit(actor, event: EventType, transfer: Transfer, before: dict | None, after: dict) -> None:
    audit_record(actor=actor, event_type=event, obj=transfer, before=before, after=after)


# --- steps ---------------------------------------------------------------------------------------
@transaction.atomic
def transfer_issue(
    *,
    actor: Any,
    member: Member,
    to_organization: Organization,
    kind: str,
    letter_number: str,
    issued_on: datetime.date,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    dues_paid_until: datetime.date | None = None,
    note: str = "",
) -> Transfer:
    """The sending committee issues the letter; the deadline to present it follows the rules in
    force for the sending cell on the day of issue."""
    member = Member.objects.select_for_update().select_related("organization").get(pk=member.pk)
    to_organization = Organization.objects.select_related("type").get(pk=to_organization.pk)
    if kind not in Transfer.Kind.values:
        raise RuleViolation(_("Choose the kind of transfer."), field="kind")
    letter_number = " ".join((letter_number or "").split())
    if not letter_number:
        raise RuleViolation(_("Enter the letter number."), field="letter_number")
    if member.status not in TRANSFERABLE:
        raise RuleViolation(
            _("Only official and probationary members taking part in a cell can be transferred."),
            code="not_transferable",
        )
    if not to_organization.type.holds_members or not to_organization.is_active:
        raise RuleViolation(_("Choose an active cell to receive the member."), field="to_organization")
    if to_organization.pk == member.organization_id:
        raise RuleViolation(_("The member already belongs to this cell."), field="to_organization", code="no_change")
    _not_future(issued_on, "issued_on")
    rs = rulebook.for_organization(member.organization, on=issued_on)
    problem = period_problem(kind, start, end, rs)
    if problem:
        raise RuleViolation(problem, field="end", code="period")
    if kind == Transfer.Kind.OFFICIAL:
        start = end = None
    try:
        with transaction.atomic():
            transfer = Transfer.objects.create(
                member=member,
                kind=kind,
                from_organization=member.organization,
                to_organization=to_organization,
                letter_number=letter_number[:40],
                issued_on=issued_on,
                issued_by=actor if getattr(actor, "is_authenticated", False) else None,
                present_by=present_deadline(issued_on, rs),
                start=start,
                end=end,
                dues_paid_until=dues_paid_until,
                note=(note or "")[:300],
                rule_set=rs,
            )
    except IntegrityError as exc:
        raise RuleViolation(_("This member already has a transfer under way."), code="already_open") from exc
    _audit(
        actor,
        EventType.TRANSFER_ISSUED,
        transfer,
        None,
        {
            "member_id": member.pk,
            "kind": kind,
            "from_organization_id": member.organization_id,
            "to_organization_id": to_organization.pk,
            "letter_number": transfer.letter_number,
            "issued_on": issued_on,
            "present_by": transfer.present_by,
            "start": start,
            "end": end,
            "rule_set_id": rs.pk,
        },
    )
    notices.issued(transfer, actor)
    return transfer


@transaction.atomic
def transfer_present(*, actor: Any, transfer: Transfer, presented_on: datetime.date) -> Transfer:
    """The receiving side records the day the member presented the letter (by the deadline)."""
    transfer = _lock(transfer)
    _require_state(transfer, Transfer.State.ISSUED)
    _not_future(presented_on, "presented_on")
    if presented_on < transfer.issued_on:
        raise RuleViolation(_("The letter cannot be presented before it was issued."), field="presented_on")
    if presented_on > transfer.present_by:
        raise RuleViolation(
            _("The deadline to present this letter was %(date)s: the sending committee must issue a new one.")
            % {"date": transfer.present_by.strftime("%d/%m/%Y")},
            code="late",
            field="presented_on",
        )
    transfer.state = Transfer.State.PRESENTED
    transfer.presented_on = presented_on
    transfer.save(update_fields=["state", "presented_on"])
    after = {"state": transfer.state, "presented_on": presented_on}
    _audit(actor, EventType.TRANSFER_PRESENTED, transfer, {"state": "issued"}, after)
    return transfer


@transaction.atomic
def transfer_accept(*, actor: Any, transfer: Transfer, accepted_on: datetime.date | None = None) -> Transfer:
    """The receiving organisation accepts. Official: the record (history, counters) moves to the
    receiving cell, its status unchanged. Temporary: the member stays on the home cell's roll,
    marked temporarily away, and attends the host cell."""
    transfer = _lock(transfer)
    accepted_on = accepted_on or timezone.localdate()
    _require_state(transfer, Transfer.State.PRESENTED)
    _not_future(accepted_on, "accepted_on")
    if accepted_on < transfer.presented_on:
        raise RuleViolation(_("A transfer cannot be accepted before it was presented."), field="accepted_on")
    member = transfer.member
    if member.organization_id != transfer.from_organization_id or member.status not in TRANSFERABLE:
        raise RuleViolation(
            _("The member's record changed since the letter was issued: return it and issue a new one."),
            code="member_changed",
        )
    to_org = Organization.objects.select_related("type").get(pk=transfer.to_organization_id)
    if not to_org.is_active:
        raise RuleViolation(_("The receiving cell is no longer active."), code="inactive")
    if transfer.kind == Transfer.Kind.OFFICIAL:
        member_services.member_move(actor=actor, member=member, organization=to_org)
    else:
        transfer.status_before = member.status
        member_services.member_status_change(
            actor=actor,
            member=member,
            status=Member.Status.TEMPORARILY_AWAY,
            effective_date=accepted_on,
            note=_("Temporary transfer %(number)s") % {"number": transfer.letter_number},
        )
    transfer.state = Transfer.State.ACCEPTED
    transfer.decided_on = accepted_on
    transfer.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    transfer.save(update_fields=["state", "decided_on", "decided_by", "status_before"])
    _audit(
        actor,
        EventType.TRANSFER_ACCEPTED,
        transfer,
        {"state": "presented"},
        {
            "state": transfer.state,
            "accepted_on": accepted_on,
            "kind": transfer.kind,
            "rule_set_id": transfer.rule_set_id,
        },
    )
    notices.decided(transfer, actor)
    return transfer


@transaction.atomic
def transfer_return(*, actor: Any, transfer: Transfer, reason: str) -> Transfer:
    """The receiving organisation sends the letter back, with its reason; the member stays."""
    transfer = _lock(transfer)
    _require_state(transfer, *Transfer.PENDING_STATES)
    reason = " ".join((reason or "").split())
    if not reason:
        raise RuleViolation(_("Give the reason for returning the transfer."), field="reason")
    before = transfer.state
    transfer.state = Transfer.State.RETURNED
    transfer.reason = reason[:300]
    transfer.decided_on = timezone.localdate()
    transfer.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    transfer.save(update_fields=["state", "reason", "decided_on", "decided_by"])
    _audit(actor, EventType.TRANSFER_RETURNED, transfer, {"state": before}, {"state": transfer.state, "reason": reason})
    notices.decided(transfer, actor)
    return transfer


@transaction.atomic
def transfer_cancel(*, actor: Any, transfer: Transfer, reason: str = "") -> Transfer:
    """The sending committee withdraws a letter that was not presented yet."""
    transfer = _lock(transfer)
    _require_state(transfer, Transfer.State.ISSUED)
    transfer.state = Transfer.State.CANCELLED
    transfer.reason = " ".join((reason or "").split())[:300]
    transfer.save(update_fields=["state", "reason"])
    after = {"state": transfer.state, "reason": transfer.reason}
    _audit(actor, EventType.TRANSFER_CANCELLED, transfer, {"state": "issued"}, after)
    notices.withdrawn(transfer, actor)
    return transfer


@transaction.atomic
def transfer_expire(*, actor: Any, transfer: Transfer) -> Transfer:
    """The sending committee closes a letter not presented by its deadline; the member stays."""
    transfer = _lock(transfer)
    _require_state(transfer, Transfer.State.ISSUED)
    if timezone.localdate() <= transfer.present_by:
        raise RuleViolation(_("The deadline to present this letter has not passed yet."), code="not_overdue")
    transfer.state = Transfer.State.EXPIRED
    transfer.save(update_fields=["state"])
    _audit(actor, EventType.TRANSFER_EXPIRED, transfer, {"state": "issued"}, {"state": transfer.state})
    notices.withdrawn(transfer, actor)
    return transfer


@transaction.atomic
def transfer_end(*, actor: Any, transfer: Transfer, ended_on: datetime.date | None = None) -> Transfer:
    """A temporary transfer ends: the member is back at the home cell with the status they had
    (unless their status changed meanwhile, e.g. by a discipline decision)."""
    transfer = _lock(transfer)
    ended_on = ended_on or timezone.localdate()
    _require_state(transfer, Transfer.State.ACCEPTED)
    if not transfer.is_temporary:
        raise RuleViolation(_("Only a temporary transfer ends."), code="wrong_kind")
    _not_future(ended_on, "ended_on")
    if ended_on < transfer.decided_on:
        raise RuleViolation(_("A transfer cannot end before it was accepted."), field="ended_on")
    member = Member.objects.get(pk=transfer.member_id)
    if member.status == Member.Status.TEMPORARILY_AWAY and transfer.status_before:
        member_services.member_status_change(
            actor=actor,
            member=member,
            status=transfer.status_before,
            effective_date=ended_on,
            note=_("Back from temporary transfer %(number)s") % {"number": transfer.letter_number},
        )
    transfer.state = Transfer.State.ENDED
    transfer.ended_on = ended_on
    transfer.save(update_fields=["state", "ended_on"])
    after = {"state": transfer.state, "ended_on": ended_on}
    _audit(actor, EventType.TRANSFER_ENDED, transfer, {"state": "accepted"}, after)
    return transfer
