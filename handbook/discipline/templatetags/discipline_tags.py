from django import template

from handbook.core import access

register = template.Library()


@register.simple_tag(takes_context=True)
def sees_discipline(context, org) -> bool:
    """Whether the reader holds the sensitive-data permission over `org` (discipline pages)."""
    request = context.get("request")
    return bool(request) and access.covers(request.user, access.MEMBER_SENSITIVE, org.path)
