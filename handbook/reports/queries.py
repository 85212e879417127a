"""Reads for reports, all starting from the access layer: which definitions a user sees, which
organisations owe a report, and the committee's tracking counts (set-based: two grouped queries
per page whatever the size of the subtree, never a loop over every cell)."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr

from handbook.core import access
from handbook.organizations.models import Organization
from handbook.organizations.paths import STEPLEN, ancestor_paths, subtree_q

from . import periods
from .models import ReportDefinition, ReportSubmission

ON_TIME = "on_time"
LATE = "late"
MISSING = "missing"
NOT_DUE = "not_due"
#: The per-organisation list under the counts is shown up to this many organisations.
LIST_LIMIT = 500


def status_labels() -> dict[str, str]:
    from django.utils.translation import gettext as _

    return {
        ON_TIME: _("Submitted on time"),
        LATE: _("Submitted late"),
        MISSING: _("Missing (overdue)"),
        NOT_DUE: _("Not yet due"),
    }


# -- who may do what -------------------------------------------------------------------------
def may_define(user, org: Organization) -> bool:
    """Committee staff (ORG_CHANGE) over an active committee node; cells do not define reports."""
    return org.is_active and not org.type.holds_members and access.covers(user, access.ORG_CHANGE, org.path)


def may_manage(user, definition: ReportDefinition) -> bool:
    """Change, archive, review and export: ORG_CHANGE over the issuing committee."""
    return access.covers(user, access.ORG_CHANGE, definition.issuer.path)


def may_submit(user, definition: ReportDefinition, org: Organization) -> bool:
    """The cell's secretary (or anyone who may change the organisation's members) of an
    organisation that owes the report."""
    return access.covers(user, access.MEMBER_CHANGE, org.path) and is_obligated(definition, org)


def definitions(user) -> QuerySet:
    """Definitions the user sees: issued inside one of their ORG_VIEW subtrees, or issued above one
    of them (a commune official sees the province's report, for the commune's part of it)."""
    roots = access.scope_for(user).paths(access.ORG_VIEW)
    if not roots:
        return ReportDefinition.objects.none()
    q = Q()
    above: set[str] = set()
    for root in roots:
        q |= subtree_q(root, "issuer__path")
        above.update(ancestor_paths(root))
    if above:
        q |= Q(issuer__path__in=above)
    return ReportDefinition.objects.filter(q).select_related("issuer", "issuer__type", "target_type")


def visible_root(user, definition: ReportDefinition) -> Organization | None:
    """Where the user's tracking of a definition starts: the issuer if they cover it, else the
    highest node of their scope inside the issuer's subtree."""
    if access.covers(user, access.ORG_VIEW, definition.issuer.path):
        return definition.issuer
    inside = [r for r in access.scope_for(user).paths(access.ORG_VIEW) if r.startswith(definition.issuer.path)]
    if not inside:
        return None
    return Organization.objects.filter(path__in=inside).select_related("type").order_by("depth", "path").first()


def submissions(user) -> QuerySet:
    """Submissions of organisations the user oversees (ORG_VIEW), of definitions they may see."""
    roots = access.scope_for(user).paths(access.ORG_VIEW)
    if not roots:
        return ReportSubmission.objects.none()
    q = Q()
    for root in roots:
        q |= subtree_q(root, "organization__path")
    return ReportSubmission.objects.filter(q).select_related("definition", "organization", "template")


# -- who owes what ---------------------------------------------------------------------------
def _target_q(definition: ReportDefinition, prefix: str = "") -> Q:
    if definition.target_type_id:
        return Q(**{f"{prefix}type_id": definition.target_type_id})
    return Q(**{f"{prefix}type__holds_members": True})


def obligated(definition: ReportDefinition, node: Organization | None = None) -> QuerySet:
    """Active organisations below the issuer that owe the report (restricted to node's subtree)."""
    issuer = definition.issuer
    qs = Organization.objects.filter(subtree_q(issuer.path), _target_q(definition), status=Organization.Status.ACTIVE)
    qs = qs.exclude(pk=issuer.pk)
    if node is not None:
        qs = qs.filter(subtree_q(node.path))
    return qs


def is_obligated(definition: ReportDefinition, org: Organization) -> bool:
    if not org.is_active or org.pk == definition.issuer_id or not org.path.startswith(definition.issuer.path):
        return False
    if definition.target_type_id:
        return org.type_id == definition.target_type_id
    return org.type.holds_members


def owed_by(org: Organization) -> QuerySet:
    """Active definitions this organisation must submit (issued by one of its ancestors)."""
    q = Q(target_type_id=org.type_id)
    if org.type.holds_members:
        q |= Q(target_type__isnull=True)
    return (
        ReportDefinition.objects.filter(issuer__path__in=ancestor_paths(org.path), archived_at__isnull=True)
        .filter(q)
        .select_related("issuer")
        .order_by("title", "id")
    )


def status(
    definition: ReportDefinition, period: datetime.date, sub: ReportSubmission | None, today: datetime.date
) -> str:
    if sub is not None:
        return LATE if sub.late else ON_TIME
    return MISSING if today > definition.deadline(period) else NOT_DUE


def due_period(definition: ReportDefinition, today: datetime.date) -> datetime.date:
    """The period a cell is reporting on now: the last one that has ended (its report is due in
    the following days); the first period while that has not ended yet."""
    current = periods.period_start(definition.frequency, today)
    last_ended = periods.previous_period(definition.frequency, current)
    return max(last_ended, definition.start_period)


def submittable(definition: ReportDefinition, period: datetime.date, today: datetime.date) -> bool:
    return definition.start_period <= period <= periods.period_start(definition.frequency, today)


@dataclass
class OwedReport:
    definition: ReportDefinition
    period: datetime.date
    status: str
    submission: ReportSubmission | None
    overdue_periods: int = 0
    history: list = field(default_factory=list)


def owed_reports(org: Organization, today: datetime.date, *, history: int = 12) -> list[OwedReport]:
    """For a cell's page and the API: each report it owes, the period due now with its status, how
    many past periods are missing, and (newest first) the recent periods with their status."""
    defs = list(owed_by(org))
    if not defs:
        return []
    subs: dict[tuple[int, datetime.date], ReportSubmission] = {
        (s.definition_id, s.period): s
        for s in ReportSubmission.objects.filter(organization=org, definition__in=defs).order_by()
    }
    out = []
    for d in defs:
        if d.start_period > periods.period_start(d.frequency, today):
            continue
        due = due_period(d, today)
        recent = periods.recent(d.frequency, d.start_period, today, history)
        rows = [(p, d.period_label(p), status(d, p, subs.get((d.pk, p)), today), subs.get((d.pk, p))) for p in recent]
        overdue = sum(1 for row in rows if row[2] == MISSING)
        out.append(
            OwedReport(d, due, status(d, due, subs.get((d.pk, due)), today), subs.get((d.pk, due)), overdue, rows)
        )
    return out


# -- the committee's tracking ----------------------------------------------------------------
@dataclass
class Counts:
    obligated: int = 0
    on_time: int = 0
    late: int = 0
    returned: int = 0
    accepted: int = 0

    @property
    def submitted(self) -> int:
        return self.on_time + self.late

    @property
    def not_submitted(self) -> int:
        return self.obligated - self.submitted


@dataclass
class Tracking:
    definition: ReportDefinition
    period: datetime.date
    node: Organization
    deadline: datetime.date
    overdue: bool
    total: Counts
    rows: list  # (child organisation or None for the node itself, Counts)
    organizations: list | None  # [(org, status, submission)] when the subtree is small enough


def _counts_by_prefix(definition, period, node, width) -> tuple[dict[str, Counts], Counts]:
    by: dict[str, Counts] = {}
    total = Counts()
    owing = (
        obligated(definition, node)
        .annotate(prefix=Substr("path", 1, width))
        .values("prefix")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in owing:
        by.setdefault(row["prefix"], Counts()).obligated += row["n"]
        total.obligated += row["n"]
    sent = (
        ReportSubmission.objects.filter(
            subtree_q(node.path, "organization__path"),
            _target_q(definition, "organization__"),
            definition=definition,
            period=period,
            organization__status=Organization.Status.ACTIVE,
        )
        .exclude(organization_id=definition.issuer_id)
        .annotate(prefix=Substr("organization__path", 1, width))
        .values("prefix", "late", "state")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in sent:
        for counts in (by.setdefault(row["prefix"], Counts()), total):
            if row["late"]:
                counts.late += row["n"]
            else:
                counts.on_time += row["n"]
            if row["state"] == ReportSubmission.State.RETURNED:
                counts.returned += row["n"]
            elif row["state"] == ReportSubmission.State.ACCEPTED:
                counts.accepted += row["n"]
    return by, total


def tracking(definition: ReportDefinition, period: datetime.date, node: Organization, today: datetime.date) -> Tracking:
    """Counts for `node`'s subtree and for each child (drill-down), from two grouped queries over
    the path prefix one level below node; plus the per-organisation list when it is small."""
    width = len(node.path) + STEPLEN
    by, total = _counts_by_prefix(definition, period, node, width)
    kids = {
        o.path: o
        for o in Organization.objects.filter(path__in=[p for p in by if p != node.path]).select_related("type")
    }
    rows = []
    if node.path in by:
        rows.append((None, by[node.path]))
    rows.extend((kids[p], by[p]) for p in sorted(by) if p in kids)
    deadline = definition.deadline(period)
    listing = None
    if total.obligated <= LIST_LIMIT:
        subs = {
            s.organization_id: s
            for s in ReportSubmission.objects.filter(
                definition=definition, period=period, organization__in=obligated(definition, node)
            ).select_related("submitted_by")
        }
        listing = [
            (o, status(definition, period, subs.get(o.pk), today), subs.get(o.pk))
            for o in obligated(definition, node).select_related("type").order_by("path")
        ]
    return Tracking(definition, period, node, deadline, today > deadline, total, rows, listing)
