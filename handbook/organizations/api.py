"""API for the organisation tree: browse, counts, history, and the restructuring operations."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from handbook.core import access
from handbook.core.errors import RuleViolation
from handbook.members import counts as member_counts
from handbook.members.models import Member

from . import queries, services
from .models import Organization, OrganizationType

router = Router(tags=["organizations"])


class OrganizationOut(Schema):
    id: int
    name: str
    type: str
    parent_id: int | None
    depth: int
    status: str
    merged_into_id: int | None
    children: int


class NodeWithCounts(OrganizationOut):
    member_count: int
    official_count: int
    small_cell: bool


class CountsOut(Schema):
    organization_id: int
    members: int
    by_status: dict[str, int]


class CreateIn(Schema):
    parent_id: int
    name: str
    type: str


class RenameIn(Schema):
    name: str


class MoveIn(Schema):
    new_parent_id: int


class MergeIn(Schema):
    target_id: int


class SplitIn(Schema):
    name: str
    children: list[int] = []
    members: list[int] = []


class ImpactOut(Schema):
    organizations: int
    cells: int
    members: int


class VersionOut(Schema):
    name: str
    type: str
    parent_id: int | None
    status: str
    valid_from: datetime.datetime
    valid_to: datetime.datetime | None
    reason: str


def _out(org: Organization) -> dict:
    return {
        "id": org.pk,
        "name": org.name,
        "type": org.type.code,
        "parent_id": org.parent_id,
        "depth": org.depth,
        "status": org.status,
        "merged_into_id": org.merged_into_id,
        "children": org.numchild,
    }


def _visible(request):
    return access.organizations(request.user).select_related("type")


def _restructurable(request, pk: int) -> Organization:
    return access.get_or_404(
        access.restructurable_organizations(request.user).select_related("type"),
        pk=pk,
        status=Organization.Status.ACTIVE,
    )


def _changeable(request, pk: int) -> Organization:
    return access.get_or_404(
        access.organizations(request.user, access.ORG_CHANGE).select_related("type"),
        pk=pk,
        status=Organization.Status.ACTIVE,
    )


@router.get("/tree", response=list[OrganizationOut])
def tree(request):
    """The top nodes of the caller's scope (their grant roots, or their own cell)."""
    scope = access.scope_for(request.user)
    paths = list(scope.paths(access.ORG_VIEW)) or ([scope.member_cell_path] if scope.member_cell_path else [])
    return [_out(o) for o in _visible(request).filter(path__in=paths).order_by("path")]


@router.get("/search", response=list[OrganizationOut])
def search(request, q: str):
    """Organisations in scope whose name contains `q` (diacritics and case ignored)."""
    return [_out(o) for o in queries.search(_visible(request), q)]


@router.get("/{org_id}", response=OrganizationOut)
def node(request, org_id: int):
    return _out(access.get_or_404(_visible(request), pk=org_id))


@router.get("/{org_id}/children", response=list[NodeWithCounts])
def children(request, org_id: int):
    """Active children with the member counts of their subtrees; small cells flagged."""
    org = access.get_or_404(_visible(request), pk=org_id)
    kids = [k for k in member_counts.children_with_counts(org) if access.covers(request.user, access.ORG_VIEW, k.path)]
    return [
        {**_out(k), "member_count": k.member_count, "official_count": k.official_count, "small_cell": k.is_small_cell}
        for k in kids
    ]


@router.get("/{org_id}/counts", response=CountsOut)
def counts(request, org_id: int):
    """Members on the rolls in the node's subtree, in total and by status (from the counters)."""
    org = access.get_or_404(_visible(request), pk=org_id)
    if not access.covers(request.user, access.ORG_VIEW, org.path):
        raise HttpError(404, "Not found")  # a member sees their cell, not its statistics
    by_status = member_counts.subtree_counts_by_status(org)
    return {
        "organization_id": org.pk,
        "members": sum(n for s, n in by_status.items() if s in Member.ON_ROLLS),
        "by_status": by_status,
    }


@router.get("/{org_id}/history", response=list[VersionOut])
def history(request, org_id: int, at: datetime.date | None = None):
    """The node's past names and parents; with `at`, the chain (node up to the root) valid that day."""
    org = access.get_or_404(_visible(request), pk=org_id)
    if not access.covers(request.user, access.ORG_VIEW, org.path):
        raise HttpError(404, "Not found")
    if at is not None:
        moment = timezone.make_aware(datetime.datetime.combine(at, datetime.time.max))
        rows = queries.organization_at(org, moment)
    else:
        rows = list(queries.versions(org))
    return [
        {
            "name": v.name,
            "type": v.type.code,
            "parent_id": v.parent_id,
            "status": v.status,
            "valid_from": v.valid_from,
            "valid_to": v.valid_to,
            "reason": v.reason,
        }
        for v in rows
    ]


@router.post("", response={201: OrganizationOut})
def create(request, data: CreateIn):
    parent = _changeable(request, data.parent_id)
    org_type = OrganizationType.objects.filter(code=data.type).first()
    if org_type is None:
        raise RuleViolation(_("Unknown organisation type."), field="type")
    org = services.organization_create(actor=request.user, name=data.name, type=org_type, parent=parent)
    return Status(201, _out(org))


@router.post("/{org_id}/rename", response=OrganizationOut)
def rename(request, org_id: int, data: RenameIn):
    org = services.organization_rename(actor=request.user, organization=_changeable(request, org_id), name=data.name)
    return _out(org)


@router.get("/{org_id}/impact", response=ImpactOut)
def impact(request, org_id: int):
    """What moving or merging this node would carry along (shown before confirming)."""
    org = _restructurable(request, org_id)
    result = services.subtree_impact(org)
    return {"organizations": result.organizations, "cells": result.cells, "members": result.members}


@router.post("/{org_id}/move", response=OrganizationOut)
def move(request, org_id: int, data: MoveIn):
    org = _restructurable(request, org_id)
    target = _changeable(request, data.new_parent_id)
    return _out(services.organization_move(actor=request.user, organization=org, new_parent=target))


@router.post("/{org_id}/merge", response=OrganizationOut)
def merge(request, org_id: int, data: MergeIn):
    org = _restructurable(request, org_id)
    target = _restructurable(request, data.target_id)
    return _out(services.organization_merge(actor=request.user, source=org, target=target))


@router.post("/{org_id}/split", response={201: OrganizationOut})
def split(request, org_id: int, data: SplitIn):
    org = _restructurable(request, org_id)
    kids = list(Organization.objects.filter(pk__in=data.children, parent=org))
    if len(kids) != len(set(data.children)):
        raise RuleViolation(_("Some chosen organisations are not sub-organisations of this one."), field="children")
    new = services.organization_split(
        actor=request.user, organization=org, new_name=data.name, children=kids, member_ids=data.members
    )
    return Status(201, _out(new))


@router.post("/{org_id}/dissolve", response=OrganizationOut)
def dissolve(request, org_id: int):
    org = _restructurable(request, org_id)
    return _out(services.organization_dissolve(actor=request.user, organization=org))
