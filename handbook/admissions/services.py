"""Admission services: candidates, cases and their steps, the cell's vote, targets and new party
organisations in non-state enterprises. Each writes its audit event in its own transaction.

Permissions are the caller's (views and API go through `queries`); these functions enforce the
rules: order of steps, dates, the rulebook's ages, validity, shares and deadlines.
"""

import datetime
import uuid
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from handbook.audit.models import EventType
from handbook.audit.services import audit_record
from handbook.core.errors import RuleViolation
from handbook.documents import files
from handbook.members import services as member_services
from handbook.members.models import Member, StatusChange
from handbook.organizations.models import Organization
from handbook.rules import rulebook

from . import dates
from .models import (
    STEP_ORDER,
    AdmissionCase,
    AdmissionStep,
    AdmissionTarget,
    Candidate,
    EnterpriseOrganization,
    Step,
)

#: Statuses in which a member counts as an official member (exempt members stay official).
OFFICIAL_STATUSES = (Member.Status.OFFICIAL, Member.Status.EXEMPT)


def _rules(org: Organization, on: datetime.date):
    """The rules in force for `org` on `on`; for a date before the first rules the application
    knows (a certificate or decision from earlier years entered now), the rules in force today."""
    try:
        return rulebook.for_organization(org, on=on)
    except RuleViolation as exc:
        if exc.code != "no_rules_in_force":
            raise
        return rulebook.for_organization(org)


def _fmt(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


# --- candidates -----------------------------------------------------------------------------


@transaction.atomic
def candidate_create(
    *,
    actor: Any,
    organization: Organization,
    full_name: str,
    date_of_birth: datetime.date,
    sex: str,
    category: str = Candidate.Category.OTHER,
    cccd: str = "",
    contact: str = "",
    notes: str = "",
) -> Candidate:
    full_name = " ".join((full_name or "").split())
    if not full_name:
        raise RuleViolation(_("Enter the full name."), code="required", field="full_name")
    if not organization.type.holds_members or organization.status != Organization.Status.ACTIVE:
        raise RuleViolation(_("Candidates belong to an active cell."), code="not_a_cell", field="organization")
    if category not in Candidate.Category.values:
        raise RuleViolation(_("Choose a category."), code="invalid", field="category")
    if sex not in Member.Sex.values:
        raise RuleViolation(_("Choose the sex."), code="invalid", field="sex")
    if date_of_birth > timezone.localdate():
        raise RuleViolation(_("The date of birth is in the future."), code="future_date", field="date_of_birth")
    cccd = (cccd or "").strip()
    if cccd and not (len(cccd) == 12 and cccd.isdigit()):
        raise RuleViolation(_("A citizen ID has exactly 12 digits."), code="invalid", field="cccd")
    candidate = Candidate.objects.create(
        organization=organization,
        full_name=full_name[:150],
        date_of_birth=date_of_birth,
        sex=sex,
        cccd=cccd,
        contact=(contact or "").strip()[:200],
        category=category,
        notes=notes or "",
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        actor=actor,
        event_type=EventType.CANDIDATE_CREATED,
        obj=candidate,
        after={"organization": organization.pk, "category": category},
    )
    return candidate


# --- cases ----------------------------------------------------------------------------------


@transaction.atomic
def case_open(*, actor: Any, candidate: Candidate) -> AdmissionCase:
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    if AdmissionCase.objects.filter(candidate=candidate, state=AdmissionCase.State.OPEN).exists():
        raise RuleViolation(_("This candidate already has an open admission case."), code="case_open")
    if AdmissionCase.objects.filter(candidate=candidate, state=AdmissionCase.State.COMPLETED).exists():
        raise RuleViolation(_("This candidate has already been admitted."), code="admitted")
    case = AdmissionCase.objects.create(candidate=candidate, organization_id=candidate.organization_id)
    audit_record(actor=actor, event_type=EventType.ADMISSION_CASE_OPENED, obj=case, after={"candidate": candidate.pk})
    return case


@transaction.atomic
def case_withdraw(*, actor: Any, case: AdmissionCase, reason: str) -> AdmissionCase:
    case = AdmissionCase.objects.select_for_update(of=("self",)).get(pk=case.pk)
    if case.state != AdmissionCase.State.OPEN:
        raise RuleViolation(_("Only a case in progress can be withdrawn."), code="state")
    if case.member_id:
        raise RuleViolation(
            _("The admission has been decided: the member's record changes through the member services now."),
            code="decided",
        )
    reason = " ".join((reason or "").split())
    if not reason:
        raise RuleViolation(_("Give the reason."), code="required", field="reason")
    case.state = AdmissionCase.State.WITHDRAWN
    case.withdrawn_reason = reason[:300]
    case.save(update_fields=["state", "withdrawn_reason"])
    audit_record(actor=actor, event_type=EventType.ADMISSION_CASE_WITHDRAWN, obj=case, after={"reason": reason})
    return case


def _check_certificate(case: AdmissionCase, on: datetime.date) -> None:
    if case.certificate_expires and on > case.certificate_expires:
        raise RuleViolation(
            _("The Party-awareness certificate expired on %(date)s: the candidate must take the course again.")
            % {"date": _fmt(case.certificate_expires)},
            code="certificate_expired",
        )


def _check_age(case: AdmissionCase, on: datetime.date, rs, approved: bool) -> None:
    age = dates.age_on(case.candidate.date_of_birth, on)
    youngest, oldest = rs.value("admission.age_min"), rs.value("admission.age_max")
    if age < youngest:
        raise RuleViolation(
            _("On %(date)s the applicant is %(age)s: the youngest age for admission is %(min)s.")
            % {"date": _fmt(on), "age": age, "min": youngest},
            code="too_young",
        )
    if age > oldest and not (approved or case.over_age_approved):
        raise RuleViolation(
            _("On %(date)s the applicant is %(age)s, older than %(max)s: a higher level must approve.")
            % {"date": _fmt(on), "age": age, "max": oldest},
            code="over_age",
            field="over_age_approved",
        )


def _official_on(member: Member, day: datetime.date) -> bool:
    """Whether the member was an official member on `day`, from the status history (or, for a
    record without history, from its status and official-membership date)."""
    last = (
        StatusChange.objects.filter(member=member, effective_date__lte=day)
        .order_by("-effective_date", "-pk")
        .values_list("status", flat=True)
        .first()
    )
    if last is not None:
        return last in OFFICIAL_STATUSES
    if StatusChange.objects.filter(member=member).exists():
        return False  # the history starts after `day`
    return member.status in OFFICIAL_STATUSES and (member.official_date is None or member.official_date <= day)


def _check_introducer(case: AdmissionCase, member: Member, since: datetime.date | None, rs, field: str) -> None:
    years = rs.value("admission.introducer_min_years")
    if member.organization_id != case.organization_id:
        raise RuleViolation(
            _("%(name)s is not a member of this cell.") % {"name": member.full_name},
            code="introducer_cell",
            field=field,
        )
    if not _official_on(member, case.application_date):
        raise RuleViolation(
            _("%(name)s was not an official member on the application date (%(date)s).")
            % {"name": member.full_name, "date": _fmt(case.application_date)},
            code="introducer_not_official",
            field=field,
        )
    if since is None:
        raise RuleViolation(_("Enter since when they worked with the applicant."), code="required", field=field)
    if not dates.worked_long_enough(since, case.application_date, years):
        raise RuleViolation(
            _("%(name)s had worked with the applicant for less than %(years)s year(s) on the application date.")
            % {"name": member.full_name, "years": years},
            code="introducer_too_recent",
            field=field,
        )


def _check_share(votes_for: int, votes_against: int, members: int, rule: str, what: str) -> None:
    if members < 1:
        raise RuleViolation(_("Enter how many members there are."), code="invalid", field="members")
    if votes_for + votes_against > members:
        raise RuleViolation(_("More votes than members."), code="invalid", field="votes_for")
    needed = rulebook.fraction_threshold(members, rule)
    if not dates.vote_passes(votes_for, members, rule):
        raise RuleViolation(
            _("%(what)s: %(for)s of %(members)s in favour, %(needed)s needed (%(rule)s).")
            % {"what": what, "for": votes_for, "members": members, "needed": needed, "rule": rule},
            code="vote_failed",
            field="votes_for",
        )


def _int(data: dict, key: str) -> int:
    value = data.get(key)
    if value in (None, ""):
        raise RuleViolation(_("This field is required."), code="required", field=key)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise RuleViolation(_("Enter a whole number."), code="invalid", field=key) from None
    if number < 0:
        raise RuleViolation(_("A count cannot be negative."), code="invalid", field=key)
    return number


def _text(data: dict, key: str, *, required: bool = True, limit: int = 100) -> str:
    value = " ".join(str(data.get(key) or "").split())
    if required and not value:
        raise RuleViolation(_("This field is required."), code="required", field=key)
    return value[:limit]


def _step_course(case, day, rs, data, actor):
    issued = data.get("certificate_issued") or day
    if issued < day:
        raise RuleViolation(
            _("The certificate cannot be issued before the course."), code="order", field="certificate_issued"
        )
    if issued > timezone.localdate():
        raise RuleViolation(_("The date is in the future."), code="future_date", field="certificate_issued")
    case.course_date = day
    case.certificate_number = _text(data, "certificate_number", limit=50)
    case.certificate_issued = issued
    issued_rs = _rules(case.organization, issued)
    case.certificate_expires = dates.certificate_expiry(
        issued, issued_rs.value("admission.awareness_certificate_months")
    )


def _step_application(case, day, rs, data, actor):
    if day < case.certificate_issued:
        raise RuleViolation(_("The application cannot come before the certificate."), code="order", field="date")
    _check_certificate(case, day)
    approved = bool(data.get("over_age_approved"))
    _check_age(case, day, rs, approved)
    case.application_date = day
    case.over_age_approved = case.over_age_approved or approved


#: Member-record fields the certified life history supplies (checked by the member services when
#: the record is created at the decision).
LIFE_HISTORY_FIELDS = (
    "birth_place",
    "hometown",
    "residence",
    "ethnicity",
    "religion",
    "phone",
    "general_education",
    "professional_qualification",
)


def _step_life_history(case, day, rs, data, actor):
    if not data.get("verified"):
        raise RuleViolation(
            _("The life history must be certified before the case can go on."), code="not_verified", field="verified"
        )
    case.life_history_date = day
    case.life_history_verified = True
    case.life_history = {
        field: " ".join(str(data.get(field) or "").split())
        for field in LIFE_HISTORY_FIELDS
        if str(data.get(field) or "").strip()
    }


def _step_introducers(case, day, rs, data, actor):
    first = data.get("introducer_1")
    second = data.get("introducer_2")
    youth = _text(data, "youth_union_resolution", required=False)
    if first is None:
        raise RuleViolation(_("Choose the first introducer."), code="required", field="introducer_1")
    _check_introducer(case, first, data.get("introducer_1_since"), rs, "introducer_1")
    if second is not None and youth:
        raise RuleViolation(
            _("Give a second introducer or a Youth Union resolution, not both."), code="invalid", field="introducer_2"
        )
    if second is None and not youth:
        raise RuleViolation(
            _("Two introducers are needed (a Youth Union resolution may replace one)."),
            code="required",
            field="introducer_2",
        )
    if second is not None:
        if second.pk == first.pk:
            raise RuleViolation(
                _("The two introducers must be different people."), code="invalid", field="introducer_2"
            )
        _check_introducer(case, second, data.get("introducer_2_since"), rs, "introducer_2")
    case.introducer_1, case.introducer_1_since = first, data.get("introducer_1_since")
    case.introducer_2 = second
    case.introducer_2_since = data.get("introducer_2_since") if second is not None else None
    case.youth_union_resolution = youth


def _step_verification(case, day, rs, data, actor):
    if not data.get("passed"):
        raise RuleViolation(
            _("The verification did not confirm the candidate: the case cannot go on (withdraw it)."),
            code="verification_failed",
            field="passed",
        )
    case.verification_date = day
    case.verification_result = _text(data, "result", required=False, limit=300)


def _step_cell_vote(case, day, rs, data, actor):
    _check_certificate(case, day)
    approved = bool(data.get("over_age_approved"))
    _check_age(case, day, rs, approved)
    case.over_age_approved = case.over_age_approved or approved
    rule = rs.value("admission.cell_vote_threshold")
    motion = case.cell_motion
    if motion is not None and motion.state == motion.State.CLOSED and motion.result:
        counts = motion.result.get("counts") or [0, 0]
        votes_for, against, members = counts[0], (counts[1] if len(counts) > 1 else 0), motion.denominator
    elif motion is not None and data.get("votes_for") in (None, ""):
        raise RuleViolation(
            _("The vote prepared at the meeting is not closed yet."), code="vote_not_closed", field="votes_for"
        )
    else:
        votes_for, against, members = _int(data, "votes_for"), _int(data, "votes_against"), _int(data, "members")
    _check_share(votes_for, against, members, rule, _("Cell vote"))
    case.cell_vote_date = day
    case.cell_votes_for, case.cell_votes_against, case.cell_members = votes_for, against, members


def _step_committee_vote(case, day, rs, data, actor):
    votes_for, against, members = _int(data, "votes_for"), _int(data, "votes_against"), _int(data, "members")
    _check_share(votes_for, against, members, rs.value("admission.committee_vote_threshold"), _("Committee vote"))
    case.committee_vote_date = day
    case.committee_votes_for, case.committee_votes_against, case.committee_members = votes_for, against, members


def _step_decision(case, day, rs, data, actor):
    decided_by = data.get("decided_by")
    if decided_by is None or not case.organization.path.startswith(decided_by.path) or decided_by == case.organization:
        raise RuleViolation(
            _("The decision is made by a committee above the cell."), code="invalid", field="decided_by"
        )
    candidate = case.candidate
    cccd = _text(data, "cccd", required=False, limit=12) or candidate.cccd
    if not cccd:
        raise RuleViolation(_("The member record needs the citizen ID."), code="required", field="cccd")
    if cccd != candidate.cccd:
        candidate.cccd = cccd
        candidate.save(update_fields=["cccd"])
    first = case.introducer_1.full_name if case.introducer_1 else ""
    if case.introducer_2 is not None:
        second = case.introducer_2.full_name
    else:
        second = _("Youth Union resolution %(number)s") % {"number": case.youth_union_resolution}
    member = member_services.member_create(
        actor=actor,
        organization=case.organization,
        status=Member.Status.PROBATIONARY,
        full_name=candidate.full_name,
        sex=candidate.sex,
        date_of_birth=candidate.date_of_birth,
        cccd=cccd,
        admission_date=day,
        admitting_organization=case.organization,
        introducer_1=first[:150],
        introducer_2=second[:150],
        **{field: value for field, value in case.life_history.items() if field in LIFE_HISTORY_FIELDS},
    )
    case.member = member
    case.decision_number = _text(data, "number", limit=50)
    case.decision_date = day
    case.decided_by = decided_by
    case.rule_set = rs
    case.ceremony_due = dates.ceremony_due(day, rs)


def _step_ceremony(case, day, rs, data, actor):
    case.ceremony_date = day
    case.state = AdmissionCase.State.COMPLETED


_STEPS = {
    Step.COURSE: _step_course,
    Step.APPLICATION: _step_application,
    Step.LIFE_HISTORY: _step_life_history,
    Step.INTRODUCERS: _step_introducers,
    Step.VERIFICATION: _step_verification,
    Step.CELL_VOTE: _step_cell_vote,
    Step.COMMITTEE_VOTE: _step_committee_vote,
    Step.DECISION: _step_decision,
    Step.CEREMONY: _step_ceremony,
}

#: Steps decided above the cell: committee staff (ORG_CHANGE over the cell), not the secretary.
COMMITTEE_STEPS = frozenset({Step.COMMITTEE_VOTE, Step.DECISION})


@transaction.atomic
def case_step_record(
    *,
    actor: Any,
    case: AdmissionCase,
    step: str,
    date: datetime.date,
    document: str = "",
    note: str = "",
    file: Any = None,
    **data: Any,
) -> AdmissionCase:
    """Record the next step of a case. `data` holds the step's own values (see the step forms);
    `file` an optional scan of the step's document (an uploaded file or bytes)."""
    case = (
        AdmissionCase.objects.select_for_update(of=("self",))
        .select_related("candidate", "organization", "cell_motion", "introducer_1", "introducer_2")
        .get(pk=case.pk)
    )
    if step not in _STEPS:
        raise RuleViolation(_("There is no such step."), code="unknown_step", field="step")
    if case.state != AdmissionCase.State.OPEN:
        raise RuleViolation(_("This case is closed."), code="state")
    expected = case.next_step
    if step != expected:
        raise RuleViolation(
            _("The next step of this case is “%(next)s”; “%(step)s” cannot be recorded now.")
            % {"next": Step(expected).label, "step": Step(step).label},
            code="order",
            field="step",
        )
    if date is None:
        raise RuleViolation(_("Enter the date."), code="required", field="date")
    if date > timezone.localdate():
        raise RuleViolation(_("The date is in the future."), code="future_date", field="date")
    if case.step_date and date < case.step_date:
        raise RuleViolation(
            _("This step cannot come before the previous one (%(date)s).") % {"date": _fmt(case.step_date)},
            code="order",
            field="date",
        )
    upload = _read_upload(file)
    rs = _rules(case.organization, date)
    before = {"step": case.step, "state": case.state}
    _STEPS[step](case, date, rs, data, actor)
    stored = ("", "", "")
    if upload is not None:
        content, name = upload
        _kind, content_type, extension = files.check(content)
        # Stored last, after every rule passed: only a failure of the two inserts below (or of
        # the caller's transaction) could leave an unreferenced file behind.
        stored = (_store(content, extension), content_type, name)
    case.step = step
    case.step_date = date
    case.save()
    AdmissionStep.objects.create(
        case=case,
        step=step,
        date=date,
        document=" ".join((document or "").split())[:200],
        note=" ".join((note or "").split())[:300],
        stored_name=stored[0],
        content_type=stored[1],
        original_name=stored[2][:200],
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        actor=actor,
        event_type=EventType.ADMISSION_STEP_RECORDED,
        obj=case,
        before=before,
        after={
            "step": step,
            "date": date,
            "state": case.state,
            "member": case.member_id,
            "rule_set": rs.pk,
            **({"late": case.held_late} if step == Step.CEREMONY else {}),
        },
    )
    return case


def _read_upload(file: Any) -> tuple[bytes, str] | None:
    if file is None:
        return None
    if isinstance(file, bytes):
        return file, "document"
    return file.read(), " ".join(str(getattr(file, "name", "") or "document").split())


def _store(content: bytes, extension: str) -> str:
    return default_storage.save(f"admissions/{uuid.uuid4().hex}.{extension}", ContentFile(content))


@transaction.atomic
def case_cell_motion_create(*, actor: Any, case: AdmissionCase, meeting) -> Any:
    """Prepare the cell's secret vote on the admission at one of the cell's meetings, with the
    "two thirds of the official members summoned" rule; the cell-vote step reads its result."""
    from handbook.meetings import votes
    from handbook.meetings.models import Motion

    case = AdmissionCase.objects.select_for_update(of=("self",)).select_related("candidate").get(pk=case.pk)
    if case.next_step != Step.CELL_VOTE:
        raise RuleViolation(_("The cell votes after the verification."), code="order")
    if meeting.organization_id != case.organization_id:
        raise RuleViolation(_("Choose a meeting of the candidate's cell."), code="invalid", field="meeting")
    if case.cell_motion_id and case.cell_motion.state != Motion.State.CLOSED:
        raise RuleViolation(_("A vote on this admission is already prepared."), code="vote_prepared")
    motion = votes.motion_create(
        actor=actor,
        meeting=meeting,
        title=_("Admit %(name)s to the Party") % {"name": case.candidate.full_name},
        secret=True,
        rule=Motion.Rule.TWO_THIRDS_OF_SUMMONED,
    )
    case.cell_motion = motion
    case.save(update_fields=["cell_motion"])
    audit_record(actor=actor, event_type=EventType.ADMISSION_VOTE_PREPARED, obj=case, after={"motion": motion.pk})
    return motion


# --- targets --------------------------------------------------------------------------------


def membership_at_start(organization: Organization, year: int) -> int:
    """Members on the rolls under the subtree who were admitted before 1 January of `year` (or
    whose admission date is unknown): one indexed count."""
    from django.db.models import Q

    from handbook.organizations.paths import subtree_q

    start = datetime.date(year, 1, 1)
    return (
        Member.objects.filter(subtree_q(organization.path, "organization__path"), status__in=Member.ON_ROLLS)
        .filter(Q(admission_date__lt=start) | Q(admission_date__isnull=True))
        .count()
    )


@transaction.atomic
def target_set(
    *,
    actor: Any,
    organization: Organization,
    year: int,
    number: int | None = None,
    percent: Decimal | None = None,
    by_category: dict | None = None,
    enterprise_organizations: int | None = None,
) -> AdmissionTarget:
    """Set (or replace) an organisation's admission target for a year."""
    if not 2000 <= int(year) <= 2100:
        raise RuleViolation(_("Enter a year between 2000 and 2100."), code="invalid", field="year")
    if (number is None) == (percent is None):
        raise RuleViolation(
            _("Give either a number of members or a percentage of the membership."), code="invalid", field="number"
        )
    if percent is not None and not (Decimal(0) < Decimal(percent) <= Decimal(100)):
        raise RuleViolation(_("The percentage must be above 0 and at most 100."), code="invalid", field="percent")
    clean: dict[str, int] = {}
    for code, value in (by_category or {}).items():
        if code not in Candidate.Category.values:
            raise RuleViolation(
                _("There is no category “%(code)s”.") % {"code": code}, code="invalid", field="by_category"
            )
        if value in (None, ""):
            continue
        if int(value) < 0:
            raise RuleViolation(_("A count cannot be negative."), code="invalid", field="by_category")
        clean[code] = int(value)
    target = AdmissionTarget.objects.select_for_update().filter(organization=organization, year=year).first()
    before = None
    if target is None:
        target = AdmissionTarget(organization=organization, year=year)
    else:
        before = {"number": target.number, "percent": target.percent, "by_category": target.by_category}
    target.number = number
    target.percent = Decimal(percent) if percent is not None else None
    target.base_membership = membership_at_start(organization, year) if percent is not None else None
    target.by_category = clean
    target.enterprise_organizations = enterprise_organizations
    target.created_by = actor if getattr(actor, "is_authenticated", False) else None
    target.save()
    audit_record(
        actor=actor,
        event_type=EventType.ADMISSION_TARGET_SET,
        obj=target,
        before=before,
        after={
            "year": year,
            "number": number,
            "percent": percent,
            "base_membership": target.base_membership,
            "by_category": clean,
            "enterprise_organizations": enterprise_organizations,
        },
    )
    return target


@transaction.atomic
def enterprise_organization_record(
    *, actor: Any, organization: Organization, name: str, founded_on: datetime.date, enterprise: str = ""
) -> EnterpriseOrganization:
    name = " ".join((name or "").split())
    if not name:
        raise RuleViolation(_("Enter the name."), code="required", field="name")
    if founded_on > timezone.localdate():
        raise RuleViolation(_("The date is in the future."), code="future_date", field="founded_on")
    row = EnterpriseOrganization.objects.create(
        organization=organization,
        name=name[:200],
        enterprise=" ".join((enterprise or "").split())[:200],
        founded_on=founded_on,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        actor=actor,
        event_type=EventType.ENTERPRISE_ORGANIZATION_RECORDED,
        obj=row,
        after={"organization": organization.pk, "founded_on": founded_on},
    )
    return row


__all__ = [
    "COMMITTEE_STEPS",
    "STEP_ORDER",
    "candidate_create",
    "case_cell_motion_create",
    "case_open",
    "case_step_record",
    "case_withdraw",
    "enterprise_organization_record",
    "membership_at_start",
    "target_set",
]
