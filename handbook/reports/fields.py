"""Report templates: the list of fields a committee asks for, and checking a submission's data
against it. A template is a JSON list of {key, label, type, required}; each submission stores which
template version it answered, so changing the template never breaks past submissions."""

import datetime
import decimal
import re
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from handbook.core.errors import RuleViolation

TYPES = {
    "text": gettext_lazy("Text"),
    "number": gettext_lazy("Number"),
    "integer": gettext_lazy("Whole number"),
    "date": gettext_lazy("Date"),
    "yesno": gettext_lazy("Yes/no"),
}
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_FIELDS = 60
MAX_TEXT = 4000
_TRUE = {"yes", "true", "1", "on", "có", "co"}
_FALSE = {"no", "false", "0", "off", "không", "khong"}


def clean_template(fields: Any) -> list[dict]:
    """Check a template and return it normalised; RuleViolation (field "fields") when it is wrong."""
    if fields in (None, ""):
        return []
    if not isinstance(fields, list):
        raise RuleViolation(_("The fields must be a list."), field="fields")
    if len(fields) > MAX_FIELDS:
        raise RuleViolation(_("A report has at most %(n)s fields.") % {"n": MAX_FIELDS}, field="fields")
    cleaned: list[dict] = []
    seen: set[str] = set()
    for index, spec in enumerate(fields, start=1):
        if not isinstance(spec, dict):
            raise RuleViolation(_("Field %(n)s is not described correctly.") % {"n": index}, field="fields")
        key = str(spec.get("key", "")).strip()
        label = " ".join(str(spec.get("label", "")).split())
        kind = str(spec.get("type", "text")).strip()
        if not KEY_RE.match(key):
            raise RuleViolation(
                _("Field %(n)s: the key must start with a letter and use only a–z, 0–9 and _.") % {"n": index},
                field="fields",
            )
        if key in seen:
            raise RuleViolation(_("Field key “%(key)s” is used twice.") % {"key": key}, field="fields")
        if not label:
            raise RuleViolation(_("Field %(n)s needs a label.") % {"n": index}, field="fields")
        if kind not in TYPES:
            raise RuleViolation(
                _("Field “%(key)s”: the type must be one of %(types)s.") % {"key": key, "types": ", ".join(TYPES)},
                field="fields",
            )
        seen.add(key)
        cleaned.append({"key": key, "label": label[:200], "type": kind, "required": bool(spec.get("required"))})
    return cleaned


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _convert(kind: str, value: Any) -> Any:
    """The stored form of one value, or ValueError with the message to show."""
    if kind == "text":
        text = str(value).strip()
        if len(text) > MAX_TEXT:
            raise ValueError(_("Write at most %(n)s characters.") % {"n": MAX_TEXT})
        return text
    if kind == "integer":
        if isinstance(value, bool):
            raise ValueError(_("Enter a whole number."))
        try:
            number = decimal.Decimal(str(value).strip().replace(" ", ""))
        except decimal.InvalidOperation:
            raise ValueError(_("Enter a whole number.")) from None
        if number != number.to_integral_value():
            raise ValueError(_("Enter a whole number."))
        return int(number)
    if kind == "number":
        if isinstance(value, bool):
            raise ValueError(_("Enter a number."))
        try:
            number = decimal.Decimal(str(value).strip().replace(" ", "").replace(",", "."))
        except decimal.InvalidOperation:
            raise ValueError(_("Enter a number.")) from None
        if not number.is_finite():
            raise ValueError(_("Enter a number."))
        return int(number) if number == number.to_integral_value() else float(number)
    if kind == "date":
        if isinstance(value, datetime.date):
            return value.isoformat()
        try:
            return datetime.date.fromisoformat(str(value).strip()).isoformat()
        except ValueError:
            raise ValueError(_("Enter a date as YYYY-MM-DD.")) from None
    if kind == "yesno":
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        raise ValueError(_("Answer yes or no."))
    raise ValueError(_("Unknown field type."))


def clean_data(template: list[dict], data: Any) -> dict:
    """Check submitted values against a template. Every problem is reported at once, by field key,
    in a RuleViolation (its `errors`), with a message that names the field."""
    if data in (None, ""):
        data = {}
    if not isinstance(data, dict):
        raise RuleViolation(_("The report data must be an object of field values."), field="data")
    known = {spec["key"] for spec in template}
    errors: dict[str, str] = {}
    for key in data:
        if key not in known:
            errors[str(key)] = _("“%(key)s” is not a field of this report.") % {"key": key}
    cleaned: dict[str, Any] = {}
    for spec in template:
        key = spec["key"]
        value = data.get(key)
        if _blank(value) or (spec["type"] == "yesno" and value == "" and not spec["required"]):
            if spec["required"]:
                errors[key] = _("%(label)s: this field is required.") % {"label": spec["label"]}
            continue
        try:
            cleaned[key] = _convert(spec["type"], value)
        except ValueError as exc:
            errors[key] = _("%(label)s: %(problem)s") % {"label": spec["label"], "problem": exc}
    if errors:
        first = next(iter(errors))
        raise RuleViolation(errors[first], code="invalid_data", field=first, errors=errors)
    return cleaned


def display(spec: dict, value: Any) -> str:
    """A stored value as text for pages and exports."""
    if value is None:
        return ""
    if spec.get("type") == "yesno":
        return str(_("Yes")) if value else str(_("No"))
    if spec.get("type") == "date":
        try:
            return datetime.date.fromisoformat(value).strftime("%d/%m/%Y")
        except (TypeError, ValueError):
            return str(value)
    return str(value)


def parse_lines(text: str) -> list[dict]:
    """The definition form's field list: one field a line, "key | label | type | required"."""
    fields = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) < 2:
            raise RuleViolation(_("Line %(n)s: write “key | label | type | required”.") % {"n": number}, field="fields")
        required = len(parts) > 3 and parts[3].lower() in {"required", "bắt buộc", "bat buoc", "yes", "1", "*"}
        fields.append(
            {"key": parts[0], "label": parts[1], "type": parts[2] if len(parts) > 2 else "text", "required": required}
        )
    return fields


def as_lines(fields: list[dict]) -> str:
    return "\n".join(
        " | ".join([f["key"], f["label"], f["type"], "required" if f.get("required") else "optional"]) for f in fields
    )
