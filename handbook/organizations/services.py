"""Every change to the organisation tree: transactional, validated, versioned and audited."""

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from treebeard.exceptions import InvalidMoveToDescendant

from handbook.audit.models import EventType
from handbook.audit.services import audit_record
from handbook.core.errors import RuleViolation
from handbook.core.text import fold

from . import contents
from .models import Organization, OrganizationType, OrganizationVersion
from .paths import subtree_q


def _snapshot(org: Organization) -> dict:
    return {
        "name": org.name,
        "type": org.type.code,
        "parent_id": org.parent_id,
        "path": org.path,
        "status": org.status,
        "merged_into_id": org.merged_into_id,
    }


def _version_open(org: Organization, *, reason: str, now) -> None:
    OrganizationVersion.objects.filter(organization=org, valid_to__isnull=True).update(valid_to=now)
    OrganizationVersion.objects.create(
        organization=org,
        name=org.name,
        type_id=org.type_id,
        parent_id=org.parent_id,
        status=org.status,
        valid_from=now,
        reason=reason,
    )


def _lock(*orgs: Organization) -> list[Organization]:
    """Re-read and lock the rows (ordered by id, so two restructurings cannot deadlock)."""
    ids = [o.pk for o in orgs]
    locked = {o.pk: o for o in Organization.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    return [locked[i] for i in ids]


def _require_active(*orgs: Organization) -> None:
    for org in orgs:
        if not org.is_active:
            raise RuleViolation(
                _("“%(name)s” is archived and cannot be changed.") % {"name": org.name}, code="archived"
            )


def _check_parent_rule(child_type: OrganizationType, parent: Organization) -> None:
    if parent.type.holds_members:
        raise RuleViolation(
            _("“%(parent)s” is a cell: cells cannot have sub-organisations.") % {"parent": parent.name},
            code="cell_is_leaf",
        )
    if not child_type.allowed_parents.filter(pk=parent.type_id).exists():
        raise RuleViolation(
            _("A %(child)s cannot be placed under a %(parent)s.")
            % {"child": child_type.label, "parent": parent.type.label},
            code="parent_type_rule",
        )


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise RuleViolation(_("Enter a name."), code="required", field="name")
    if len(name) > 200:
        raise RuleViolation(_("The name is longer than 200 characters."), code="too_long", field="name")
    return name


@transaction.atomic
def organization_create(*, actor: Any, name: str, type: OrganizationType, parent: Organization | None) -> Organization:
    name = _clean_name(name)
    if parent is None:
        if type.allowed_parents.exists():
            raise RuleViolation(
                _("A %(type)s needs a parent organisation.") % {"type": type.label}, code="needs_parent"
            )
        org = Organization.objects.add_root(instance=Organization(name=name, search_name=fold(name), type=type))
    else:
        (parent,) = _lock(parent)
        _require_active(parent)
        _check_parent_rule(type, parent)
        org = Organization.objects.add_child(
            parent, instance=Organization(name=name, search_name=fold(name), type=type, parent=parent)
        )
    now = timezone.now()
    _version_open(org, reason="created", now=now)
    audit_record(actor=actor, event_type=EventType.ORGANIZATION_CREATED, obj=org, after=_snapshot(org))
    return org


@transaction.atomic
def organization_rename(*, actor: Any, organization: Organization, name: str) -> Organization:
    name = _clean_name(name)
    (org,) = _lock(organization)
    _require_active(org)
    if org.name == name:
        return org
    before = _snapshot(org)
    org.name = name
    org.search_name = fold(name)
    org.save(update_fields=["name", "search_name"])
    _version_open(org, reason="renamed", now=timezone.now())
    audit_record(actor=actor, event_type=EventType.ORGANIZATION_RENAMED, obj=org, before=before, after=_snapshot(org))
    return org


def _reparent(org: Organization, new_parent: Organization, *, reason: str, now) -> None:
    """Move org's whole subtree under new_parent: one path rewrite, then the parent pointer."""
    org.refresh_from_db(fields=["path", "depth", "numchild"])  # callers may hold a stale copy
    old_path = org.path
    try:
        # "last-child" rewrites only the moved branch's paths (no sibling is shifted).
        Organization.objects.move(org, new_parent, "last-child")
    except InvalidMoveToDescendant as exc:
        raise RuleViolation(_("An organisation cannot be moved into its own subtree."), code="cycle") from exc
    org.refresh_from_db(fields=["path", "depth", "numchild"])
    for h in contents.handlers():
        h.subtree_moved(old_path=old_path, new_path=org.path)
    contents.moved(old_path=old_path, new_path=org.path)
    org.parent = new_parent
    org.save(update_fields=["parent"])
    _version_open(org, reason=reason, now=now)


@transaction.atomic
def organization_move(*, actor: Any, organization: Organization, new_parent: Organization) -> Organization:
    org, new_parent = _lock(organization, new_parent)
    _require_active(org, new_parent)
    if org.parent_id is None:
        raise RuleViolation(_("The top of the tree cannot be moved."), code="root")
    if new_parent.pk == org.pk or new_parent.path.startswith(org.path):
        raise RuleViolation(_("An organisation cannot be moved into its own subtree."), code="cycle")
    if new_parent.pk == org.parent_id:
        raise RuleViolation(_("“%(name)s” is already there.") % {"name": org.name}, code="no_change")
    _check_parent_rule(org.type, new_parent)
    before = _snapshot(org)
    _reparent(org, new_parent, reason="moved", now=timezone.now())
    audit_record(actor=actor, event_type=EventType.ORGANIZATION_MOVED, obj=org, before=before, after=_snapshot(org))
    return org


@dataclass
class Impact:
    """What a restructuring would move, shown before the user confirms."""

    organizations: int = 0
    cells: int = 0
    members: int = 0
    by_handler: dict[str, int] = field(default_factory=dict)


def subtree_impact(org: Organization, *, include_self: bool = False) -> Impact:
    qs = Organization.objects.filter(subtree_q(org.path), status=Organization.Status.ACTIVE)
    if not include_self:
        qs = qs.exclude(pk=org.pk)
    impact = Impact(organizations=qs.count(), cells=qs.filter(type__holds_members=True).count())
    for h in contents.handlers():
        impact.by_handler[h.key] = h.subtree_count(org)
    impact.members = impact.by_handler.get("members", 0)
    return impact


def merge_impact(source: Organization) -> Impact:
    return subtree_impact(source)


def split_impact(organization: Organization, *, children: list[Organization], member_ids: list[int]) -> Impact:
    impact = Impact()
    for child in children:
        sub = subtree_impact(child, include_self=True)
        impact.organizations += sub.organizations
        impact.cells += sub.cells
        impact.members += sub.members
    impact.members += len(member_ids)
    return impact


def _children(org: Organization):
    return Organization.objects.filter(parent=org).order_by("path")


@transaction.atomic
def organization_merge(*, actor: Any, source: Organization, target: Organization) -> Organization:
    """Merge source into target: children and held records move to target, source is archived."""
    source, target = _lock(source, target)
    _require_active(source, target)
    if source.pk == target.pk:
        raise RuleViolation(_("Choose two different organisations to merge."), code="same")
    if source.parent_id is None:
        raise RuleViolation(_("The top of the tree cannot be merged."), code="root")
    if target.path.startswith(source.path):
        raise RuleViolation(_("An organisation cannot be merged into its own subtree."), code="cycle")
    children = list(_children(source))
    for child in children:
        _check_parent_rule(child.type, target)
    held = {h.key: h.count(source) for h in contents.handlers()}
    if any(held.values()) and not target.type.holds_members:
        raise RuleViolation(
            _("“%(source)s” holds members, but “%(target)s” is not a cell and cannot hold them.")
            % {"source": source.name, "target": target.name},
            code="target_cannot_hold_members",
        )
    if source.type.holds_members != target.type.holds_members:
        raise RuleViolation(
            _("A %(source)s cannot be merged into a %(target)s.")
            % {"source": source.type.label, "target": target.type.label},
            code="merge_type_rule",
        )
    before = _snapshot(source)
    now = timezone.now()
    moved = {"organizations": 0}
    for child in children:
        _reparent(child, target, reason="merged", now=now)
        moved["organizations"] += 1
    for h in contents.handlers():
        moved[h.key] = h.transfer_all(actor=actor, source=source, target=target)
    source.refresh_from_db()
    source.status = Organization.Status.ARCHIVED
    source.merged_into = target
    source.archived_at = now
    source.save(update_fields=["status", "merged_into", "archived_at"])
    _version_open(source, reason="merged", now=now)
    contents.archived(actor=actor, organization=source)
    audit_record(
        actor=actor,
        event_type=EventType.ORGANIZATION_MERGED_INTO,
        obj=source,
        before=before,
        after={**_snapshot(source), "moved": moved},
    )
    audit_record(
        actor=actor,
        event_type=EventType.ORGANIZATION_MERGED,
        obj=target,
        after={"merged_from_id": source.pk, "merged_from": source.name, "moved": moved},
    )
    return target


@transaction.atomic
def organization_split(
    *,
    actor: Any,
    organization: Organization,
    new_name: str,
    children: list[Organization] | None = None,
    member_ids: list[int] | None = None,
) -> Organization:
    """Move a chosen set of children and/or members of `organization` to a new sibling."""
    children = children or []
    member_ids = sorted(set(member_ids or []))
    (org,) = _lock(organization)
    _require_active(org)
    if org.parent_id is None:
        raise RuleViolation(_("The top of the tree cannot be split."), code="root")
    children = _lock(*children) if children else []
    if not children and not member_ids:
        raise RuleViolation(_("Choose at least one sub-organisation or member to move."), code="empty_split")
    for child in children:
        if child.parent_id != org.pk or not child.is_active:
            raise RuleViolation(
                _("“%(name)s” is not a sub-organisation of “%(parent)s”.") % {"name": child.name, "parent": org.name},
                code="not_a_child",
            )
    parent = Organization.objects.get(pk=org.parent_id)
    new_org = organization_create(actor=actor, name=new_name, type=org.type, parent=parent)
    now = timezone.now()
    for child in children:
        _reparent(child, new_org, reason="split", now=now)
    moved_members = 0
    if member_ids:
        moved_members = contents.handler("members").transfer_selected(
            actor=actor, source=org, target=new_org, ids=member_ids
        )
    audit_record(
        actor=actor,
        event_type=EventType.ORGANIZATION_SPLIT,
        obj=org,
        after={
            "new_organization_id": new_org.pk,
            "new_name": new_org.name,
            "moved_children": [c.pk for c in children],
            "moved_members": moved_members,
        },
    )
    return new_org


@transaction.atomic
def organization_dissolve(*, actor: Any, organization: Organization) -> Organization:
    (org,) = _lock(organization)
    _require_active(org)
    if org.parent_id is None:
        raise RuleViolation(_("The top of the tree cannot be dissolved."), code="root")
    if Organization.objects.filter(parent=org, status=Organization.Status.ACTIVE).exists():
        raise RuleViolation(
            _("“%(name)s” still has sub-organisations: move or merge them first.") % {"name": org.name},
            code="not_empty",
        )
    held = {h.key: h.count(org) for h in contents.handlers()}
    if any(held.values()):
        raise RuleViolation(
            _("“%(name)s” still has %(count)s members: transfer them first.")
            % {"name": org.name, "count": held.get("members", sum(held.values()))},
            code="not_empty",
        )
    before = _snapshot(org)
    org.status = Organization.Status.ARCHIVED
    org.archived_at = timezone.now()
    org.save(update_fields=["status", "archived_at"])
    _version_open(org, reason="dissolved", now=org.archived_at)
    contents.archived(actor=actor, organization=org)
    audit_record(actor=actor, event_type=EventType.ORGANIZATION_DISSOLVED, obj=org, before=before, after=_snapshot(org))
    return org
