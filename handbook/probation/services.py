"""Deciding the end of probation: recognition as an official member, or removal from the rolls."""

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
from handbook.members.models import Member
from handbook.rules import rulebook

from .dates import probation_for
from .models import Recognition


def _vote_from_motion(motion: Motion, member: Member) -> tuple[int, int, int]:
    if motion.meeting.organization_id != member.organization_id:
        raise RuleViolation(_("The vote must be taken at a meeting of the member's cell."), field="motion")
    if not motion.secret:
        raise RuleViolation(_("A vote on a person is taken by secret ballot."), code="not_secret", field="motion")
    if Recognition.objects.filter(motion=motion).exclude(member=member).exists():
        raise RuleViolation(
            _("This vote already decided another member's probation; each member needs their own vote."),
            code="motion_used",
            field="motion",
        )
    if motion.state != Motion.State.CLOSED or not motion.result:
        raise RuleViolation(_("The vote is not closed yet."), code="vote_open", field="motion")
    counts = motion.result.get("counts") or [0]
    return counts[0], (counts[1] if len(counts) > 1 else 0), motion.result.get("denominator", 0)


def _vote_counts(votes_for: int | None, votes_against: int | None, eligible: int | None) -> tuple[int, int, int]:
    if votes_for is None or eligible is None:
        raise RuleViolation(
            _("Choose the cell's vote, or enter the votes in favour and the number who could vote."),
            code="vote_missing",
            field="votes_for",
        )
    votes_against = votes_against or 0
    if min(votes_for, votes_against) < 0 or eligible < 1:
        raise RuleViolation(_("Enter the counts from the minutes."), field="eligible")
    if votes_for + votes_against > eligible:
        raise RuleViolation(_("More votes than members who could vote."), code="too_many_votes", field="votes_for")
    return votes_for, votes_against, eligible


def cell_vote(votes_for: int, eligible: int, rule: str) -> tuple[int, bool]:
    """The votes needed out of `eligible` (the official members who could vote: the meeting's
    frozen denominator) under the share `rule`, and whether `votes_for` reaches it."""
    needed = rulebook.fraction_threshold(eligible, rule)
    return needed, votes_for >= needed


@transaction.atomic
def recognition_decide(
    *,
    actor: Any,
    member: Member,
    outcome: str,
    decision_number: str,
    decision_date: datetime.date,
    motion: Motion | None = None,
    votes_for: int | None = None,
    votes_against: int | None = None,
    eligible: int | None = None,
    reason: str = "",
) -> Recognition:
    """Record the cell's vote and the committee's decision on a probationary member.

    Recognised: official membership from the day probation ends (the record's official date),
    which needs the cell's vote to reach `admission.cell_vote_threshold` of the official members
    who could vote. Removed: off the rolls from the decision date, with the reason.
    """
    member = Member.objects.select_for_update().select_related("organization").get(pk=member.pk)
    if member.status != Member.Status.PROBATIONARY:
        raise RuleViolation(_("Only a probationary member can be recognised."), code="not_probationary")
    if member.admission_date is None:
        raise RuleViolation(
            _("The record has no admission date; enter it first."), code="no_admission", field="admission_date"
        )
    if outcome not in Recognition.Outcome.values:
        raise RuleViolation(_("Choose the outcome."), field="outcome")
    decision_number = " ".join((decision_number or "").split())
    if not decision_number:
        raise RuleViolation(_("Enter the decision number."), field="decision_number")
    reason = (reason or "").strip()
    today = timezone.localdate()
    if decision_date > today:
        raise RuleViolation(_("This date is in the future."), code="future", field="decision_date")
    rs = rulebook.for_organization(member.organization, on=decision_date)
    probation = probation_for(member.admission_date, rs)
    if decision_date < probation.ends:
        raise RuleViolation(
            _("The probation runs until %(date)s.") % {"date": probation.ends.strftime("%d/%m/%Y")},
            code="probation_running",
            field="decision_date",
        )
    if motion is not None:
        motion = Motion.objects.select_related("meeting").get(pk=motion.pk)
        votes_for, votes_against, eligible = _vote_from_motion(motion, member)
    else:
        votes_for, votes_against, eligible = _vote_counts(votes_for, votes_against, eligible)
    needed, passed = cell_vote(votes_for, eligible, rs.value("admission.cell_vote_threshold"))
    if outcome == Recognition.Outcome.RECOGNISED and not passed:
        raise RuleViolation(
            _("The cell's vote did not pass: %(for)s in favour, %(needed)s needed.")
            % {"for": votes_for, "needed": needed},
            code="vote_failed",
            field="votes_for",
        )
    if outcome == Recognition.Outcome.REMOVED and not reason:
        raise RuleViolation(_("Give the reason for the removal."), field="reason")
    recognition = Recognition.objects.create(
        member=member,
        organization=member.organization,
        admission_date=member.admission_date,
        probation_end=probation.ends,
        decision_due=probation.decision_due,
        motion=motion,
        votes_for=votes_for,
        votes_against=votes_against,
        eligible=eligible,
        votes_needed=needed,
        vote_passed=passed,
        outcome=outcome,
        decision_number=decision_number[:50],
        decision_date=decision_date,
        reason=reason,
        late=decision_date > probation.decision_due,
        rule_set=rs,
        decided_by=actor if getattr(actor, "pk", None) else None,
    )
    note = _("Decision %(number)s of %(date)s") % {
        "number": recognition.decision_number,
        "date": decision_date.strftime("%d/%m/%Y"),
    }
    if outcome == Recognition.Outcome.RECOGNISED:
        member_services.member_update(actor=actor, member=member, official_date=probation.ends)
        member_services.member_status_change(
            actor=actor, member=member, status=Member.Status.OFFICIAL, effective_date=probation.ends, note=note
        )
    else:
        member_services.member_status_change(
            actor=actor, member=member, status=Member.Status.REMOVED, effective_date=decision_date, note=note
        )
    audit_record(
        actor=actor,
        event_type=EventType.RECOGNITION_DECIDED,
        obj=member,
        after={
            "recognition": recognition.pk,
            "outcome": outcome,
            "decision_number": recognition.decision_number,
            "decision_date": decision_date,
            "votes_for": votes_for,
            "eligible": eligible,
            "needed": needed,
            "rule_set": rs.pk,
            "late": recognition.late,
        },
    )
    return recognition
