"""Discipline, exemption and exit services: each change in one transaction with its audit event.

The member's status changes only through `members.services.member_status_change` (so the status
history and party age stay right); the discipline measures also go into the member record's
discipline table through `member_row_add`. Dissolving an organisation is left to the organisations
service (it needs an empty node): a dissolution decision is recorded here and links to it.
"""

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from handbook.audit.models import EventType
from handbook.audit.services import audit_record
from handbook.core.errors import RuleViolation
from handbook.meetings.models import Motion
from handbook.members import services as member_services
from handbook.members.models import DisciplineRecord, Member
from handbook.organizations.models import Organization
from handbook.rules import rulebook

from .models import DisciplineCase, Exemption, Exit

#: Rulebook form codes -> the member record's discipline table codes.
RECORD_FORMS = {
    "reprimand": DisciplineRecord.Form.REPRIMAND,
    "warning": DisciplineRecord.Form.WARNING,
    "removal_from_post": DisciplineRecord.Form.REMOVAL_FROM_POST,
    "expulsion": DisciplineRecord.Form.EXPULSION,
}
EXIT_STATUS = {
    Exit.Kind.DEATH: Member.Status.DECEASED,
    Exit.Kind.REMOVAL: Member.Status.REMOVED,
    Exit.Kind.EXPULSION: Member.Status.EXPELLED,
    Exit.Kind.RESIGNATION: Member.Status.REMOVED,
}


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _not_future(day: datetime.date | None, field: str) -> None:
    if day is not None and day > timezone.localdate():
        raise RuleViolation(_("This date is in the future."), code="future", field=field)


def _required(value: Any, field: str) -> None:
    if value in (None, ""):
        raise RuleViolation(_("This field is required."), code="required", field=field)


def _snapshot(case: DisciplineCase) -> dict:
    return {
        "case": case.pk,
        "member": case.member_id,
        "organization": case.organization_id,
        "state": case.state,
        "form": case.form,
        "appeal": case.appeal,
    }


def _lock(case: DisciplineCase) -> DisciplineCase:
    # Lock only the case row: PostgreSQL refuses FOR UPDATE on the outer-joined (nullable) member.
    return (
        DisciplineCase.objects.select_for_update(of=("self",)).select_related("member", "organization").get(pk=case.pk)
    )


def forms_for(case: DisciplineCase, rs) -> list[str]:
    key = "discipline.organization_forms" if case.against_organization else "discipline.member_forms"
    return list(rs.value(key))


def appeal_deadline(case: DisciplineCase) -> datetime.date | None:
    """The last day to appeal: `discipline.appeal_days` days after notification, under the rules
    the decision was made with."""
    if case.notified_on is None or case.rule_set is None:
        return None
    return case.notified_on + datetime.timedelta(days=case.rule_set.value("discipline.appeal_days"))


def appeal_in_time(*, notified_on: datetime.date, filed_on: datetime.date, days: int) -> bool:
    """An appeal counts if filed on the notification day or within `days` calendar days after it."""
    return notified_on <= filed_on <= notified_on + datetime.timedelta(days=days)


def vote_passes(*, votes_for: int, voters: int, rule: str) -> bool:
    """The committee's recorded counts meet the share `rule` of its members."""
    return votes_for >= rulebook.fraction_threshold(voters, rule)


# --- cases ----------------------------------------------------------------------------------------


@transaction.atomic
def case_open(
    *,
    actor: Any,
    violation: str,
    member: Member | None = None,
    organization: Organization | None = None,
    opened_on: datetime.date | None = None,
) -> DisciplineCase:
    """Open a case against a member (in their cell) or against an organisation."""
    violation = (violation or "").strip()
    if (member is None) == (organization is None):
        raise RuleViolation(_("Choose either a member or an organisation."), code="subject")
    if not violation:
        raise RuleViolation(_("Describe the violation."), code="required", field="violation")
    opened_on = opened_on or timezone.localdate()
    _not_future(opened_on, "opened_on")
    if member is not None:
        member = Member.objects.select_related("organization").get(pk=member.pk)
        if member.status not in Member.ON_ROLLS:
            raise RuleViolation(_("This member is no longer on the rolls."), code="not_on_rolls", field="member")
        unit = member.organization
    else:
        unit = organization
        if unit.status != Organization.Status.ACTIVE:
            raise RuleViolation(_("This organisation is no longer active."), code="inactive", field="organization")
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    case = DisciplineCase.objects.create(
        member=member,
        organization=unit,
        against_organization=member is None,
        violation=violation,
        opened_on=opened_on,
        opened_by=actor if is_user else None,
    )
    audit_record(actor=actor, event_type=EventType.DISCIPLINE_CASE_OPENED, obj=case, after=_snapshot(case))
    return case


def _check_vote(case: DisciplineCase, rs, motion, votes_for, votes_against, voters) -> int | None:
    """Accept the cell's secret ballot (closed, adopted) or the committee's counts against the
    rule's share; returns the votes needed (counts) or None (ballot)."""
    if motion is not None:
        motion = Motion.objects.select_related("meeting").get(pk=motion.pk)
        if motion.meeting.organization_id != case.organization_id:
            raise RuleViolation(_("The vote must be taken at a meeting of this organisation."), field="motion")
        if not motion.secret:
            raise RuleViolation(_("Discipline is decided by secret ballot."), code="not_secret", field="motion")
        if motion.state != Motion.State.CLOSED or not motion.result:
            raise RuleViolation(_("The vote is not closed yet."), code="vote_open", field="motion")
        if not motion.result.get("adopted"):
            raise RuleViolation(_("The vote did not pass: no discipline can be decided."), code="vote_failed")
        return None
    if votes_for is None or voters is None:
        raise RuleViolation(_("Record the vote: a secret ballot or the committee's counts."), field="votes_for")
    votes_against = votes_against or 0
    if voters < 1 or votes_for < 0 or votes_against < 0 or votes_for + votes_against > voters:
        raise RuleViolation(_("The votes cannot exceed the members of the voting body."), field="voters")
    rule = rs.value("discipline.vote_threshold")
    needed = rulebook.fraction_threshold(voters, rule)
    if not vote_passes(votes_for=votes_for, voters=voters, rule=rule):
        raise RuleViolation(
            _("The vote did not pass: %(needed)s of %(voters)s votes in favour are needed (%(rule)s).")
            % {"needed": needed, "voters": voters, "rule": rule},
            code="vote_failed",
            field="votes_for",
        )
    return needed


def _record_add(actor, case: DisciplineCase, form: str, on: datetime.date) -> DisciplineRecord:
    return member_services.member_row_add(
        actor=actor,
        member=case.member,
        table="discipline",
        date=on,
        form=RECORD_FORMS[form],
        reason=case.violation[:2000],
        decided_by=(case.decided_by or "-")[:200],
    )


@transaction.atomic
def case_decide(
    *,
    actor: Any,
    case: DisciplineCase,
    form: str,
    decided_by: str,
    decision_number: str,
    decision_date: datetime.date,
    effective_date: datetime.date | None = None,
    motion: Motion | None = None,
    votes_for: int | None = None,
    votes_against: int | None = None,
    voters: int | None = None,
) -> DisciplineCase:
    """The competent committee's decision after the vote; applies its effect on the member."""
    case = _lock(case)
    if case.state != DisciplineCase.State.OPEN:
        raise RuleViolation(_("This case is already closed."), code="state")
    decided_by, decision_number = _clean(decided_by), _clean(decision_number)
    _required(decided_by, "decided_by")
    _required(decision_number, "decision_number")
    _required(decision_date, "decision_date")
    effective_date = effective_date or decision_date
    _not_future(decision_date, "decision_date")
    _not_future(effective_date, "effective_date")
    if decision_date < case.opened_on:
        raise RuleViolation(_("The decision cannot precede the opening of the case."), field="decision_date")
    if effective_date < decision_date:
        raise RuleViolation(_("The discipline cannot take effect before the decision."), field="effective_date")
    rs = rulebook.for_organization(case.organization, on=decision_date)
    if form not in forms_for(case, rs):
        raise RuleViolation(_("This form of discipline is not in the rules."), code="bad_form", field="form")
    case.votes_needed = _check_vote(case, rs, motion, votes_for, votes_against, voters)
    case.motion = motion
    counts = (None, None, None) if motion else (votes_for, votes_against, voters)
    case.votes_for, case.votes_against, case.voters = counts
    case.form, case.decided_by, case.decision_number = form, decided_by[:200], decision_number[:60]
    case.decision_date, case.effective_date = decision_date, effective_date
    case.rule_set = rs
    case.state = DisciplineCase.State.DECIDED
    if case.member is not None:
        case.status_before = case.member.status
        case.record_row = _record_add(actor, case, form, effective_date)
    case.save()
    if case.member is not None and form == "expulsion":
        exit_record(
            actor=actor,
            member=case.member,
            kind=Exit.Kind.EXPULSION,
            date=effective_date,
            decision=f"{decision_number} ({decided_by})"[:120],
            case=case,
        )
    audit_record(
        actor=actor,
        event_type=EventType.DISCIPLINE_CASE_DECIDED,
        obj=case,
        after={
            **_snapshot(case),
            "decision_number": case.decision_number,
            "decision_date": decision_date,
            "effective_date": effective_date,
            "rule_set": rs.pk,
            "motion": motion.pk if motion else None,
            "votes": [votes_for, votes_against, voters] if motion is None else None,
        },
    )
    return case


@transaction.atomic
def case_drop(*, actor: Any, case: DisciplineCase, note: str = "") -> DisciplineCase:
    """Close an open case without discipline (the vote failed, or no violation was found)."""
    case = _lock(case)
    if case.state != DisciplineCase.State.OPEN:
        raise RuleViolation(_("This case is already closed."), code="state")
    case.state = DisciplineCase.State.DROPPED
    case.appeal_note = (note or "").strip()
    case.save(update_fields=["state", "appeal_note"])
    audit_record(actor=actor, event_type=EventType.DISCIPLINE_CASE_DROPPED, obj=case, after=_snapshot(case))
    return case


@transaction.atomic
def case_notify(*, actor: Any, case: DisciplineCase, notified_on: datetime.date) -> DisciplineCase:
    """The day the decision was handed to the member (or organisation): the appeal time runs from it."""
    case = _lock(case)
    if case.state != DisciplineCase.State.DECIDED:
        raise RuleViolation(_("Only a decided case can be notified."), code="state")
    _required(notified_on, "notified_on")
    _not_future(notified_on, "notified_on")
    if notified_on < case.decision_date:
        raise RuleViolation(_("The notification cannot precede the decision."), field="notified_on")
    if case.appeal:
        raise RuleViolation(_("An appeal has already been filed."), code="state")
    case.notified_on = notified_on
    case.save(update_fields=["notified_on"])
    audit_record(
        actor=actor, event_type=EventType.DISCIPLINE_CASE_NOTIFIED, obj=case, after={"notified_on": notified_on}
    )
    return case


@transaction.atomic
def appeal_file(*, actor: Any, case: DisciplineCase, filed_on: datetime.date) -> DisciplineCase:
    """Record an appeal; it must be filed within `discipline.appeal_days` days of notification."""
    case = _lock(case)
    if case.state != DisciplineCase.State.DECIDED:
        raise RuleViolation(_("Only a decided case can be appealed."), code="state")
    if case.appeal:
        raise RuleViolation(_("An appeal has already been filed."), code="state")
    if case.notified_on is None:
        raise RuleViolation(_("Record when the decision was notified first."), code="not_notified")
    _required(filed_on, "filed_on")
    _not_future(filed_on, "filed_on")
    deadline = appeal_deadline(case)
    if filed_on < case.notified_on:
        raise RuleViolation(_("The appeal cannot precede the notification."), field="filed_on")
    days = case.rule_set.value("discipline.appeal_days")
    if not appeal_in_time(notified_on=case.notified_on, filed_on=filed_on, days=days):
        raise RuleViolation(
            _("The appeal was filed after the deadline (%(date)s).") % {"date": deadline.strftime("%d/%m/%Y")},
            code="appeal_late",
            field="filed_on",
        )
    case.appeal = DisciplineCase.Appeal.PENDING
    case.appeal_filed_on = filed_on
    case.save(update_fields=["appeal", "appeal_filed_on"])
    audit_record(actor=actor, event_type=EventType.DISCIPLINE_APPEAL_FILED, obj=case, after={"filed_on": filed_on})
    return case


@transaction.atomic
def appeal_decide(
    *,
    actor: Any,
    case: DisciplineCase,
    outcome: str,
    decided_on: datetime.date,
    form: str = "",
    note: str = "",
) -> DisciplineCase:
    """The appeal's outcome: upheld, changed (to another form of the same rule set) or annulled.
    A member expelled and then not expelled gets back the status they had before."""
    case = _lock(case)
    if case.appeal != DisciplineCase.Appeal.PENDING:
        raise RuleViolation(_("There is no pending appeal."), code="state")
    outcomes = (DisciplineCase.Appeal.UPHELD, DisciplineCase.Appeal.CHANGED, DisciplineCase.Appeal.ANNULLED)
    if outcome not in outcomes:
        raise RuleViolation(_("Choose the outcome of the appeal."), field="outcome")
    _required(decided_on, "decided_on")
    _not_future(decided_on, "decided_on")
    if decided_on < case.appeal_filed_on:
        raise RuleViolation(_("The appeal cannot be decided before it was filed."), field="decided_on")
    form = form or ""
    if outcome == DisciplineCase.Appeal.CHANGED:
        if form not in forms_for(case, case.rule_set) or form == case.form:
            raise RuleViolation(_("Choose another form of discipline from the rules."), field="form")
    else:
        form = ""
    old_final = case.final_form
    case.appeal, case.appeal_form, case.appeal_decided_on = outcome, form, decided_on
    case.appeal_note = (note or "").strip()
    new_final = case.final_form
    if case.member is not None and new_final != old_final:
        if case.record_row_id:
            member_services.member_row_remove(
                actor=actor, member=case.member, table="discipline", row_id=case.record_row_id
            )
            case.record_row = None
        if new_final:
            case.record_row = _record_add(actor, case, new_final, decided_on)
        if old_final == "expulsion":
            Exit.objects.filter(case=case, reversed_on__isnull=True).update(reversed_on=decided_on)
            member_services.member_status_change(
                actor=actor,
                member=case.member,
                status=case.status_before or Member.Status.OFFICIAL,
                effective_date=decided_on,
                note=_("Expulsion revoked on appeal"),
            )
        elif new_final == "expulsion":
            exit_record(
                actor=actor,
                member=case.member,
                kind=Exit.Kind.EXPULSION,
                date=decided_on,
                decision=_("appeal decision"),
                case=case,
            )
    case.save()
    audit_record(
        actor=actor,
        event_type=EventType.DISCIPLINE_APPEAL_DECIDED,
        obj=case,
        before={"form": old_final},
        after={**_snapshot(case), "final_form": new_final, "decided_on": decided_on},
    )
    return case


# --- exemption ------------------------------------------------------------------------------------


@transaction.atomic
def exemption_grant(
    *,
    actor: Any,
    member: Member,
    reason: str,
    start: datetime.date,
    decision_number: str = "",
    decided_by: str = "",
) -> Exemption:
    """Exempt an elderly or ill member from work and meetings; they stay on the rolls and counted."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    reason = _clean(reason)
    _required(reason, "reason")
    _required(start, "start")
    _not_future(start, "start")
    if member.status not in (Member.Status.OFFICIAL, Member.Status.PROBATIONARY):
        raise RuleViolation(
            _("Only an official or probationary member can be exempted."), code="bad_status", field="member"
        )
    exemption = Exemption.objects.create(
        member=member,
        reason=reason[:300],
        start=start,
        decision_number=_clean(decision_number)[:60],
        decided_by=_clean(decided_by)[:200],
        status_before=member.status,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    member_services.member_status_change(
        actor=actor, member=member, status=Member.Status.EXEMPT, effective_date=start, note=reason
    )
    audit_record(
        actor=actor,
        event_type=EventType.EXEMPTION_GRANTED,
        obj=member,
        after={"exemption": exemption.pk, "start": start, "decision": exemption.decision_number},
    )
    return exemption


@transaction.atomic
def exemption_end(*, actor: Any, exemption: Exemption, end: datetime.date) -> Exemption:
    """End an exemption: the member returns to the status they had before it."""
    exemption = Exemption.objects.select_for_update().select_related("member").get(pk=exemption.pk)
    if exemption.end is not None:
        raise RuleViolation(_("This exemption has already ended."), code="state")
    _required(end, "end")
    if end < exemption.start:
        raise RuleViolation(_("The end cannot precede the start."), field="end")
    if exemption.member.status != Member.Status.EXEMPT:
        raise RuleViolation(_("The member is no longer exempt."), code="bad_status")
    exemption.end = end
    exemption.save(update_fields=["end"])
    member_services.member_status_change(
        actor=actor,
        member=exemption.member,
        status=exemption.status_before,
        effective_date=end,
        note=_("End of exemption from activities"),
    )
    audit_record(
        actor=actor, event_type=EventType.EXEMPTION_ENDED, obj=exemption.member, after={"exemption": exemption.pk}
    )
    return exemption


# --- exits ----------------------------------------------------------------------------------------


@transaction.atomic
def exit_record(
    *,
    actor: Any,
    member: Member,
    kind: str,
    date: datetime.date,
    decision: str = "",
    note: str = "",
    case: DisciplineCase | None = None,
) -> Exit:
    """A member leaves: the status becomes deceased, removed or expelled (a resignation is a
    removal with its reason); the record and its history stay."""
    member = Member.objects.select_for_update().select_related("organization").get(pk=member.pk)
    if kind not in Exit.Kind.values:
        raise RuleViolation(_("Choose how the member left."), field="kind")
    decision, note = _clean(decision), _clean(note)
    _required(date, "date")
    _not_future(date, "date")
    if kind in (Exit.Kind.REMOVAL, Exit.Kind.EXPULSION):
        _required(decision, "decision")
    if kind in (Exit.Kind.REMOVAL, Exit.Kind.RESIGNATION):
        _required(note, "note")
    if kind == Exit.Kind.EXPULSION and case is None:
        raise RuleViolation(_("Expulsion is decided in a discipline case."), code="needs_case", field="kind")
    if member.status not in Member.ON_ROLLS:
        raise RuleViolation(_("This member is no longer on the rolls."), code="not_on_rolls", field="member")
    row = Exit.objects.create(
        member=member,
        organization=member.organization,
        kind=kind,
        date=date,
        decision=decision[:120],
        note=note[:300],
        status_before=member.status,
        case=case,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    reason = Exit.Kind(kind).label if not note else f"{Exit.Kind(kind).label}: {note}"
    member_services.member_status_change(
        actor=actor, member=member, status=EXIT_STATUS[kind], effective_date=date, note=str(reason)
    )
    audit_record(
        actor=actor,
        event_type=EventType.MEMBER_EXITED,
        obj=member,
        after={"exit": row.pk, "kind": kind, "date": date, "decision": row.decision, "case": case.pk if case else None},
    )
    return row
