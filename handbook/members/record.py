"""The member record as a reader may see it: sections of fields, tables, status history, party age.

One function decides what a reader receives, for pages, the API and (later) exports alike:
sensitive fields and tables are left out unless the reader is the member or holds the
sensitive-data permission over the member's cell; and every such read by someone else is logged.
"""

from dataclasses import dataclass, field
from typing import Any

from handbook.audit.services import sensitive_read
from handbook.core import access

from . import services
from .models import RECORD_TABLES, Member, StatusChange
from .party_age import PartyAge
from .reference import CCCD_PROVINCES
from .sheet import SECTIONS

SENSITIVE_TABLES = [key for key, model in RECORD_TABLES.items() if model.sensitive]


@dataclass
class Field:
    name: str
    label: str
    value: Any
    display: str


@dataclass
class Table:
    key: str
    label: str
    columns: list[tuple[str, str]]
    rows: list[Any]


@dataclass
class RecordView:
    member: Member
    sensitive: bool
    sections: list[tuple[str, str, list[Field]]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    history: list[StatusChange] = field(default_factory=list)
    party_age: PartyAge | None = None

    def values(self) -> dict[str, Any]:
        """Plain values by field name (only the fields this reader may receive)."""
        return {f.name: f.value for _key, _label, fields in self.sections for f in fields}


def _display(member: Member, name: str) -> tuple[Any, str]:
    model_field = Member._meta.get_field(name)
    value = getattr(member, name)
    if name == "birth_province_code" and value:
        return value, f"{CCCD_PROVINCES.get(value, value)} ({value})"
    if model_field.is_relation:
        return (value.pk if value else None), (str(value) if value else "")
    if model_field.choices:
        return value, str(getattr(member, f"get_{name}_display")()) if value else ""
    if hasattr(value, "strftime"):
        return value, value.strftime("%d/%m/%Y")
    return value, "" if value is None else str(value)


def visible_fields(sensitive: bool) -> list[str]:
    return [
        name for _key, _label, names in SECTIONS for name in names if sensitive or name not in Member.SENSITIVE_FIELDS
    ]


def record_view(user, member: Member, *, channel: str, with_tables: bool = True) -> RecordView:
    sensitive = access.sees_sensitive(user, member)
    view = RecordView(member=member, sensitive=sensitive)
    allowed = set(visible_fields(sensitive))
    for key, label, names in SECTIONS:
        fields = []
        for name in names:
            if name not in allowed:
                continue
            value, display = _display(member, name)
            fields.append(Field(name, str(Member._meta.get_field(name).verbose_name), value, display))
        view.sections.append((key, str(label), fields))
    received = [name for name in Member.SENSITIVE_FIELDS if sensitive]
    if with_tables:
        for key, model in RECORD_TABLES.items():
            if model.sensitive and not sensitive:
                continue
            columns = [(f.name, str(f.verbose_name)) for f in model._meta.fields if f.name not in ("id", "member")]
            rows = list(model.objects.filter(member=member))
            view.tables.append(Table(key, str(model._meta.verbose_name), columns, rows))
            if model.sensitive:
                received.append(key)
        view.history = list(StatusChange.objects.filter(member=member).order_by("effective_date", "id"))
        view.party_age = services.member_party_age(member)
    if received:
        sensitive_read(actor=user, member_ids=[member.pk], fields=received, channel=channel)
    return view
