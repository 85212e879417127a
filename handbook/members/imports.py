"""Importing members from Excel (.xlsx) or CSV: a template, whole-file validation with errors by
row and column, then one transaction (all or nothing, or only the valid rows when asked)."""

import csv
import datetime
import functools
import io
from collections import Counter
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task
from openpyxl import Workbook, load_workbook

from handbook.audit.models import AuditEvent, EventType
from handbook.audit.services import current_request_id, jsonable
from handbook.core import access
from handbook.core.errors import RuleViolation
from handbook.core.text import fold, sort_key, split_name
from handbook.organizations.models import Organization

from . import services, validators
from .models import ImportJob, Member, StatusChange

#: Template columns: (field, Vietnamese header). Headers in either language or the field name match.
COLUMNS = [
    ("organization_id", "Mã chi bộ"),
    ("full_name", "Họ và tên"),
    ("sex", "Giới tính"),
    ("date_of_birth", "Ngày sinh"),
    ("cccd", "Số CCCD"),
    ("status", "Tình trạng"),
    ("phone", "Điện thoại"),
    ("birth_place", "Nơi sinh"),
    ("hometown", "Quê quán"),
    ("residence", "Nơi cư trú"),
    ("ethnicity", "Dân tộc"),
    ("religion", "Tôn giáo"),
    ("admission_date", "Ngày vào Đảng"),
    ("official_date", "Ngày chính thức"),
    ("card_number", "Số thẻ đảng viên"),
    ("record_number", "Số lý lịch"),
    ("general_education", "Giáo dục phổ thông"),
    ("political_theory", "Lý luận chính trị"),
]
REQUIRED = {"organization_id", "full_name", "sex", "date_of_birth", "cccd"}
DATE_COLUMNS = {"date_of_birth", "admission_date", "official_date"}
MAX_BYTES = 25 * 1024 * 1024
BATCH = 1000


def template_xlsx() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Đảng viên"
    sheet.append([header for _field, header in COLUMNS])
    sheet.append(
        [
            "123",
            "Nguyễn Văn An",
            "Nam",
            "17/05/1980",
            "037080000123",
            "Chính thức",
            "0912 345 678",
            "Yên Mô, Ninh Bình",
            "Yên Mô, Ninh Bình",
            "Thôn Đông, xã Yên Mô",
            "Kinh",
            "Không",
            "03/02/2005",
            "03/02/2006",
            "",
            "",
            "12/12",
            "Sơ cấp",
        ]
    )
    notes = book.create_sheet("Hướng dẫn")
    for line in (
        "Mỗi dòng một đảng viên; dòng đầu là tên cột (không đổi tên cột).",
        "Mã chi bộ: số hiện ở địa chỉ trang chi bộ (/org/123/). Chỉ nhập vào chi bộ bạn phụ trách.",
        "Giới tính: Nam hoặc Nữ. Ngày: ngày/tháng/năm (17/05/1980).",
        "Tình trạng: Dự bị, Chính thức, Miễn sinh hoạt, ... (để trống: Dự bị).",
        "Cột bắt buộc: Mã chi bộ, Họ và tên, Giới tính, Ngày sinh, Số CCCD.",
        "Xóa dòng ví dụ trước khi nhập.",
    ):
        notes.append([line])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _read_rows(filename: str, content: bytes) -> list[list]:
    if filename.lower().endswith(".xlsx"):
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    text = content.decode("utf-8-sig")
    dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t") if text.strip() else csv.excel
    return [row for row in csv.reader(io.StringIO(text), dialect)]


def _header_map(header: list) -> tuple[dict[int, str], list[str]]:
    names = {}
    for field, label in COLUMNS:
        names[fold(label)] = field
        names[field] = field
        names[fold(str(Member._meta.get_field(field).verbose_name))] = field if field != "organization_id" else field
    mapping, unknown = {}, []
    for index, cell in enumerate(header):
        key = fold(str(cell or ""))
        if not key:
            continue
        if key in names:
            mapping[index] = names[key]
        else:
            unknown.append(str(cell))
    return mapping, unknown


_SYNONYMS = {"sex": {"nam": "M", "nu": "F", "m": "M", "f": "F", "male": "M", "female": "F"}}


@functools.cache
def _choice_table(field: str) -> dict[str, str]:
    """Accepted spellings of a choice: its code and its label in Vietnamese and English."""
    choices = {"sex": Member.Sex, "status": Member.Status, "political_theory": Member.TheoryLevel}[field]
    table = {fold(value): value for value in choices.values if value}
    for language in ("vi", "en"):
        with translation.override(language):
            table.update({fold(str(label)): value for value, label in choices.choices if value})
    table.update(_SYNONYMS.get(field, {}))
    return table


def _choice(field: str, raw: str) -> str | None:
    return _choice_table(field).get(fold(raw))


def _date(raw) -> datetime.date | None:
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    text = str(raw).strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    raise ValueError(text)


@dataclass
class Parsed:
    row: int
    values: dict
    organization: Organization | None


def parse_and_validate(job: ImportJob, rows: list[list], *, progress=None) -> tuple[list[Parsed], list[dict]]:
    """Every row checked; returns the valid rows and the errors (row, column, message)."""
    errors: list[dict] = []
    if not rows:
        return [], [{"row": 1, "column": "", "message": _("The file is empty.")}]
    mapping, unknown = _header_map(rows[0])
    labels = dict(COLUMNS)
    missing = REQUIRED - set(mapping.values())
    if missing or unknown:
        for field in sorted(missing):
            errors.append({"row": 1, "column": labels[field], "message": _("This column is missing.")})
        for name in unknown:
            errors.append({"row": 1, "column": name, "message": _("Unknown column; use the template's headers.")})
        return [], errors
    changeable_paths = access.scope_for(job.user).paths(access.MEMBER_CHANGE)
    orgs: dict[int, Organization | None] = {}
    parsed: list[Parsed] = []
    body = [(number, row) for number, row in enumerate(rows[1:], start=2) if any(c not in (None, "") for c in row)]
    cccd_count = Counter()
    card_count = Counter()
    for _number, row in body:
        values = {field: row[index] if index < len(row) else None for index, field in mapping.items()}
        cccd_count[str(values.get("cccd") or "").strip()] += 1
        if values.get("card_number"):
            card_count[str(values["card_number"]).strip()] += 1
    existing_cccd = set()
    all_cccd = [c for c in cccd_count if c]
    for start in range(0, len(all_cccd), 5000):
        existing_cccd |= set(
            Member.objects.filter(cccd__in=all_cccd[start : start + 5000]).values_list("cccd", flat=True)
        )
    all_cards = [c for c in card_count if c]
    existing_cards = set()
    for start in range(0, len(all_cards), 5000):
        existing_cards |= set(
            Member.objects.filter(card_number__in=all_cards[start : start + 5000]).values_list("card_number", flat=True)
        )
    for position, (number, row) in enumerate(body, start=1):
        raw = {field: row[index] if index < len(row) else None for index, field in mapping.items()}
        problems: dict[str, str] = {}
        values: dict = {}
        for field, value in raw.items():
            if field == "organization_id":
                continue
            if value is None or (isinstance(value, str) and not value.strip()):
                values[field] = None if field in DATE_COLUMNS else ""
                continue
            if field in DATE_COLUMNS:
                try:
                    values[field] = _date(value)
                except ValueError:
                    problems[field] = _("Write the date as day/month/year, e.g. 17/05/1980.")
            elif field == "sex":
                values[field] = _choice(field, str(value)) or str(value)
            elif field == "status":
                values[field] = _choice(field, str(value)) or str(value)
            elif field == "political_theory":
                values[field] = _choice(field, str(value)) or str(value)
            else:
                values[field] = str(value).strip() if not isinstance(value, float) else str(int(value))
        values["status"] = values.get("status") or Member.Status.PROBATIONARY
        organization = None
        org_raw = raw.get("organization_id")
        try:
            org_id = int(str(org_raw).strip().split(".")[0])
        except (TypeError, ValueError):
            problems["organization_id"] = _("Write the cell's number (Mã chi bộ).")
        else:
            if org_id not in orgs:
                org = Organization.objects.select_related("type").filter(pk=org_id).first()
                allowed = org is not None and any(org.path.startswith(p) for p in changeable_paths)
                orgs[org_id] = org if allowed else None
            organization = orgs[org_id]
            if organization is None:
                problems["organization_id"] = _("No cell with this number is in your responsibility.")
            elif not organization.type.holds_members or not organization.is_active:
                problems["organization_id"] = _("This organisation is not an active cell.")
        record = services._clean(
            {name: values.get(name, None if name in validators.DATE_FIELDS else "") for name in services.RECORD_FIELDS}
            | {"status": values["status"]}
        )
        for field, message in services.record_problems(record, organization=organization).items():
            problems.setdefault(field, message)
        cccd = record.get("cccd") or ""
        if cccd and cccd_count[cccd] > 1:
            problems.setdefault("cccd", _("This citizen ID appears on more than one row."))
        elif cccd in existing_cccd:
            problems.setdefault("cccd", _("A member with this citizen ID (CCCD) already exists."))
        card = record.get("card_number")
        if card and card_count[card] > 1:
            problems.setdefault("card_number", _("This party card number appears on more than one row."))
        elif card and card in existing_cards:
            problems.setdefault("card_number", _("Another member has this party card number."))
        if problems:
            for field, message in problems.items():
                errors.append({"row": number, "column": labels.get(field, field), "message": str(message)})
        else:
            parsed.append(Parsed(number, record, organization))
        if progress and position % 500 == 0:
            progress(position)
    return parsed, errors


def write_members(job: ImportJob, parsed: list[Parsed]) -> int:
    """One transaction: members, their initial status history, counters and one audit event each."""
    now = timezone.now()
    today = timezone.localdate()
    with transaction.atomic():
        created: list[Member] = []
        for start in range(0, len(parsed), BATCH):
            batch = []
            for item in parsed[start : start + BATCH]:
                data = dict(item.values)
                family, middle, given = split_name(data["full_name"])
                batch.append(
                    Member(
                        organization=item.organization,
                        family_name=family,
                        middle_name=middle,
                        given_name=given,
                        search_name=fold(data["full_name"]),
                        sort_key=sort_key(data["full_name"]),
                        **data,
                    )
                )
            created.extend(Member.objects.bulk_create(batch, batch_size=BATCH))
        if any(m.pk is None for m in created):  # backends without RETURNING on bulk insert
            by_cccd = dict(Member.objects.filter(cccd__in=[m.cccd for m in created]).values_list("cccd", "pk"))
            for m in created:
                m.pk = by_cccd[m.cccd]
        history = []
        for m in created:
            if m.admission_date:
                history.append(
                    StatusChange(member_id=m.pk, status=Member.Status.PROBATIONARY, effective_date=m.admission_date)
                )
            if m.official_date:
                history.append(
                    StatusChange(member_id=m.pk, status=Member.Status.OFFICIAL, effective_date=m.official_date)
                )
            last = history[-1].status if history and history[-1].member_id == m.pk else None
            if last is not None and last != m.status:
                history.append(StatusChange(member_id=m.pk, status=m.status, effective_date=today))
        StatusChange.objects.bulk_create(history, batch_size=BATCH)
        totals = Counter((m.organization_id, m.status) for m in created)
        organizations = {m.organization_id: m.organization for m in created}
        for (org_id, status), n in totals.items():
            services._count_add(organizations[org_id], status, n)
        label = job.user.get_username()
        request_id = current_request_id()
        AuditEvent.objects.bulk_create(
            [
                AuditEvent(
                    occurred_at=now,
                    actor=job.user,
                    actor_label=label,
                    event_type=int(EventType.MEMBER_CREATED),
                    object_type="members.member",
                    object_id=str(m.pk),
                    object_repr=m.full_name,
                    after=jsonable({**{f: getattr(m, f) for f in services.EDITABLE_FIELDS}, "import_job": job.pk}),
                    request_id=request_id,
                )
                for m in created
            ],
            batch_size=BATCH,
        )
        AuditEvent.objects.create(
            occurred_at=now,
            actor=job.user,
            actor_label=label,
            event_type=int(EventType.MEMBERS_IMPORTED),
            object_type="members.importjob",
            object_id=str(job.pk),
            object_repr=job.filename[:300],
            after={"rows": len(created), "mode": job.mode, "rejected_rows": len({e["row"] for e in job.errors})},
            request_id=request_id,
        )
    return len(created)


def run(job_id: int) -> ImportJob:
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    try:
        ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.VALIDATING)
        rows = _read_rows(job.filename, bytes(job.content))
        total = max(len(rows) - 1, 0)
        ImportJob.objects.filter(pk=job.pk).update(total_rows=total)

        def progress(n: int) -> None:
            ImportJob.objects.filter(pk=job.pk).update(processed_rows=n)

        parsed, errors = parse_and_validate(job, rows, progress=progress)
        job.errors = errors
        ImportJob.objects.filter(pk=job.pk).update(processed_rows=total, errors=errors)
        if (errors and job.mode == ImportJob.Mode.ALL_OR_NOTHING) or (errors and not parsed):
            ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.FAILED, finished_at=timezone.now())
        else:
            ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.WRITING)
            imported = write_members(job, parsed)
            ImportJob.objects.filter(pk=job.pk).update(
                state=ImportJob.State.DONE, imported_rows=imported, finished_at=timezone.now()
            )
    except Exception as exc:  # noqa: BLE001 - the job must end in a state the user can see
        message = _("The file could not be read: %(error)s") % {"error": exc.__class__.__name__}
        ImportJob.objects.filter(pk=job.pk).update(
            state=ImportJob.State.CRASHED,
            errors=[{"row": 0, "column": "", "message": str(message)}],
            finished_at=timezone.now(),
        )
        if not isinstance(exc, ValueError | KeyError | UnicodeDecodeError | csv.Error | OSError):
            raise
    job.refresh_from_db()
    return job


@task()
def run_import(job_id: int) -> None:
    run(job_id)


def start(*, user, filename: str, content: bytes, mode: str) -> ImportJob:
    """Store the upload and queue the job (the database task backend runs it in `db_worker`)."""
    if not filename.lower().endswith((".xlsx", ".csv")):
        raise RuleViolation(_("Upload an Excel (.xlsx) or CSV file."), field="file")
    if len(content) > MAX_BYTES:
        raise RuleViolation(_("The file is larger than 25 MB; split it."), field="file")
    if mode not in ImportJob.Mode.values:
        raise RuleViolation(_("Choose how to handle rows with errors."), field="mode")
    job = ImportJob.objects.create(user=user, filename=filename[:200], content=content, mode=mode)
    run_import.enqueue(job.pk)
    job.refresh_from_db()
    return job


def error_report_csv(job: ImportJob) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow([_("Row"), _("Column"), _("Problem")])
    for error in job.errors:
        writer.writerow([error["row"], error["column"], error["message"]])
    return ("\ufeff" + text.getvalue()).encode("utf-8")
