"""Member counts of any subtree, read from the per-cell counters (never by scanning members)."""

from django.db.models import Sum
from django.db.models.functions import Substr

from handbook.organizations.models import Organization
from handbook.organizations.paths import subtree_q
from handbook.organizations.queries import children

from .models import Member, MemberCount

MIN_OFFICIAL_MEMBERS = 3


def subtree_member_count(org: Organization, statuses=Member.ON_ROLLS) -> int:
    """Members on the rolls in org's subtree: one index range over the counters."""
    total = MemberCount.objects.filter(subtree_q(org.path), status__in=statuses).aggregate(n=Sum("count"))["n"]
    return total or 0


def subtree_counts_by_status(org: Organization) -> dict[str, int]:
    rows = MemberCount.objects.filter(subtree_q(org.path)).values("status").annotate(n=Sum("count")).order_by()
    return {r["status"]: r["n"] for r in rows if r["n"]}


def children_with_counts(org: Organization) -> list[Organization]:
    """Active children, each with `member_count` (its subtree's members on the rolls),
    `official_count` and `is_small_cell`; one aggregate grouped by the child's path prefix."""
    kids = list(children(org))
    if not kids:
        return kids
    width = len(org.path) + 4
    rows = (
        MemberCount.objects.filter(subtree_q(org.path), status__in=Member.ON_ROLLS)
        .annotate(prefix=Substr("path", 1, width))
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
    total = MemberCount.objects.filter(organization=org, status=Member.Status.OFFICIAL).aggregate(n=Sum("count"))["n"]
    return total or 0


def small_cells(org: Organization, limit: int = 200) -> list[Organization]:
    """Active cells in org's subtree with fewer than 3 official members (a cell needs 3)."""
    officials = dict(
        MemberCount.objects.filter(subtree_q(org.path), status=Member.Status.OFFICIAL).values_list(
            "organization_id", "count"
        )
    )
    cells = Organization.objects.filter(
        subtree_q(org.path), status=Organization.Status.ACTIVE, type__holds_members=True
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
