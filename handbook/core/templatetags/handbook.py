from django import template

register = template.Library()


@register.filter
def change_lines(event) -> list[tuple[str, object, object]]:
    """An audit event's before/after as (field, old, new) rows, changed fields only."""
    before = event.before or {}
    after = event.after or {}
    keys = [k for k in {**before, **after} if before.get(k) != after.get(k)]
    return [(k, before.get(k), after.get(k)) for k in keys]
