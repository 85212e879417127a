"""Member lists as XLSX and CSV, scoped and audited; protected columns only where permitted."""

import csv
import io
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook

from handbook.audit.models import EventType, SensitiveAccess
from handbook.audit.services import audit_record, sensitive_read
from handbook.core import access
from handbook.core.errors import RuleViolation

from .models import Member
from .record import visible_fields

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: A synchronous export stays small enough to answer within a request; larger lists are narrowed.
MAX_ROWS = 50_000


def export_columns(sensitive: bool) -> list[tuple[str, str]]:
    names = ["id", *visible_fields(sensitive), "organization"]
    labels = []
    for name in names:
        if name == "id":
            labels.append((name, "ID"))
        elif name == "organization":
            labels.append((name, str(_("Cell"))))
        else:
            labels.append((name, str(Member._meta.get_field(name).verbose_name).capitalize()))
    return labels


def _value(member: Member, name: str):
    if name == "organization":
        return member.organization.name
    if name == "admitting_organization":
        return member.admitting_organization.name if member.admitting_organization_id else ""
    value = getattr(member, name)
    field = Member._meta.get_field(name) if name != "id" else None
    if field is not None and field.choices and value:
        return str(getattr(member, f"get_{name}_display")())
    return "" if value is None else value


def _rows(user, members: Iterable[Member], columns, sensitive_ids: set[int]):
    protected = set(Member.SENSITIVE_FIELDS)
    for member in members:
        yield [
            ("" if (name in protected and member.pk not in sensitive_ids) else _value(member, name))
            for name, _label in columns
        ]


def export_members(*, user, queryset, fmt: str, description: dict) -> tuple[bytes, str]:
    """The file's bytes and its content type. Audited (who, filters, how many); protected columns
    appear only if the user may see them for some of the rows, and are filled only for those rows,
    each such read logged."""
    count = queryset.count()
    if count > MAX_ROWS:
        raise RuleViolation(
            _("The list has %(n)s members; narrow it to at most %(max)s (choose an organisation or a status).")
            % {"n": count, "max": MAX_ROWS},
            code="too_many",
        )
    members = list(queryset.select_related("organization", "admitting_organization"))
    sensitive_ids = set(
        access.members(user, access.MEMBER_SENSITIVE)
        .filter(pk__in=[m.pk for m in members])
        .values_list("pk", flat=True)
    )
    own = getattr(user, "member_id", None)
    if own in {m.pk for m in members}:
        sensitive_ids.add(own)
    columns = export_columns(bool(sensitive_ids))
    header = [label for _name, label in columns]
    if fmt == "xlsx":
        book = Workbook(write_only=True)
        sheet = book.create_sheet(str(_("Members")))
        sheet.append(header)
        for row in _rows(user, members, columns, sensitive_ids):
            sheet.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        body, content_type = buffer.getvalue(), XLSX_TYPE
    elif fmt == "csv":
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(header)
        writer.writerows(_rows(user, members, columns, sensitive_ids))
        # A byte-order mark so spreadsheet programs read the Vietnamese letters as UTF-8.
        body, content_type = ("\ufeff" + text.getvalue()).encode("utf-8"), "text/csv; charset=utf-8"
    else:
        raise RuleViolation(_("Unknown format."), code="format")
    with transaction.atomic():
        audit_record(
            actor=user,
            event_type=EventType.MEMBERS_EXPORTED,
            object_type="members.member",
            object_id="list",
            object_repr=f"{len(members)} members ({fmt})",
            after={"format": fmt, "rows": len(members), "filters": description, "protected_rows": len(sensitive_ids)},
        )
        sensitive_read(
            actor=user,
            member_ids=sorted(sensitive_ids),
            fields=list(Member.SENSITIVE_FIELDS),
            channel=SensitiveAccess.Channel.EXPORT,
        )
    return body, content_type
