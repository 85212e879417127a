"""Scoped reads. Discipline is sensitive: a case is seen by the member it concerns and by roles
holding the sensitive-data permission over the case's organisation; everyone else gets 404.
Exits and exemptions follow the ordinary member-view scope (the status they set is visible)."""

import datetime
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet

from handbook.audit.services import sensitive_read
from handbook.core import access
from handbook.organizations.paths import subtree_q

from .models import DisciplineCase, Exemption, Exit


def _under(paths: tuple[str, ...], prefix: str) -> Q | None:
    if not paths:
        return None
    return reduce(or_, (subtree_q(p, prefix) for p in paths))


def cases(user) -> QuerySet:
    """Cases the user may read: sensitive-data holders over the organisation, or the member."""
    scope = access.scope_for(user)
    paths = scope.paths(access.MEMBER_SENSITIVE)
    q = None
    if paths:
        # A member's case follows the member (a transfer hands it to the new cell's officials).
        q = Q(against_organization=False) & _under(paths, "member__organization__path") | Q(
            against_organization=True
        ) & _under(paths, "organization__path")
    if scope.member_id:
        own = Q(member_id=scope.member_id)
        q = own if q is None else q | own
    if q is None:
        return DisciplineCase.objects.none()
    return DisciplineCase.objects.filter(q).select_related("member__organization", "organization", "rule_set", "motion")


def _path(case: DisciplineCase) -> str:
    return case.organization.path if case.against_organization else case.member.organization.path


def can_manage(user, case: DisciplineCase) -> bool:
    """Open, decide and record appeals: change rights plus the sensitive-data permission."""
    path = _path(case)
    change = access.ORG_CHANGE if case.against_organization else access.MEMBER_CHANGE
    return access.covers(user, change, path) and access.covers(user, access.MEMBER_SENSITIVE, path)


def can_open_for_member(user, member) -> bool:
    path = member.organization.path
    return access.covers(user, access.MEMBER_CHANGE, path) and access.covers(user, access.MEMBER_SENSITIVE, path)


def can_open_for_organization(user, organization) -> bool:
    path = organization.path
    return access.covers(user, access.ORG_CHANGE, path) and access.covers(user, access.MEMBER_SENSITIVE, path)


def subtree_cases(user, organization) -> QuerySet:
    """Cases of members now in the subtree, and cases against organisations in it."""
    return cases(user).filter(
        Q(against_organization=False) & subtree_q(organization.path, "member__organization__path")
        | Q(against_organization=True) & subtree_q(organization.path, "organization__path")
    )


def log_read(user, rows, channel: str) -> None:
    """Record that `user` received the discipline data of these members (not their own)."""
    ids = sorted({c.member_id for c in rows if c.member_id})
    sensitive_read(actor=user, member_ids=ids, fields=["discipline"], channel=channel)


def exits(user) -> QuerySet:
    scope = access.scope_for(user)
    q = _under(scope.paths(access.MEMBER_VIEW), "organization__path")
    if scope.member_id:
        own = Q(member_id=scope.member_id)
        q = own if q is None else q | own
    if q is None:
        return Exit.objects.none()
    return Exit.objects.filter(q).select_related("member", "organization")


def exit_list(user, organization, start: datetime.date | None = None, end: datetime.date | None = None) -> QuerySet:
    """Exits from the subtree of `organization` (by the cell the member left from) in a period."""
    rows = exits(user).filter(subtree_q(organization.path, "organization__path"))
    if start:
        rows = rows.filter(date__gte=start)
    if end:
        rows = rows.filter(date__lte=end)
    return rows


def exits_shown(user, rows) -> list:
    """Exit rows as this reader may see them. An expulsion comes from a discipline case, which is
    protected: without the sensitive-data permission over the cell (or being the member) a reader
    sees that the member was expelled (their status says so) but not the decision, the case or a
    revocation, and a revoked expulsion is not listed at all."""
    scope = access.scope_for(user)
    shown = []
    for row in rows:
        protected = row.case_id is not None or row.kind == Exit.Kind.EXPULSION
        if (
            protected
            and scope.member_id != row.member_id
            and not access.covers(user, access.MEMBER_SENSITIVE, row.organization.path)
        ):
            if row.reversed_on:
                continue
            row.decision, row.note, row.case_id, row.case = "", "", None, None
        shown.append(row)
    return shown


def exemptions(user) -> QuerySet:
    members = access.members(user)
    return Exemption.objects.filter(member__in=members).select_related("member")
