"""Reads of the organisation tree. Callers pass querysets already scoped by core.access."""

import datetime
from dataclasses import dataclass

from django.db.models import Q

from handbook.audit.models import AuditEvent
from handbook.core.text import fold

from .models import Organization, OrganizationVersion
from .paths import ancestor_paths


def children(org: Organization, *, include_archived: bool = False):
    qs = Organization.objects.filter(parent=org).select_related("type").order_by("path")
    if not include_archived:
        qs = qs.filter(status=Organization.Status.ACTIVE)
    return qs


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
