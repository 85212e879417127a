from django import template

register = template.Library()


@register.filter
def change_lines(event) -> list[tuple[str, object, object]]:
    """An audit event's before/after as (field, old, new) rows, changed fields only."""
    before = event.before or {}
    after = event.after or {}
    keys = [k for k in {**before, **after} if before.get(k) != after.get(k)]
    return [(k, before.get(k), after.get(k)) for k in keys]


@register.filter
def attr_display(obj, name: str) -> str:
    """A model field's value for display: choice labels, dd/mm/yyyy dates, blanks for None."""
    display = getattr(obj, f"get_{name}_display", None)
    if callable(display):
        return display()
    value = getattr(obj, name, None)
    if value is None:
        return ""
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    return str(value)
