"""Reads for documents: the inbox with its flags, the unread count, who is in an audience, and
the sender's read, acknowledgement and study rates per sub-unit (set-based: a few grouped
queries per level, whatever the subtree's size)."""

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Substr

from handbook.core import access
from handbook.members.models import Member, MemberCount
from handbook.organizations.models import Organization
from handbook.organizations.paths import STEPLEN, subtree_q

from .models import Audience, Bookmark, Document, Receipt, StudyRecord


def inbox(user) -> QuerySet:
    """The user's documents, newest first, each flagged read / confirmed / bookmarked / studied."""
    mine = {"document": OuterRef("pk"), "user": user}
    return (
        access.documents_received(user)
        .select_related("issuer")
        .annotate(
            is_read=Exists(Receipt.objects.filter(**mine)),
            is_acknowledged=Exists(Receipt.objects.filter(**mine, acknowledged_at__isnull=False)),
            is_bookmarked=Exists(Bookmark.objects.filter(**mine)),
            is_studied=Exists(StudyRecord.objects.filter(**mine)),
        )
        .order_by("-publish_at", "-pk")
    )


def unread_count(user) -> int:
    return (
        access.documents_received(user)
        .exclude(Exists(Receipt.objects.filter(document=OuterRef("pk"), user=user)))
        .count()
    )


def _within(path: str, under: str | None) -> str | None:
    """The part of `path`'s subtree inside `under`'s subtree, as one root (or None)."""
    if under is None or path.startswith(under):
        return path
    if under.startswith(path):
        return under
    return None


def audience_users(document: Document, *, under: str | None = None, unread: bool = False):
    """Ids of the active users the document reaches (under a node, optionally only those who have
    not read it): members on the rolls with a login, and role holders in the addressed subtrees."""
    from handbook.accounts.models import RoleGrant, User

    terms = []
    for row in document.audience.all():
        root = _within(row.path, under)
        if root is None:
            continue
        grants = RoleGrant.objects.filter(
            subtree_q(root, "organization__path"), user=OuterRef("pk"), revoked_at__isnull=True
        )
        if row.role:
            terms.append(Exists(grants.filter(role=row.role)))
        else:
            terms.append(
                Q(subtree_q(root, "member__organization__path"), member__status__in=Member.ON_ROLLS) | Exists(grants)
            )
    if not terms:
        return User.objects.none().values_list("pk", flat=True)
    users = User.objects.filter(reduce(or_, terms), is_active=True)
    if unread:
        users = users.exclude(Exists(Receipt.objects.filter(document=document, user=OuterRef("pk"))))
    return users.order_by("pk").values_list("pk", flat=True)


@dataclass
class Rate:
    organization: Organization | None
    audience: int = 0
    read: int = 0
    acknowledged: int = 0
    studied: int = 0

    @staticmethod
    def _pct(part: int, whole: int) -> float | None:
        return round(100 * part / whole, 1) if whole else None

    @property
    def read_pct(self):
        return self._pct(self.read, self.audience)

    @property
    def ack_pct(self):
        return self._pct(self.acknowledged, self.audience)

    @property
    def studied_pct(self):
        return self._pct(self.studied, self.audience)


def _member_roots(document: Document, node: Organization) -> list[str]:
    roots = {_within(a.path, node.path) for a in document.audience.all() if not a.role}
    return sorted(r for r in roots if r)


def rates(document: Document, node: Organization) -> tuple[Rate, list[Rate]]:
    """Read / acknowledgement / study figures of the document's member audience under `node`:
    the node's total, and one row per child organisation (members on the rolls as denominator)."""
    roots = _member_roots(document, node)
    total = Rate(node)
    children = list(Organization.objects.filter(parent=node, status=Organization.Status.ACTIVE).order_by("path"))
    rows = {child.path: Rate(child) for child in children}
    if not roots:
        return total, list(rows.values())
    depth = len(node.path) + STEPLEN
    in_counts = reduce(or_, (subtree_q(r, "path") for r in roots))
    counts = (
        MemberCount.objects.filter(in_counts, status__in=Member.ON_ROLLS)
        .annotate(prefix=Substr("path", 1, depth))
        .values("prefix")
        .annotate(n=Sum("count"))
    )
    for row in counts:
        total.audience += row["n"] or 0
        if row["prefix"] in rows:
            rows[row["prefix"]].audience += row["n"] or 0
    in_cells = reduce(or_, (subtree_q(r, "cell_path") for r in roots))
    receipts = (
        Receipt.objects.filter(in_cells, document=document, member__isnull=False)
        .annotate(prefix=Substr("cell_path", 1, depth))
        .values("prefix")
        .annotate(read=Count("pk"), ack=Count("acknowledged_at"))
    )
    for row in receipts:
        total.read += row["read"]
        total.acknowledged += row["ack"]
        if row["prefix"] in rows:
            rows[row["prefix"]].read += row["read"]
            rows[row["prefix"]].acknowledged += row["ack"]
    studied = (
        StudyRecord.objects.filter(in_cells, document=document, member__isnull=False)
        .annotate(prefix=Substr("cell_path", 1, depth))
        .values("prefix")
        .annotate(n=Count("pk"))
    )
    for row in studied:
        total.studied += row["n"]
        if row["prefix"] in rows:
            rows[row["prefix"]].studied += row["n"]
    return total, [r for r in rows.values() if r.audience or r.read]


def role_rates(document: Document, node: Organization) -> list[dict]:
    """For documents addressed to roles: holders of each role under `node` and how many read it."""
    from handbook.accounts.models import RoleGrant

    out = []
    for row in document.audience.filter(~Q(role="")):
        root = _within(row.path, node.path)
        if root is None:
            continue
        holders = RoleGrant.objects.filter(
            subtree_q(root, "organization__path"), role=row.role, revoked_at__isnull=True
        ).values("user_id")
        read = Receipt.objects.filter(document=document, user_id__in=holders).count()
        out.append({"role": row.role, "audience": holders.distinct().count(), "read": read})
    return out


def cell_members(document: Document, cell: Organization) -> list[dict]:
    """Per member of a cell in the audience: when they read, confirmed, studied."""
    members = Member.objects.filter(organization=cell, status__in=Member.ON_ROLLS).order_by("sort_key")
    receipts = {r.member_id: r for r in Receipt.objects.filter(document=document, member__organization=cell)}
    studied = {s.member_id: s for s in StudyRecord.objects.filter(document=document, member__organization=cell)}
    return [{"member": m, "receipt": receipts.get(m.pk), "study": studied.get(m.pk)} for m in members]


def addressed_to(document: Document, node: Organization) -> bool:
    return (
        Audience.objects.filter(document=document)
        .filter(
            Q(path__in=[node.path[:i] for i in range(STEPLEN, len(node.path) + 1, STEPLEN)])
            | Q(path__startswith=node.path)
        )
        .exists()
    )
