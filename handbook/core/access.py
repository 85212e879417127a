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

from handbook.organizations.paths import ancestor_paths, next_path, subtree_q

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
    #: The active grants as (role, organisation path): documents addressed to a role use them.
    grants: tuple[tuple[str, str], ...] = ()

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


def scope_for(user, *, member_cell_path=_UNKNOWN, grants=None) -> Scope:
    """The user's scope, resolved once per request (and cached with bearer tokens, see
    handbook.accounts.authcache). `member_cell_path`: the path of the user's member's cell when
    the caller already read it (saves a query), None if they have no member record. `grants`:
    the user's active grants on active organisations as (role, path, sensitive_data), when the
    caller already read them (the bearer-token query does)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return EMPTY_SCOPE
    cached = getattr(user, "_handbook_scope", None)
    if cached is not None:
        return cached
    if grants is None:
        from handbook.accounts.models import RoleGrant

        grants = RoleGrant.objects.filter(
            user_id=user.pk, revoked_at__isnull=True, organization__status="active"
        ).values_list("role", "organization__path", "sensitive_data")
    by_perm: dict[str, set[str]] = {}
    is_admin = False
    held: list[tuple[str, str]] = []
    for role, path, sensitive in grants:
        held.append((role, path))
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
        grants=tuple(sorted(held)),
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
    """Meetings the user may see (their own cell's, those of the organisations they oversee, and
    those they are invited to as a guest from an upper level — read-only) or manage (cells whose
    members they may change: the secretary, committee staff)."""
    from handbook.meetings.models import Meeting, MeetingGuest

    scope = scope_for(user)
    q = _paths_q(scope.paths(MEMBER_CHANGE if manage else ORG_VIEW), "organization__path")
    if not manage and scope.member_cell_path:
        own = Q(organization__path=scope.member_cell_path)
        q = own if q is None else q | own
    if not manage and scope.user_id is not None:
        # One indexed sub-select in the same query: no extra round trip on the check-in path.
        invited = Q(pk__in=MeetingGuest.objects.filter(user_id=scope.user_id).values("meeting_id"))
        q = invited if q is None else q | invited
    if q is None:
        return Meeting.objects.none()
    return Meeting.objects.filter(q)


def _audience_q(scope: Scope) -> Q | None:
    """Audience rows that reach this user: a subtree containing their cell or a node they hold a
    role on (role left empty), or a subtree containing a node where they hold the named role.
    At most a handful of `path IN (ancestors)` terms, whatever the audience's size."""
    member_paths: set[str] = set()
    by_role: dict[str, set[str]] = {}
    if scope.member_cell_path:
        member_paths.update([*ancestor_paths(scope.member_cell_path), scope.member_cell_path])
    for role, path in scope.grants:
        chain = [*ancestor_paths(path), path]
        member_paths.update(chain)
        by_role.setdefault(role, set()).update(chain)
    terms = []
    if member_paths:
        terms.append(Q(role="", path__in=sorted(member_paths)))
    terms.extend(Q(role=role, path__in=sorted(paths)) for role, paths in sorted(by_role.items()))
    return reduce(or_, terms) if terms else None


def documents_received(user) -> QuerySet:
    """Published documents addressed to the user (their inbox), visible from `publish_at`."""
    from django.db.models import Exists, OuterRef
    from django.utils import timezone

    from handbook.documents.models import Audience, Document

    q = _audience_q(scope_for(user))
    if q is None:
        return Document.objects.none()
    reaches = Audience.objects.filter(q, document=OuterRef("pk"))
    return Document.objects.filter(Exists(reaches), state=Document.State.PUBLISHED, publish_at__lte=timezone.now())


def documents_issued(user, *, manage: bool = False) -> QuerySet:
    """Documents issued by organisations the user oversees (ORG_VIEW: published and withdrawn
    ones, for the sender's view) or may issue for (ORG_CHANGE, `manage`: drafts too)."""
    from handbook.documents.models import Document

    scope = scope_for(user)
    change = _paths_q(scope.paths(ORG_CHANGE), "issuer_path")
    if manage:
        return Document.objects.filter(change) if change is not None else Document.objects.none()
    view = _paths_q(scope.paths(ORG_VIEW), "issuer_path")
    if view is None:
        return Document.objects.none()
    q = view & ~Q(state=Document.State.DRAFT)
    if change is not None:
        q = q | change
    return Document.objects.filter(q)


def documents(user) -> QuerySet:
    """Every document the user may open: their inbox and what their organisations issued."""
    from handbook.documents.models import Document

    received = documents_received(user).values("pk")
    issued = documents_issued(user).values("pk")
    return Document.objects.filter(Q(pk__in=received) | Q(pk__in=issued))


def feedback(user) -> QuerySet:
    """Feedback the user sent, and feedback addressed to organisations they oversee."""
    from handbook.documents.models import Feedback

    scope = scope_for(user)
    q = _paths_q(scope.paths(ORG_VIEW), "path")
    if scope.user_id is None:
        return Feedback.objects.none()
    own = Q(author_id=scope.user_id)
    return Feedback.objects.filter(own if q is None else own | q)


def rule_sets(user, *, manage: bool = False) -> QuerySet:
    """Rule sets the user may read (national sets, and sets owned by an organisation on the way
    from the root to anything they see) or manage (national sets: administrators; an owned set:
    ORG_CHANGE over its owner)."""
    from handbook.rules.models import RuleSet

    scope = scope_for(user)
    if scope.user_id is None:
        return RuleSet.objects.none()
    if manage:
        q = _paths_q(scope.paths(ORG_CHANGE), "owner__path")
        if scope.is_admin:
            national = Q(owner__isnull=True)
            q = national if q is None else q | national
        return RuleSet.objects.filter(q) if q is not None else RuleSet.objects.none()
    roots = list(scope.paths(ORG_VIEW))
    if scope.member_cell_path:
        roots.append(scope.member_cell_path)
    above = sorted({a for root in roots for a in [*ancestor_paths(root), root]})
    q = Q(owner__isnull=True) | Q(owner__path__in=above)
    inside = _paths_q(scope.paths(ORG_VIEW), "owner__path")
    if inside is not None:
        q = q | inside
    return RuleSet.objects.filter(q)


def transfers(user) -> QuerySet:
    """Transfers whose sending or receiving cell lies in the user's member scope (so another
    province's staff see the letters addressed to their cells, and nothing else of the sending
    side), plus the user's own transfers."""
    from handbook.transfers.models import Transfer

    scope = scope_for(user)
    paths = scope.paths(MEMBER_VIEW)
    q = None
    if paths:
        q = _paths_q(paths, "from_organization__path") | _paths_q(paths, "to_organization__path")
    if scope.member_id:
        own = Q(member_id=scope.member_id)
        q = own if q is None else q | own
    if q is None:
        return Transfer.objects.none()
    return Transfer.objects.filter(q)


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
