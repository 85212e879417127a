"""Recording a party badge award."""

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from handbook.audit.models import EventType
from handbook.audit.services import audit_record
from handbook.core.errors import RuleViolation
from handbook.members import services as member_services
from handbook.members.models import Badge, Member, StatusChange
from handbook.rules import rulebook

from .dates import early_months, eligibility, milestone_date
from .models import BadgeAward
from .queries import AWARDABLE


@transaction.atomic
def badge_award(
    *,
    actor: Any,
    member: Member,
    years: int,
    award_date: datetime.date,
    decision_number: str,
    decision_date: datetime.date,
    early_reason: str = "",
) -> BadgeAward:
    """Award the `years` badge for the occasion on `award_date`. The member must reach the
    milestone by then — or, with a reason (serious illness), within the early months the rules
    allow for that badge — and not hold it yet. Writes the record's badge row too."""
    member = Member.objects.select_for_update().select_related("organization").get(pk=member.pk)
    if member.status not in AWARDABLE:
        raise RuleViolation(
            _("Only members on the rolls who are no longer probationary receive badges."), code="status"
        )
    decision_number = " ".join((decision_number or "").split())
    if not decision_number:
        raise RuleViolation(_("Enter the decision number."), field="decision_number")
    if decision_date > timezone.localdate():
        raise RuleViolation(_("This date is in the future."), code="future", field="decision_date")
    rs = rulebook.for_organization(member.organization, on=decision_date)
    if years not in rs.value("badges.milestones"):
        raise RuleViolation(_("There is no badge for %(years)s years.") % {"years": years}, field="years")
    if (
        Badge.objects.filter(member=member, years__gte=years).exists()
        or BadgeAward.objects.filter(member=member, years__gte=years).exists()
    ):
        raise RuleViolation(_("The member already holds this badge or a higher one."), code="duplicate", field="years")
    history = list(StatusChange.objects.filter(member=member).values_list("effective_date", "status"))
    reach = milestone_date(member.admission_date, history, years)
    state = eligibility(reach, award_date, early_months(years, rs.value("badges.early_months")))
    if state is None:
        raise RuleViolation(
            _("The member does not reach %(years)s years of party age by %(date)s.")
            % {"years": years, "date": award_date.strftime("%d/%m/%Y")},
            code="not_reached",
            field="years",
        )
    early_reason = " ".join((early_reason or "").split())[:300]
    if state == "early" and not early_reason:
        raise RuleViolation(
            _("The milestone is reached on %(date)s: an early award needs the reason (serious illness).")
            % {"date": reach.strftime("%d/%m/%Y")},
            code="early_reason_missing",
            field="early_reason",
        )
    badge = None
    if years in dict(Badge.YEARS):
        badge = member_services.member_row_add(
            actor=actor, member=member, table="badges", years=years, awarded_on=decision_date
        )
    award = BadgeAward.objects.create(
        member=member,
        organization=member.organization,
        years=years,
        award_date=award_date,
        reaches_on=reach,
        early=state == "early",
        early_reason=early_reason if state == "early" else "",
        decision_number=decision_number[:50],
        decision_date=decision_date,
        badge=badge,
        rule_set=rs,
        awarded_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        actor=actor,
        event_type=EventType.BADGE_AWARDED,
        obj=member,
        after={
            "award": award.pk,
            "years": years,
            "award_date": award_date,
            "reaches_on": reach,
            "early": award.early,
            "early_reason": award.early_reason,
            "decision_number": award.decision_number,
            "rule_set": rs.pk,
        },
    )
    return award
