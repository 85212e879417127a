"""API for the rulebook: sets and versions, the rules in force for an organisation, new
versions and sets, and assigning a set to a subtree. The same services as the pages."""

import datetime
from typing import Any

from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from handbook.core import access
from handbook.organizations.models import Organization

from . import queries, registry, rulebook, services
from .models import RuleSet, RuleSetVersion

router = Router(tags=["rules"])


class VersionSummary(Schema):
    id: int
    rule_set_id: int
    number: int
    label: str
    effective_from: datetime.date
    effective_to: datetime.date | None
    note: str


class VersionOut(VersionSummary):
    values: dict[str, Any]


class RuleSetOut(Schema):
    id: int
    name: str
    description: str
    owner_id: int | None
    is_default: bool
    current_version_id: int | None


class EffectiveOut(Schema):
    organization_id: int
    on: datetime.date
    assigned_at_id: int | None
    version: VersionOut


class KeyOut(Schema):
    key: str
    type: str
    label: str
    help: str


class VersionIn(Schema):
    effective_from: datetime.date
    values: dict[str, Any]
    note: str = ""


class RuleSetIn(VersionIn):
    name: str
    description: str = ""
    owner_id: int | None = None


class AssignIn(Schema):
    organization_id: int
    rule_set_id: int | None = None
    effective_from: datetime.date
    note: str = ""


class AssignOut(Schema):
    id: int
    organization_id: int
    rule_set_id: int | None
    effective_from: datetime.date


def _version(v: RuleSetVersion, *, values: bool = True) -> dict:
    out = {
        "id": v.pk,
        "rule_set_id": v.rule_set_id,
        "number": v.number,
        "label": v.label,
        "effective_from": v.effective_from,
        "effective_to": v.effective_to,
        "note": v.note,
    }
    if values:
        out["values"] = v.values
    return out


@router.get("/keys", response=list[KeyOut])
def keys(request):
    """Every declared rule key, its type and label (for clients that render a form)."""
    return [
        {"key": k.key, "type": type(k.type).__name__, "label": str(k.label), "help": str(k.help)}
        for k in registry.REGISTRY.values()
    ]


@router.get("/sets", response=list[RuleSetOut])
def sets(request):
    today = timezone.localdate()
    out = []
    for s in access.rule_sets(request.user).order_by("-is_default", "name"):
        current = queries.current_version(s, today)
        out.append(
            {
                "id": s.pk,
                "name": s.name,
                "description": s.description,
                "owner_id": s.owner_id,
                "is_default": s.is_default,
                "current_version_id": current.pk if current else None,
            }
        )
    return out


@router.get("/sets/{set_id}/versions", response=list[VersionOut])
def versions(request, set_id: int):
    rule_set = access.get_or_404(access.rule_sets(request.user), pk=set_id)
    return [_version(v) for v in queries.versions(rule_set)]


@router.get("/versions/{version_id}", response=VersionOut)
def version(request, version_id: int):
    v = access.get_or_404(
        RuleSetVersion.objects.select_related("rule_set").filter(rule_set__in=access.rule_sets(request.user)),
        pk=version_id,
    )
    return _version(v)


@router.get("/effective", response=EffectiveOut)
def effective(request, organization_id: int, on: datetime.date | None = None):
    """The rule set version in force for an organisation on a date (default today)."""
    org = access.get_or_404(access.organizations(request.user), pk=organization_id)
    on = on or timezone.localdate()
    v = rulebook.for_organization(org, on=on)
    assignment = rulebook.assignment_for(org.path, on)
    return {
        "organization_id": org.pk,
        "on": on,
        "assigned_at_id": assignment.organization_id if assignment else None,
        "version": _version(v),
    }


@router.post("/sets", response={201: VersionOut})
def create_set(request, data: RuleSetIn):
    """A new rule set with its first version. Without `owner_id` it is national (administrators)."""
    scope = access.scope_for(request.user)
    owner = None
    if data.owner_id is not None:
        owner = access.get_or_404(
            access.organizations(request.user, access.ORG_CHANGE), pk=data.owner_id, status=Organization.Status.ACTIVE
        )
    elif not scope.is_admin:
        raise HttpError(404, "Not found")
    v = services.rule_set_create(
        actor=request.user,
        name=data.name,
        description=data.description,
        owner=owner,
        values=data.values,
        effective_from=data.effective_from,
        note=data.note,
    )
    return Status(201, _version(v))


@router.post("/sets/{set_id}/versions", response={201: VersionOut})
def create_version(request, set_id: int, data: VersionIn):
    rule_set: RuleSet = access.get_or_404(access.rule_sets(request.user, manage=True), pk=set_id)
    v = services.rule_version_create(
        actor=request.user, rule_set=rule_set, values=data.values, effective_from=data.effective_from, note=data.note
    )
    return Status(201, _version(v))


@router.post("/assignments", response={201: AssignOut})
def assign(request, data: AssignIn):
    """From `effective_from`, the organisation's subtree follows `rule_set_id` (null: the rules from above)."""
    org = access.get_or_404(
        access.organizations(request.user, access.ORG_CHANGE),
        pk=data.organization_id,
        status=Organization.Status.ACTIVE,
    )
    rule_set = None
    if data.rule_set_id is not None:
        rule_set = access.get_or_404(access.rule_sets(request.user).select_related("owner"), pk=data.rule_set_id)
    if not services.may_assign(request.user, None, org):
        raise HttpError(404, "Not found")  # the root's rules (everyone's): administrators only
    row = services.rule_assign(
        actor=request.user, organization=org, rule_set=rule_set, effective_from=data.effective_from, note=data.note
    )
    return Status(
        201,
        {
            "id": row.pk,
            "organization_id": row.organization_id,
            "rule_set_id": row.rule_set_id,
            "effective_from": row.effective_from,
        },
    )
