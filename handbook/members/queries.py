"""Reads of member records; callers start from core.access.members(user)."""

from django.db.models import QuerySet

from handbook.core.text import fold
from handbook.organizations.models import Organization
from handbook.organizations.paths import subtree_q

from .models import Member
from .validators import normalize_phone


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
    sensitive_scope: QuerySet | None = None,
) -> QuerySet:
    """The member list: a scoped queryset narrowed by subtree, text, status and sex.

    The text is a CCCD (12 digits: searched only among the members whose protected fields the
    caller may see, `sensitive_scope`, so a search cannot reveal whose ID a number is), a phone
    number, a party card number, or a name (diacritics and case ignored)."""
    qs = scoped
    if organization is not None:
        qs = qs.filter(subtree_q(organization.path, "organization__path"))
    text = (q or "").strip()
    if text:
        digits = normalize_phone(text)
        if len(text) == 12 and text.isascii() and text.isdigit():
            allowed = sensitive_scope if sensitive_scope is not None else scoped.none()
            qs = qs.filter(cccd=text, pk__in=allowed.values("pk"))
        elif digits and len(digits) in (10, 11) and not any(ch.isalpha() for ch in text):
            qs = qs.filter(phone=digits)
        elif any(ch.isdigit() for ch in text) and " " not in text:
            qs = qs.filter(card_number=text)
        else:
            qs = qs.filter(search_name__contains=fold(text))
    if status:
        qs = qs.filter(status=status)
    if sex:
        qs = qs.filter(sex=sex)
    return qs.select_related("organization").order_by("sort_key", "pk")


def change_requests(user) -> QuerySet:
    """Requests the user may see: their own, and those of members whose records they may change."""
    from django.db.models import Q

    from handbook.core import access

    from .models import ChangeRequest

    own = Q(member_id=access.scope_for(user).member_id) if access.scope_for(user).member_id else Q(pk__in=[])
    decidable = Q(member__in=access.members(user, access.MEMBER_CHANGE).values("pk"))
    return ChangeRequest.objects.filter(own | decidable).select_related("member", "requested_by", "decided_by")
