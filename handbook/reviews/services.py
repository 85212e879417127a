"""Review workflow: open and close a period, then for each subject the self-assessment, the
proposal and the decision, in that order. Each step writes an audit event in its transaction.

Permission checks are here too (an `actor` of None is the system: demo data, imports), so a
page and the API cannot differ; views first fetch the subject through the scoped queries, so an
out-of-scope subject is a 404 before any of this runs."""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from handbook.audit.models import EventType
from handbook.audit.services import audit_record
from handbook.core.errors import RuleViolation
from handbook.members.models import Member
from handbook.organizations.models import Organization
from handbook.rules import rulebook

from . import levels, queries
from .models import Review, ReviewPeriod


def _require(actor, allowed: bool, message: str) -> None:
    if actor is not None and not allowed:
        raise PermissionDenied(message)


def _snapshot(review: Review) -> dict:
    return {
        "state": review.state,
        "self_score": review.self_score,
        "self_level": review.self_level,
        "proposed_score": review.proposed_score,
        "proposed_level": review.proposed_level,
        "final_score": review.final_score,
        "final_level": review.final_level,
        "decision_number": review.decision_number,
        "decision_date": review.decision_date,
    }


@transaction.atomic
def period_create(
    *,
    actor: Any,
    organization: Organization,
    title: str,
    kind: str,
    subject: str,
    year: int,
    deadline: datetime.date,
    quarter: int | None = None,
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
) -> ReviewPeriod:
    """Open a review period run by `organization`'s committee over its subtree. The rule set
    version in force for the organisation on the deadline fixes the scale and the levels."""
    _require(actor, queries.may_create_period(actor, organization), _("You cannot open reviews for this organisation."))
    title = (title or "").strip()
    errors = {}
    if not title:
        errors["title"] = _("Give the review a title.")
    if kind not in ReviewPeriod.Kind.values:
        errors["kind"] = _("Choose annual, quarterly or ad hoc.")
    if subject not in ReviewPeriod.Subject.values:
        errors["subject"] = _("Choose whether members or organisations are reviewed.")
    if not isinstance(year, int) or not 1930 <= year <= 2200:
        errors["year"] = _("Enter a year such as 2025.")
    if kind == ReviewPeriod.Kind.QUARTERLY:
        if quarter not in (1, 2, 3, 4):
            errors["quarter"] = _("A quarterly review needs a quarter from 1 to 4.")
    else:
        quarter = None
    if kind == ReviewPeriod.Kind.AD_HOC and not starts_on:
        errors["starts_on"] = _("An ad hoc review needs the first day it covers.")
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = _("The last day cannot be before the first day.")
    if deadline is None:
        errors["deadline"] = _("Give the deadline.")
    if not organization.is_active:
        errors["organization"] = _("This organisation is archived.")
    if errors:
        field, message = next(iter(errors.items()))
        raise RuleViolation(message, code="invalid_period", field=field, errors=errors)
    rs = rulebook.for_organization(organization, on=deadline)
    levels.bands(rs), levels.scale_max(rs)  # a set without review rules cannot run a review
    period = ReviewPeriod.objects.create(
        organization=organization,
        title=title[:200],
        kind=kind,
        subject=subject,
        year=year,
        quarter=quarter,
        starts_on=starts_on,
        ends_on=ends_on,
        deadline=deadline,
        rule_set=rs,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        actor=actor,
        event_type=EventType.REVIEW_PERIOD_OPENED,
        obj=period,
        after={
            "organization": organization.pk,
            "kind": kind,
            "subject": subject,
            "year": year,
            "quarter": quarter,
            "deadline": deadline,
            "rule_set": rs.pk,
        },
    )
    return period


@transaction.atomic
def period_close(*, actor: Any, period: ReviewPeriod) -> ReviewPeriod:
    """Close a period: no more self-assessments, proposals or decisions in it."""
    period = ReviewPeriod.objects.select_for_update().select_related("organization").get(pk=period.pk)
    _require(actor, queries.may_manage_period(actor, period), _("You cannot close this review."))
    if not period.is_open:
        raise RuleViolation(_("This review is already closed."), code="period_closed")
    period.status = ReviewPeriod.Status.CLOSED
    period.closed_at = timezone.now()
    period.save(update_fields=["status", "closed_at"])
    audit_record(actor=actor, event_type=EventType.REVIEW_PERIOD_CLOSED, obj=period, after={"status": period.status})
    return period


def _open_period(period: ReviewPeriod) -> ReviewPeriod:
    period = ReviewPeriod.objects.select_for_update().select_related("organization", "rule_set").get(pk=period.pk)
    if not period.is_open:
        raise RuleViolation(_("This review is closed: nothing can be changed in it."), code="period_closed")
    return period


def _check_subject(period: ReviewPeriod, subject) -> None:
    if not queries.in_period(period, subject):
        if isinstance(subject, Member):
            message = _("This member is not reviewed in this period.")
        else:
            message = _("This organisation is not reviewed in this period.")
        raise RuleViolation(message, code="not_in_period")


def _locked_review(period: ReviewPeriod, subject) -> Review | None:
    lookup = {"member": subject} if isinstance(subject, Member) else {"organization": subject}
    return Review.objects.select_for_update().filter(period=period, **lookup).first()


def _self_by(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


@transaction.atomic
def review_self_assess(
    *, actor: Any, period: ReviewPeriod, subject: Member | Organization, text: str, score: int | None = None
) -> Review:
    """Write (or rewrite, until the proposal) the subject's self-assessment and optional score."""
    period = _open_period(period)
    _check_subject(period, subject)
    _require(actor, queries.may_self_assess(actor, subject), _("You cannot write this self-assessment."))
    text = (text or "").strip()
    if not text:
        raise RuleViolation(_("Write the self-assessment."), code="self_text_missing", field="text")
    rs = period.rule_set
    self_level = ""
    if score is not None:
        levels.check_score(score, rs, field="score")
        self_level = levels.level_for(score, levels.bands(rs))
    review = _locked_review(period, subject)
    before = _snapshot(review) if review else None
    if review is not None and review.state != Review.State.SELF_ASSESSED:
        raise RuleViolation(
            _("The cell has already made its proposal: the self-assessment can no longer be changed."),
            code="already_proposed",
        )
    if review is None:
        review = Review(
            period=period, **({"member": subject} if isinstance(subject, Member) else {"organization": subject})
        )
    review.self_text = text
    review.self_score = score
    review.self_level = self_level
    review.self_by = _self_by(actor)
    review.self_at = timezone.now()
    review.state = Review.State.SELF_ASSESSED
    try:
        with transaction.atomic():
            review.save()
    except IntegrityError as exc:  # two first self-assessments at once
        raise RuleViolation(_("Someone else saved this review at the same time; try again."), code="conflict") from exc
    audit_record(
        actor=actor, event_type=EventType.REVIEW_SELF_ASSESSED, obj=review, before=before, after=_snapshot(review)
    )
    return review


@transaction.atomic
def review_propose(
    *,
    actor: Any,
    period: ReviewPeriod,
    subject: Member | Organization,
    score: int,
    level: str = "",
    reason: str = "",
) -> Review:
    """The cell's (or, for an organisation, the level above's) proposal: a score on the period's
    scale and a level, which is the score's band unless a reason is given."""
    period = _open_period(period)
    _check_subject(period, subject)
    _require(actor, queries.may_propose(actor, subject), _("You cannot make the proposal for this review."))
    review = _locked_review(period, subject)
    if review is None:
        raise RuleViolation(
            _("The self-assessment comes first: there is none yet to propose on."), code="no_self_assessment"
        )
    if review.state == Review.State.DECIDED:
        raise RuleViolation(_("The committee has already decided this review."), code="already_decided")
    rs = period.rule_set
    levels.check_score(score, rs)
    chosen = levels.resolve_level(score, level, reason, rs)
    before = _snapshot(review)
    review.proposed_score = score
    review.proposed_level = chosen
    review.proposal_reason = (reason or "").strip()
    review.proposed_by = _self_by(actor)
    review.proposed_at = timezone.now()
    review.state = Review.State.PROPOSED
    review.save()
    audit_record(actor=actor, event_type=EventType.REVIEW_PROPOSED, obj=review, before=before, after=_snapshot(review))
    return review


@transaction.atomic
def review_decide(
    *,
    actor: Any,
    period: ReviewPeriod,
    subject: Member | Organization,
    decision_number: str,
    decision_date: datetime.date,
    score: int | None = None,
    level: str = "",
    reason: str = "",
) -> Review:
    """The committee's decision: the final score (default: the proposal's) and level (default:
    the score's band; another level needs a reason), with the decision's number and date. Final."""
    period = _open_period(period)
    _check_subject(period, subject)
    _require(actor, queries.may_decide(actor, period), _("Only the committee running this review decides."))
    review = _locked_review(period, subject)
    if review is None or review.state == Review.State.SELF_ASSESSED:
        raise RuleViolation(
            _("The proposal comes first: the committee decides on the cell's proposal."), code="no_proposal"
        )
    if review.state == Review.State.DECIDED:
        raise RuleViolation(_("The committee has already decided this review."), code="already_decided")
    number = (decision_number or "").strip()
    errors = {}
    if not number:
        errors["decision_number"] = _("Give the decision's number.")
    if decision_date is None:
        errors["decision_date"] = _("Give the decision's date.")
    elif decision_date > timezone.localdate():
        errors["decision_date"] = _("The decision date cannot be in the future.")
    if errors:
        field, message = next(iter(errors.items()))
        raise RuleViolation(message, code="invalid_decision", field=field, errors=errors)
    rs = period.rule_set
    final_score = review.proposed_score if score is None else score
    levels.check_score(final_score, rs)
    if not level and score is None and review.proposed_level:
        level = review.proposed_level  # confirming the proposal as it stands
        if level != levels.level_for(final_score, levels.bands(rs)) and not reason:
            reason = review.proposal_reason
    chosen = levels.resolve_level(final_score, level, reason, rs)
    before = _snapshot(review)
    review.final_score = final_score
    review.final_level = chosen
    review.decision_reason = (reason or "").strip()
    review.decision_number = number[:50]
    review.decision_date = decision_date
    review.decided_by = _self_by(actor)
    review.decided_at = timezone.now()
    review.rule_set = rs
    review.state = Review.State.DECIDED
    review.save()
    audit_record(actor=actor, event_type=EventType.REVIEW_DECIDED, obj=review, before=before, after=_snapshot(review))
    return review
