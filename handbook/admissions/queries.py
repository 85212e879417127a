"""Scoped reads for admissions: who sees and changes which candidates and cases, the pipeline with
its overdue steps, and the progress of a subtree against its yearly target (set-based queries)."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import BooleanField, Case, Count, Q, QuerySet, Value, When
from django.db.models.functions import Substr
from django.utils import timezone

from handbook.core import access
from handbook.members.models import Member
from handbook.organizations.models import Organization
from handbook.organizations.paths import subtree_q
from handbook.rules import rulebook

from .models import AdmissionCase, AdmissionTarget, Candidate, EnterpriseOrganization, Step
from .services import COMMITTEE_STEPS

# Candidates and cases carry personal data: they follow the member permissions of the cell.


def viewable_organizations(user) -> QuerySet:
    return access.organizations(user, access.MEMBER_VIEW)


def candidates(user, *, manage: bool = False) -> QuerySet:
    orgs = access.organizations(user, access.MEMBER_CHANGE if manage else access.MEMBER_VIEW)
    return Candidate.objects.filter(organization__in=orgs.values("pk"))


def cases(user, *, manage: bool = False) -> QuerySet:
    orgs = access.organizations(user, access.MEMBER_CHANGE if manage else access.MEMBER_VIEW)
    return AdmissionCase.objects.filter(organization__in=orgs.values("pk"))


#: Categories that reveal protected information (religion): shown per person only to roles with
#: the sensitive-data permission over the cell; counts per category stay visible.
SENSITIVE_CATEGORIES = frozenset({Candidate.Category.RELIGIOUS})


def shown_category(user, candidate: Candidate, path: str) -> str:
    """The candidate's category code for this user ("" when it is protected from them)."""
    if candidate.category in SENSITIVE_CATEGORIES and not access.covers(user, access.MEMBER_SENSITIVE, path):
        return ""
    return candidate.category


def category_filter_allowed(user, org: Organization, category: str) -> bool:
    return category not in SENSITIVE_CATEGORIES or access.covers(user, access.MEMBER_SENSITIVE, org.path)


def may_record(user, case: AdmissionCase, step: str) -> bool:
    """The cell (secretary) records its own steps; the committee's vote and the decision need
    ORG_CHANGE over the cell (committee staff)."""
    perm = access.ORG_CHANGE if step in COMMITTEE_STEPS else access.MEMBER_CHANGE
    return access.covers(user, perm, case.organization.path)


def _before_decision() -> Q:
    return ~Q(step__in=[Step.DECISION, Step.CEREMONY])


def _expired_q(today: datetime.date) -> Q:
    return Q(certificate_expires__lt=today) & _before_decision()


def _ceremony_late_q(today: datetime.date) -> Q:
    return Q(step=Step.DECISION, ceremony_due__lt=today)


def _stalled_q(today: datetime.date, stall_days: int) -> Q:
    """No step for more than `stall_days` days before the decision (since the last step, or since
    the case was opened)."""
    cutoff = today - datetime.timedelta(days=stall_days)
    opened_before = timezone.make_aware(datetime.datetime.combine(cutoff, datetime.time.min))
    quiet = Q(step_date__lt=cutoff) | Q(step_date__isnull=True, opened_at__lt=opened_before)
    return quiet & _before_decision()


def overdue_q(today: datetime.date, stall_days: int) -> Q:
    """Open cases with an overdue step: the certificate expired before the decision, the
    ceremony is past its deadline, or the case is stalled."""
    return Q(state=AdmissionCase.State.OPEN) & (
        _expired_q(today) | _ceremony_late_q(today) | _stalled_q(today, stall_days)
    )


def _flag(q: Q):
    return Case(When(q, then=Value(True)), default=Value(False), output_field=BooleanField())


def pipeline(org: Organization, *, step: str = "", category: str = "", overdue: bool = False) -> QuerySet:
    """Every open case under `org`, with its overdue flags (one query). "Stalled" uses the
    rules in force today for `org` (the subtree's root)."""
    today = timezone.localdate()
    stall_days = rulebook.for_organization(org, on=today).value("admission.stall_days")
    qs = (
        AdmissionCase.objects.filter(subtree_q(org.path, "organization__path"), state=AdmissionCase.State.OPEN)
        .select_related("candidate", "organization")
        .annotate(
            certificate_expired=_flag(_expired_q(today)),
            ceremony_late=_flag(_ceremony_late_q(today)),
            stalled=_flag(_stalled_q(today, stall_days)),
        )
        .order_by("organization__path", "candidate__full_name", "pk")
    )
    if step == "none":
        qs = qs.filter(step="")
    elif step:
        qs = qs.filter(step=step)
    if category:
        qs = qs.filter(candidate__category=category)
    if overdue:
        qs = qs.filter(overdue_q(today, stall_days))
    return qs


def percent_of(done: int, plan: int) -> Decimal | None:
    """`done` as a percentage of `plan`, two decimals, half up (2,360 of 2,253 → 104.75)."""
    if not plan:
        return None
    return (Decimal(done) * 100 / Decimal(plan)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def progress(org: Organization, year: int) -> dict:
    """Admissions in `year` under `org` against its target: total, per category, per child
    organisation, and new party organisations in non-state enterprises. Five queries whatever
    the subtree's size."""
    in_tree = subtree_q(org.path, "organization__path")
    admitted_members = Member.objects.filter(in_tree, admission_date__year=year)
    admitted = admitted_members.count()
    target = AdmissionTarget.objects.filter(organization=org, year=year).first()
    plan = target.plan if target else None

    by_category_rows = dict(
        AdmissionCase.objects.filter(in_tree, member__isnull=False, decision_date__year=year)
        .values_list("candidate__category")
        .annotate(n=Count("pk"))
        .values_list("candidate__category", "n")
    )
    categories = []
    for code, label in Candidate.Category.choices:
        wanted = (target.by_category or {}).get(code) if target else None
        done = by_category_rows.get(code, 0)
        if wanted is None and not done:
            continue
        categories.append(
            {"code": code, "label": label, "admitted": done, "plan": wanted, "percent": percent_of(done, wanted or 0)}
        )

    children = list(Organization.objects.filter(parent=org).order_by("path").only("pk", "name", "path"))
    per_child: dict[str, int] = {}
    if children:
        length = len(children[0].path)
        per_child = dict(
            admitted_members.annotate(prefix=Substr("organization__path", 1, length))
            .values_list("prefix")
            .annotate(n=Count("pk"))
            .values_list("prefix", "n")
        )
    child_targets = {
        t.organization_id: t
        for t in AdmissionTarget.objects.filter(organization__in=[c.pk for c in children], year=year)
    }
    child_rows = []
    for child in children:
        done = per_child.get(child.path, 0)
        child_plan = child_targets[child.pk].plan if child.pk in child_targets else None
        child_rows.append(
            {
                "organization": child,
                "admitted": done,
                "plan": child_plan,
                "percent": percent_of(done, child_plan or 0),
            }
        )

    enterprise_count = EnterpriseOrganization.objects.filter(in_tree, founded_on__year=year).count()
    enterprise_plan = target.enterprise_organizations if target else None
    return {
        "organization": org,
        "year": year,
        "target": target,
        "plan": plan,
        "admitted": admitted,
        "percent": percent_of(admitted, plan or 0),
        "categories": categories,
        "children": child_rows,
        "enterprise_organizations": enterprise_count,
        "enterprise_plan": enterprise_plan,
        "enterprise_percent": percent_of(enterprise_count, enterprise_plan or 0),
    }
