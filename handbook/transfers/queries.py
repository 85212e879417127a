"""Scoped lists of transfers for an organisation's subtree: outgoing, incoming, overdue, and the
members temporarily attending a host cell. Every list starts from `access.transfers(user)`."""

import datetime

from django.db.models import Q, QuerySet

from handbook.core import access
from handbook.organizations.models import Organization
from handbook.organizations.paths import subtree_q

from .models import Transfer

LISTS = ("outgoing", "incoming", "overdue", "attending")


def visible(user) -> QuerySet:
    return access.transfers(user).select_related("member", "from_organization", "to_organization")


def overdue_q(today: datetime.date) -> Q:
    """Letters not presented by the deadline, and temporary transfers past their end."""
    return Q(state=Transfer.State.ISSUED, present_by__lt=today) | Q(
        state=Transfer.State.ACCEPTED, kind__in=Transfer.TEMPORARY_KINDS, end__lt=today
    )


def for_subtree(user, org: Organization, which: str, today: datetime.date) -> QuerySet:
    """One of LISTS for the subtree of `org`. Outgoing and incoming leave out moves inside the
    subtree's own cells only when asked for the other direction, so a commune sees a move between
    two of its cells in both lists."""
    out_q = subtree_q(org.path, "from_organization__path")
    in_q = subtree_q(org.path, "to_organization__path")
    rows = visible(user)
    if which == "outgoing":
        return rows.filter(out_q)
    if which == "incoming":
        return rows.filter(in_q)
    if which == "overdue":
        return rows.filter(out_q | in_q).filter(overdue_q(today))
    if which == "attending":
        return rows.filter(in_q, state=Transfer.State.ACCEPTED, kind__in=Transfer.TEMPORARY_KINDS).order_by(
            "member__sort_key"
        )
    raise ValueError(which)


def for_member(user, member) -> QuerySet:
    return visible(user).filter(member=member)


def sees_summary(user, transfer: Transfer) -> bool:
    """The member's record summary: the sending side, the member, and the receiving side once the
    letter has been presented to them."""
    if access.can(user, access.MEMBER_VIEW, transfer.member):
        return True
    if access.covers(user, access.MEMBER_VIEW, transfer.from_organization.path):
        return True
    return transfer.state != Transfer.State.ISSUED and access.covers(
        user, access.MEMBER_VIEW, transfer.to_organization.path
    )
