"""Reads of member records; callers start from core.access.members(user)."""

from django.db.models import QuerySet

from handbook.core.text import fold
from handbook.organizations.models import Organization
from handbook.organizations.paths import subtree_q

from .models import Member


def in_organization(org: Organization) -> QuerySet:
    """Members held directly by a cell, in Vietnamese name order."""
    return Member.objects.filter(organization=org).order_by("sort_key", "pk")


def filtered(
    scoped: QuerySet,
    *,
    q: str = "",
    status: str = "",
    sex: str = "",
    organization: Organization | None = None,
) -> QuerySet:
    """The member list: a scoped queryset narrowed by subtree, name/CCCD text, status and sex."""
    qs = scoped
    if organization is not None:
        qs = qs.filter(subtree_q(organization.path, "organization__path"))
    text = (q or "").strip()
    if text:
        if text.isdigit() and len(text) == 12:
            qs = qs.filter(cccd=text)
        else:
            qs = qs.filter(search_name__contains=fold(text))
    if status:
        qs = qs.filter(status=status)
    if sex:
        qs = qs.filter(sex=sex)
    return qs.select_related("organization").order_by("sort_key", "pk")
