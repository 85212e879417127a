"""Reads of the organisation tree. Callers pass querysets already scoped by core.access."""

import datetime
from dataclasses import dataclass

from django.db.models import Q, Sum
from django.db.models.functions import Substr

from handbook.audit.models import AuditEvent
from handbook.core.text import fold

from .models import Organization, OrganizationVersion
from .paths import ancestor_paths, subtree_q

MIN_OFFICIAL_MEMBERS = 3


def _member_counts():
    from handbook.members.models import Member, MemberCount

    return MemberCount, Member


def subtree_member_count(org: Organization, statuses=None) -> int:
    """Members on the rolls in org's subtree, from the per-cell counters (no member scan)."""
    MemberCount, Member = _member_counts()
    statuses = statuses or Member.ON_ROLLS
    total = MemberCount.objects.filter(subtree_q(org.path, "organization__path"), status__in=statuses).aggregate(
        n=Sum("count")
    )["n"]
    return total or 0


def subtree_counts_by_status(org: Organization) -> dict[str, int]:
    MemberCount, _ = _member_counts()
    rows = (
        MemberCount.objects.filter(subtree_q(org.path, "organization__path"))
        .values("status")
        .annotate(n=Sum("count"))
        .order_by()
    )
    return {r["status"]: r["n"] for r in rows}


def children(org: Organization, *, include_archived: bool = False):
    qs = Organization.objects.filter(parent=org).select_related("type").order_by("path")
    if not include_archived:
        qs = qs.filter(status=Organization.Status.ACTIVE)
    return qs


def children_with_counts(org: Organization) -> list[Organization]:
    """Active children, each with `member_count` (its subtree's members on the rolls) and
    `official_count`; one aggregate query over the counters grouped by the child's path prefix."""
    MemberCount, Member = _member_counts()
    kids = list(children(org))
    if not kids:
        return kids
    width = len(org.path) + 4
    rows = (
        MemberCount.objects.filter(subtree_q(org.path, "organization__path"), status__in=Member.ON_ROLLS)
        .annotate(prefix=Substr("organization__path", 1, width))
        .values("prefix", "status")
        .annotate(n=Sum("count"))
        .order_by()
    )
    totals: dict[str, int] = {}
    officials: dict[str, int] = {}
    for r in rows:
        totals[r["prefix"]] = totals.get(r["prefix"], 0) + r["n"]
        if r["status"] == Member.Status.OFFICIAL:
            officials[r["prefix"]] = officials.get(r["prefix"], 0) + r["n"]
    for kid in kids:
        kid.member_count = totals.get(kid.path, 0)
        kid.official_count = officials.get(kid.path, 0)
        kid.is_small_cell = kid.type.holds_members and kid.official_count < MIN_OFFICIAL_MEMBERS
    return kids


def official_count(org: Organization) -> int:
    MemberCount, Member = _member_counts()
    total = MemberCount.objects.filter(organization=org, status=Member.Status.OFFICIAL).aggregate(n=Sum("count"))["n"]
    return total or 0


def small_cells(org: Organization, limit: int = 200) -> list[Organization]:
    """Active cells in org's subtree with fewer than 3 official members (a cell needs 3)."""
    MemberCount, Member = _member_counts()
    cells = Organization.objects.filter(
        subtree_q(org.path), status=Organization.Status.ACTIVE, type__holds_members=True
    )
    officials = dict(
        MemberCount.objects.filter(
            subtree_q(org.path, "organization__path"), status=Member.Status.OFFICIAL
        ).values_list("organization_id", "count")
    )
    flagged = []
    for cell in cells.order_by("path").iterator():
        n = officials.get(cell.pk, 0)
        if n < MIN_OFFICIAL_MEMBERS:
            cell.official_count = n
            flagged.append(cell)
            if len(flagged) >= limit:
                break
    return flagged


def breadcrumb(user, org: Organization) -> list[Organization]:
    """The ancestors of org, root first. Names of the nodes above are not secret; each carries
    `visible` (may the caller open it) so the template links only those."""
    from handbook.core import access

    crumbs = list(Organization.objects.filter(path__in=ancestor_paths(org.path)).order_by("depth"))
    for crumb in crumbs:
        crumb.visible = access.covers(user, access.ORG_VIEW, crumb.path)
    return crumbs


def search(visible, text: str, limit: int = 50):
    key = fold(text)
    if not key:
        return visible.none()
    return visible.filter(search_name__contains=key, status=Organization.Status.ACTIVE).select_related("type")[:limit]


@dataclass
class HistoryEntry:
    when: datetime.datetime
    kind: str
    text: str
    actor: str = ""


def versions(org: Organization):
    return (
        OrganizationVersion.objects.filter(organization=org)
        .select_related("parent", "type")
        .order_by("valid_from", "id")
    )


def audit_history(org: Organization, limit: int = 100):
    return AuditEvent.objects.filter(Q(object_type="organizations.organization", object_id=str(org.pk))).order_by(
        "-occurred_at", "-id"
    )[:limit]


def organization_at(org: Organization, when: datetime.datetime) -> list[OrganizationVersion]:
    """The node's chain of versions valid at `when`, the node first then up to the root:
    "where was this cell in 2024" (names and parents as they were then). Empty if it did not exist."""
    chain: list[OrganizationVersion] = []
    current_id: int | None = org.pk
    seen: set[int] = set()
    while current_id is not None and current_id not in seen:
        seen.add(current_id)
        version = (
            OrganizationVersion.objects.filter(organization_id=current_id, valid_from__lte=when)
            .filter(Q(valid_to__gt=when) | Q(valid_to__isnull=True))
            .select_related("type")
            .order_by("-valid_from", "-id")
            .first()
        )
        if version is None:
            break
        chain.append(version)
        current_id = version.parent_id
    return chain
