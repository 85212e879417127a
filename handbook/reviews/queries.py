"""Scoped reads for reviews: which periods and reviews a user may see, who may do which step,
the subjects of a period under a node, and the per-subtree summaries (set-based: one grouped
query per table, whatever the subtree's size)."""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import reduce
from operator import or_

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Substr

from handbook.core import access
from handbook.members.models import Member, MemberCount
from handbook.organizations.models import Organization
from handbook.organizations.paths import ancestor_paths, parent_path, subtree_q
from handbook.organizations.queries import children

from .levels import LEVEL_CODES
from .models import Review, ReviewPeriod


def _subtrees(paths, prefix: str) -> Q | None:
    return reduce(or_, (subtree_q(p, prefix) for p in paths)) if paths else None


def periods(user) -> QuerySet:
    """Periods the user may see: run by an organisation they oversee (ORG_VIEW), or by one above
    something they oversee or above their own cell (they are reviewed in it)."""
    scope = access.scope_for(user)
    roots = list(scope.paths(access.ORG_VIEW))
    if scope.member_cell_path:
        roots.append(scope.member_cell_path)
    if not roots:
        return ReviewPeriod.objects.none()
    above = sorted({a for root in roots for a in [*ancestor_paths(root), root]})
    q = Q(organization__path__in=above)
    inside = _subtrees(scope.paths(access.ORG_VIEW), "organization__path")
    if inside is not None:
        q |= inside
    return ReviewPeriod.objects.filter(q).select_related("organization", "rule_set__rule_set")


def reviews(user) -> QuerySet:
    """Reviews the user may see: their own, their members' (MEMBER_VIEW), and those of the
    organisations they oversee (ORG_VIEW)."""
    scope = access.scope_for(user)
    terms = []
    if scope.member_id:
        terms.append(Q(member_id=scope.member_id))
    by_member = _subtrees(scope.paths(access.MEMBER_VIEW), "member__organization__path")
    if by_member is not None:
        terms.append(by_member)
    by_org = _subtrees(scope.paths(access.ORG_VIEW), "organization__path")
    if by_org is not None:
        terms.append(by_org)
    if not terms:
        return Review.objects.none()
    return Review.objects.filter(reduce(or_, terms))


# --- who may do which step (no query: path arithmetic on the scope) -------------------------


def may_manage_period(user, period: ReviewPeriod) -> bool:
    return access.covers(user, access.ORG_CHANGE, period.organization.path)


def may_create_period(user, org: Organization) -> bool:
    return access.covers(user, access.ORG_CHANGE, org.path)


def may_self_assess(user, subject) -> bool:
    """A member for themselves (or their cell's secretary / the staff above, on their behalf);
    an organisation by its secretary or the staff above (MEMBER_CHANGE over it)."""
    if isinstance(subject, Member):
        scope = access.scope_for(user)
        if scope.member_id is not None and scope.member_id == subject.pk:
            return True
        return access.covers(user, access.MEMBER_CHANGE, subject.organization.path)
    return access.covers(user, access.MEMBER_CHANGE, subject.path)


def may_propose(user, subject) -> bool:
    """For a member: their cell (secretary) or the staff above. For an organisation: the
    committee directly above it (or higher)."""
    if isinstance(subject, Member):
        return access.covers(user, access.MEMBER_CHANGE, subject.organization.path)
    parent = parent_path(subject.path)
    return bool(parent) and access.covers(user, access.ORG_CHANGE, parent)


def may_decide(user, period: ReviewPeriod) -> bool:
    return may_manage_period(user, period)


def may_view_summary(user, node: Organization) -> bool:
    return access.covers(user, access.ORG_VIEW, node.path)


# --- subjects -----------------------------------------------------------------------------------


def in_period(period: ReviewPeriod, subject) -> bool:
    """Whether `subject` is reviewed in `period` (right kind, inside its subtree, on the rolls)."""
    root = period.organization.path
    if isinstance(subject, Member):
        return period.for_members and subject.status in Member.ON_ROLLS and subject.organization.path.startswith(root)
    return (
        not period.for_members
        and subject.pk != period.organization_id
        and subject.is_active
        and subject.path.startswith(root)
    )


def summary_node(period: ReviewPeriod, node: Organization | None) -> Organization:
    """The node a summary is for: inside the period's subtree, else the period's organisation."""
    if node is None or not node.path.startswith(period.organization.path):
        return period.organization
    return node


def member_rows(period: ReviewPeriod, cell: Organization) -> list[Member]:
    """The members of one cell reviewed in `period`, each with `.review` (or None): two queries."""
    members = list(Member.objects.filter(organization=cell, status__in=Member.ON_ROLLS).order_by("full_name", "pk"))
    by_member = {r.member_id: r for r in Review.objects.filter(period=period, member__in=[m.pk for m in members])}
    for m in members:
        m.review = by_member.get(m.pk)
    return members


@dataclass
class Row:
    """Counts of one group in a summary: subjects, reviews at each step, decided per level."""

    organization: Organization | None = None
    subjects: int = 0
    self_assessed: int = 0
    proposed: int = 0
    levels: dict = field(default_factory=lambda: dict.fromkeys(LEVEL_CODES, 0))
    review: Review | None = None  # organisation periods: the child's own review

    @property
    def decided(self) -> int:
        return sum(self.levels.values())

    @property
    def started(self) -> int:
        return self.self_assessed + self.proposed + self.decided

    @property
    def not_reviewed(self) -> int:
        """Subjects without a decision yet (started or not)."""
        return max(self.subjects - self.decided, 0)

    @property
    def not_started(self) -> int:
        return max(self.subjects - self.started, 0)

    def percent(self, code: str) -> Decimal:
        """Share of the decided reviews classified at `code`, in percent (2 decimals)."""
        if not self.decided:
            return Decimal("0.00")
        return (Decimal(100 * self.levels[code]) / self.decided).quantize(Decimal("0.01"), ROUND_HALF_UP)

    @property
    def level_rows(self) -> list[tuple[str, int, Decimal]]:
        return [(code, self.levels[code], self.percent(code)) for code in LEVEL_CODES]

    def add(self, other: "Row") -> None:
        self.subjects += other.subjects
        self.self_assessed += other.self_assessed
        self.proposed += other.proposed
        for code, n in other.levels.items():
            self.levels[code] = self.levels.get(code, 0) + n


@dataclass
class Summary:
    period: ReviewPeriod
    node: Organization
    total: Row
    children: list[Row]
    itself: Row | None  # organisation periods: the node's own review, when the node is a subject


def _count_reviews(rows: dict[str, Row], qs: QuerySet, path_field: str, width: int) -> None:
    grouped = (
        qs.annotate(prefix=Substr(path_field, 1, width))
        .values("prefix", "state", "final_level")
        .annotate(n=Count("pk"))
    ).order_by()
    for g in grouped:
        row = rows.setdefault(g["prefix"], Row())
        if g["state"] == Review.State.DECIDED:
            row.levels[g["final_level"]] = row.levels.get(g["final_level"], 0) + g["n"]
        elif g["state"] == Review.State.PROPOSED:
            row.proposed += g["n"]
        else:
            row.self_assessed += g["n"]


def summary(period: ReviewPeriod, node: Organization | None = None) -> Summary:
    """Counts per level (and the not yet reviewed) for `node`'s subtree, one row per child:
    three grouped queries (subjects, reviews, children) whatever the subtree's size."""
    node = summary_node(period, node)
    width = len(node.path) + 4
    rows: dict[str, Row] = {}
    if period.for_members:
        subjects = (
            MemberCount.objects.filter(subtree_q(node.path), status__in=Member.ON_ROLLS)
            .annotate(prefix=Substr("path", 1, width))
            .values("prefix")
            .annotate(n=Sum("count"))
            .order_by()
        )
        reviewed = Review.objects.filter(
            subtree_q(node.path, "member__organization__path"), period=period, member__status__in=Member.ON_ROLLS
        )
        path_field = "member__organization__path"
    else:
        subjects = (
            Organization.objects.filter(subtree_q(node.path), status=Organization.Status.ACTIVE)
            .exclude(pk=period.organization_id)
            .annotate(prefix=Substr("path", 1, width))
            .values("prefix")
            .annotate(n=Count("pk"))
            .order_by()
        )
        reviewed = Review.objects.filter(
            subtree_q(node.path, "organization__path"), period=period, organization__status=Organization.Status.ACTIVE
        ).exclude(organization_id=period.organization_id)
        path_field = "organization__path"
    for s in subjects:
        rows.setdefault(s["prefix"], Row()).subjects += s["n"] or 0
    _count_reviews(rows, reviewed, path_field, width)

    total = Row(organization=node)
    for row in rows.values():
        total.add(row)
    kids = []
    for kid in children(node):
        row = rows.get(kid.path, Row())
        row.organization = kid
        kids.append(row)
    itself = rows.get(node.path) if not period.for_members else None
    if not period.for_members and kids:
        own = {
            r.organization_id: r
            for r in Review.objects.filter(period=period, organization__in=[k.organization for k in kids])
        }
        for row in kids:
            row.review = own.get(row.organization.pk)
    return Summary(period=period, node=node, total=total, children=kids, itself=itself)


def member_reviews(member: Member) -> QuerySet:
    return (
        Review.objects.filter(member=member)
        .select_related("period", "period__organization")
        .order_by("-period__year", "-period__deadline")
    )


def open_periods_for(member: Member) -> QuerySet:
    """Open member periods run above (or at) the member's cell: where they are reviewed now."""
    path = member.organization.path
    chain = [*ancestor_paths(path), path]
    return ReviewPeriod.objects.filter(
        organization__path__in=chain, subject=ReviewPeriod.Subject.MEMBERS, status=ReviewPeriod.Status.OPEN
    ).select_related("organization")
