"""The one access layer: who may see and change which organisations, members and roles.

A user's scope is the set of subtrees of their active role grants (plus, for a user linked to a
member record, that record and their own cell). Every page, API endpoint, export, search and
count starts from one of the query functions below, so an object outside the scope is simply not
found: the caller answers 404, exactly as for an object that does not exist. No view re-implements
a check.
"""

from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet
from django.http import Http404

from handbook.organizations.paths import next_path, subtree_q

ORG_VIEW = "org.view"
ORG_CHANGE = "org.change"
MEMBER_VIEW = "member.view"
MEMBER_CHANGE = "member.change"
ROLE_VIEW = "role.view"
ROLE_CHANGE = "role.change"
AUDIT_VIEW = "audit.view"
#: Religion, ethnicity, CCCD, family, discipline, economic situation: granted per role grant
#: (`RoleGrant.sensitive_data`), always held by administrators, never by a role alone.
MEMBER_SENSITIVE = "member.sensitive"

#: What each role allows, for the subtree of the node it is granted on.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset({ORG_VIEW, ORG_CHANGE, MEMBER_VIEW, MEMBER_CHANGE, ROLE_VIEW, ROLE_CHANGE, AUDIT_VIEW}),
    "committee_staff": frozenset({ORG_VIEW, ORG_CHANGE, MEMBER_VIEW, MEMBER_CHANGE, ROLE_VIEW, ROLE_CHANGE}),
    "leader": frozenset({ORG_VIEW, MEMBER_VIEW, ROLE_VIEW}),
    "cell_secretary": frozenset({ORG_VIEW, MEMBER_VIEW, MEMBER_CHANGE, ROLE_VIEW}),
}


@dataclass(frozen=True)
class Scope:
    """The resolved permissions of one user: permission -> subtree root paths."""

    user_id: int | None
    roots: dict[str, tuple[str, ...]] = field(default_factory=dict)
    member_id: int | None = None
    member_cell_path: str | None = None
    is_admin: bool = False

    def paths(self, perm: str) -> tuple[str, ...]:
        return self.roots.get(perm, ())

    def has_any(self, perm: str) -> bool:
        return bool(self.paths(perm))

    @property
    def is_official(self) -> bool:
        return self.has_any(ORG_VIEW)


EMPTY_SCOPE = Scope(user_id=None)


def _minimal(paths: set[str]) -> tuple[str, ...]:
    """Drop paths inside another path of the set: fewer OR terms, same rows."""
    kept: list[str] = []
    for p in sorted(paths):
        if not any(p.startswith(k) for k in kept):
            kept.append(p)
    return tuple(kept)


_UNKNOWN = object()


def scope_for(user, *, member_cell_path=_UNKNOWN) -> Scope:
    """The user's scope, resolved once per request (and cached with bearer tokens, see
    handbook.accounts.authcache). `member_cell_path`: the path of the user's member's cell when
    the caller already read it (saves a query), None if they have no member record."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return EMPTY_SCOPE
    cached = getattr(user, "_handbook_scope", None)
    if cached is not None:
        return cached
    from handbook.accounts.models import RoleGrant

    grants = RoleGrant.objects.filter(
        user_id=user.pk, revoked_at__isnull=True, organization__status="active"
    ).values_list("role", "organization__path", "sensitive_data")
    by_perm: dict[str, set[str]] = {}
    is_admin = False
    for role, path, sensitive in grants:
        is_admin = is_admin or role == "admin"
        perms = ROLE_PERMISSIONS.get(role, frozenset())
        for perm in perms:
            by_perm.setdefault(perm, set()).add(path)
        if (sensitive or role == "admin") and MEMBER_VIEW in perms:
            by_perm.setdefault(MEMBER_SENSITIVE, set()).add(path)
    member_id = user.member_id
    cell_path = None if member_cell_path is _UNKNOWN else member_cell_path
    if member_id and member_cell_path is _UNKNOWN:
        from handbook.members.models import Member

        cell_path = Member.objects.filter(pk=member_id).values_list("organization__path", flat=True).first()
    scope = Scope(
        user_id=user.pk,
        roots={perm: _minimal(paths) for perm, paths in by_perm.items()},
        member_id=member_id,
        member_cell_path=cell_path,
        is_admin=is_admin,
    )
    user._handbook_scope = scope
    return scope


def forget_scope(user) -> None:
    """Call after changing a user's grants within the same request."""
    if hasattr(user, "_handbook_scope"):
        del user._handbook_scope


def _paths_q(paths: tuple[str, ...], field_prefix: str) -> Q | None:
    if not paths:
        return None
    return reduce(or_, (subtree_q(p, field_prefix) for p in paths))


def organizations(user, perm: str = ORG_VIEW) -> QuerySet:
    """Organisations the user may see (ORG_VIEW) or change (ORG_CHANGE)."""
    from handbook.organizations.models import Organization

    scope = scope_for(user)
    q = _paths_q(scope.paths(perm), "path")
    if perm == ORG_VIEW and scope.member_cell_path:
        own = Q(path=scope.member_cell_path)
        q = own if q is None else q | own
    if q is None:
        return Organization.objects.none()
    return Organization.objects.filter(q)


def restructurable_organizations(user) -> QuerySet:
    """Nodes the user may move, merge, split or dissolve: strictly below a node they may change.

    Where a node hangs is decided one level up, so a commune's staff can rearrange the commune's
    cells but not move, merge or dissolve the commune itself.
    """
    from handbook.organizations.models import Organization

    paths = scope_for(user).paths(ORG_CHANGE)
    if not paths:
        return Organization.objects.none()
    q = reduce(or_, (Q(path__gt=p, path__lt=next_path(p)) for p in paths))
    return Organization.objects.filter(q)


def members(user, perm: str = MEMBER_VIEW) -> QuerySet:
    """Member records the user may see (their subtree, or just their own) or change."""
    from handbook.members.models import Member

    scope = scope_for(user)
    q = _paths_q(scope.paths(perm), "organization__path")
    if perm == MEMBER_VIEW and scope.member_id:
        own = Q(pk=scope.member_id)
        q = own if q is None else q | own
    if q is None:
        return Member.objects.none()
    return Member.objects.filter(q)


def role_grants(user, perm: str = ROLE_VIEW) -> QuerySet:
    from handbook.accounts.models import RoleGrant

    q = _paths_q(scope_for(user).paths(perm), "organization__path")
    if q is None:
        return RoleGrant.objects.none()
    return RoleGrant.objects.filter(q)


def meetings(user, *, manage: bool = False) -> QuerySet:
    """Meetings the user may see (their own cell's, and those of the organisations they oversee)
    or manage (cells whose members they may change: the secretary, committee staff)."""
    from handbook.meetings.models import Meeting

    scope = scope_for(user)
    q = _paths_q(scope.paths(MEMBER_CHANGE if manage else ORG_VIEW), "organization__path")
    if not manage and scope.member_cell_path:
        own = Q(organization__path=scope.member_cell_path)
        q = own if q is None else q | own
    if q is None:
        return Meeting.objects.none()
    return Meeting.objects.filter(q)


def audit_events(user) -> QuerySet:
    """The whole audit trail, for system administrators only."""
    from handbook.audit.models import AuditEvent

    if not scope_for(user).has_any(AUDIT_VIEW):
        return AuditEvent.objects.none()
    return AuditEvent.objects.all()


def can(user, perm: str, obj) -> bool:
    """Whether `obj` (organisation, member or grant) is inside the user's scope for `perm`."""
    from handbook.accounts.models import RoleGrant
    from handbook.members.models import Member
    from handbook.organizations.models import Organization

    if isinstance(obj, Organization):
        return organizations(user, perm).filter(pk=obj.pk).exists()
    if isinstance(obj, Member):
        return members(user, perm).filter(pk=obj.pk).exists()
    if isinstance(obj, RoleGrant):
        return role_grants(user, perm).filter(pk=obj.pk).exists()
    return False


def covers(user, perm: str, path: str) -> bool:
    """Whether the node at `path` lies in one of the user's subtrees for `perm` (no query)."""
    return any(path.startswith(root) for root in scope_for(user).paths(perm))


def sees_sensitive(user, member) -> bool:
    """The member themselves, or a role granted the sensitive-data permission over their cell."""
    scope = scope_for(user)
    if scope.member_id is not None and scope.member_id == member.pk:
        return True
    return covers(user, MEMBER_SENSITIVE, member.organization.path)


def get_or_404(queryset: QuerySet, **lookup):
    """Fetch one object from an already-scoped queryset; out of scope == does not exist."""
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
