"""One definition's submissions for one period as XLSX, for the committee: every organisation that
owes the report in the chosen subtree, with its status and the values of each field."""

import datetime
import io

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from handbook.audit.models import EventType
from handbook.audit.services import audit_record
from handbook.organizations.models import Organization

from . import fields, queries
from .models import ReportDefinition, ReportSubmission

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 50_000


def _cell(value):
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value  # never let a cell's text become a spreadsheet formula
    return value


def _value(spec: dict, value):
    """Numbers stay numbers (the committee sums them in the spreadsheet); the rest as shown on pages."""
    if spec.get("type") in ("integer", "number") and isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return _cell(fields.display(spec, value))


@transaction.atomic
def submissions_xlsx(
    *, actor, definition: ReportDefinition, period: datetime.date, node: Organization, today: datetime.date
) -> bytes:
    labels = queries.status_labels()
    states = dict(ReportSubmission.State.choices)
    owing = queries.obligated(definition, node).order_by("path")
    subs = {
        s.organization_id: s
        for s in ReportSubmission.objects.filter(
            definition=definition, period=period, organization__in=owing
        ).select_related("template")
    }
    # The current template's columns first, then any field only older versions asked for, so a
    # report answered before the template changed loses nothing in the export.
    template = list(definition.current_template().fields)
    known = {f["key"] for f in template}
    for sub in sorted(subs.values(), key=lambda s: -s.template.version):
        for spec in sub.template.fields:
            if spec["key"] not in known:
                known.add(spec["key"])
                template.append(spec)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=definition.period_label(period).replace("/", "-")[:31])
    sheet.append(
        [
            _("Organisation"),
            _("Status"),
            _("Submitted at"),
            _("Review"),
            _("Template version"),
            *[f["label"] for f in template],
            _("Attachment"),
        ]
    )
    count = 0
    for org in owing[:MAX_ROWS].iterator():
        sub = subs.get(org.pk)
        status = queries.status(definition, period, sub, today)
        row = [org.name, str(labels[status])]
        if sub is None:
            row += ["", "", ""] + [""] * len(template) + [""]
        else:
            row += [
                timezone.localtime(sub.submitted_at).strftime("%d/%m/%Y %H:%M"),
                str(states[sub.state]),
                sub.template.version,
            ]
            row += [_value(f, sub.data.get(f["key"])) for f in template]
            row.append(_cell(sub.attachment_name))
        sheet.append(row)
        count += 1
    out = io.BytesIO()
    book.save(out)
    audit_record(
        actor=actor,
        event_type=EventType.REPORTS_EXPORTED,
        obj=definition,
        after={"period": period, "organization_id": node.pk, "rows": count},
    )
    return out.getvalue()
