from django import template

register = template.Library()


#: Values never shown in audit pages (the trail keeps them; reading them goes through the record).
PROTECTED_KEYS = {"religion", "ethnicity", "cccd", "birth_province_code", "economic_situation"}
MASK = "•••"


@register.filter
def change_lines(event) -> list[tuple[str, object, object]]:
    """An audit event's before/after as (field, old, new) rows, changed fields only; protected
    member fields show that they changed, not their values."""
    before = event.before or {}
    after = event.after or {}
    keys = [k for k in {**before, **after} if before.get(k) != after.get(k)]
    rows = []
    for k in keys:
        old, new = before.get(k), after.get(k)
        if k in PROTECTED_KEYS:
            old, new = (MASK if old else old), (MASK if new else new)
        rows.append((k, old, new))
    return rows


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
