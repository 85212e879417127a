"""Every change to member records: validated, counted and audited in one transaction."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Sum, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from handbook.audit.models import EventType
from handbook.audit.services import audit_record, audit_record_many
from handbook.core.errors import RuleViolation
from handbook.core.text import fold, sort_key, split_name
from handbook.organizations.models import Organization
from handbook.organizations.paths import subtree_q

from . import party_age, validators
from .models import RECORD_TABLES, Member, MemberCount, StatusChange
from .sheet import RECORD_FIELDS

#: Scalar fields of the record that services accept (status changes go through member_status_change).
EDITABLE_FIELDS = (*RECORD_FIELDS, "status", "admitting_organization_id")
TEXT_LIMITS = {f.name: f.max_length for f in Member._meta.fields if getattr(f, "max_length", None)}


def _snapshot(member: Member) -> dict:
    return {f: getattr(member, f) for f in (*EDITABLE_FIELDS, "organization_id")}


def _count_add(organization: Organization, status: str, delta: int) -> None:
    if delta == 0:
        return
    rows = MemberCount.objects.filter(organization_id=organization.pk, status=status)
    if not rows.update(count=F("count") + delta):
        try:
            with transaction.atomic():
                MemberCount.objects.create(
                    organization=organization, path=organization.path, status=status, count=delta
                )
        except IntegrityError:
            # Created by a concurrent transaction in between: add to it instead.
            rows.update(count=F("count") + delta)


def _clean(values: dict) -> dict:
    """Normalise text (spaces, phone digits) without judging it; judging is record_problems()."""
    data = dict(values)
    for field, value in values.items():
        if isinstance(value, str):
            data[field] = value.strip() if field == "economic_situation" else " ".join(value.split())
    if data.get("phone"):
        data["phone"] = validators.normalize_phone(data["phone"])
    data["card_number"] = data.get("card_number") or None
    data["political_theory"] = data.get("political_theory") or ""
    return data


#: Problems of these fields quote digits of the citizen ID.
CCCD_FIELDS = ("cccd", "birth_province_code")


def _record_rules(organization: Organization | None) -> dict:
    """The rulebook's minimum admission age and probation length in force today for the cell (the
    rulebook starts with the 2025 rules, so older records are judged by them too; one cached lookup
    per cell and day). Without a cell, the validators' defaults apply."""
    if organization is None:
        return {}
    from handbook.rules import rulebook

    rules = rulebook.for_organization(organization, on=timezone.localdate())
    return {"min_age": rules.value("admission.age_min"), "probation_months": rules.value("probation.months")}


def record_problems(
    data: dict, *, reveal_cccd: bool = True, organization: Organization | None = None
) -> dict[str, str]:
    """Every problem of already-cleaned record values: the rules, the field lengths. Without
    `reveal_cccd` (a reader who may not see the CCCD) a CCCD problem is reported without quoting
    it, so an error message cannot be used to learn the digits."""
    problems = validators.record_problems(
        data,
        today=timezone.localdate(),
        sexes=Member.Sex.values,
        statuses=Member.Status.values,
        theory_levels=Member.TheoryLevel.values,
        **_record_rules(organization),
    )
    for field, limit in TEXT_LIMITS.items():
        value = data.get(field)
        if isinstance(value, str) and len(value) > limit and field not in problems:
            problems[field] = _("At most %(n)s characters.") % {"n": limit}
    if not reveal_cccd:
        for field in CCCD_FIELDS:
            if field in problems:
                problems[field] = str(PROTECTED_CONFLICT)
        for field in ("sex", "date_of_birth"):
            if field not in problems and problems.get("cccd"):
                problems[field] = str(PROTECTED_CONFLICT)
    return problems


PROTECTED_CONFLICT = gettext_lazy(
    "This does not agree with the protected information on the record; ask someone allowed to see it."
)


def _validate(values: dict, *, reveal_cccd: bool = True, organization: Organization | None = None) -> dict:
    """All problems at once (RuleViolation.errors), or the record's values with derived fields."""
    data = _clean(values)
    problems = record_problems(data, reveal_cccd=reveal_cccd, organization=organization)
    if problems:
        field, message = next(iter(problems.items()))
        raise RuleViolation(message, code="invalid", field=field, errors=problems)
    family, middle, given = split_name(data["full_name"])
    data.update(
        family_name=family,
        middle_name=middle,
        given_name=given,
        search_name=fold(data["full_name"]),
        sort_key=sort_key(data["full_name"]),
    )
    return data


def _may_see_protected(actor: Any, member: Member) -> bool:
    """System work (no actor) and readers allowed by the access layer."""
    if actor is None:
        return True
    from handbook.core import access

    return access.sees_sensitive(actor, member)


def _require_cell(organization: Organization) -> None:
    if not organization.type.holds_members:
        raise RuleViolation(
            _("Members belong to a cell; “%(name)s” is not a cell.") % {"name": organization.name},
            code="not_a_cell",
            field="organization",
        )
    if not organization.is_active:
        raise RuleViolation(_("“%(name)s” is archived.") % {"name": organization.name}, code="archived")


def _duplicate_cccd(cccd: str, exclude_pk: int | None = None) -> bool:
    qs = Member.objects.filter(cccd=cccd)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.exists()


def _duplicate_error() -> RuleViolation:
    return RuleViolation(_("A member with this citizen ID (CCCD) already exists."), code="duplicate", field="cccd")


def _check_unique(data: dict, exclude_pk: int | None = None) -> None:
    if _duplicate_cccd(data["cccd"], exclude_pk):
        raise _duplicate_error()
    card = data.get("card_number")
    if card and Member.objects.filter(card_number=card).exclude(pk=exclude_pk).exists():
        raise RuleViolation(_("Another member has this party card number."), code="duplicate", field="card_number")


def _integrity_error(exc: IntegrityError) -> RuleViolation:
    if "card_number" in str(exc):
        return RuleViolation(_("Another member has this party card number."), code="duplicate", field="card_number")
    return _duplicate_error()


@transaction.atomic
def member_create(
    *, actor: Any, organization: Organization, status: str = Member.Status.PROBATIONARY, **fields: Any
) -> Member:
    """Add a member to a cell. Required: full_name, sex, date_of_birth, cccd; any RECORD_FIELDS."""
    unknown = set(fields) - set(RECORD_FIELDS) - {"admitting_organization"}
    if unknown:
        raise RuleViolation(_("These fields cannot be changed here: %(f)s") % {"f": ", ".join(sorted(unknown))})
    admitting = fields.pop("admitting_organization", None)
    values = {f: fields.get(f, "" if f not in validators.DATE_FIELDS else None) for f in RECORD_FIELDS}
    data = _validate({**values, "status": status}, organization=organization)
    # Lock and re-read the cell: the caller's copy may predate a move or merge (stale path/status).
    organization = Organization.objects.select_for_update().select_related("type").get(pk=organization.pk)
    _require_cell(organization)
    _check_unique(data)
    try:
        with transaction.atomic():
            member = Member.objects.create(organization=organization, admitting_organization=admitting, **data)
    except IntegrityError as exc:
        raise _integrity_error(exc) from exc
    _initial_history(member)
    _count_add(organization, member.status, 1)
    audit_record(actor=actor, event_type=EventType.MEMBER_CREATED, obj=member, after=_snapshot(member))
    return member


def _initial_history(member: Member) -> None:
    """Start the status history from what the record knows: probationary from the admission date,
    official from the official date, and any other current status as of today. With no dates known
    the history starts empty (an invented date would outrank later, backdated entries)."""
    rows = []
    if member.admission_date:
        rows.append((member.admission_date, Member.Status.PROBATIONARY))
    if member.official_date:
        rows.append((member.official_date, Member.Status.OFFICIAL))
    if rows and rows[-1][1] != member.status:
        rows.append((max([timezone.localdate(), *[d for d, _s in rows]]), member.status))
    StatusChange.objects.bulk_create(StatusChange(member=member, status=st, effective_date=d) for d, st in rows)


@transaction.atomic
def member_update(*, actor: Any, member: Member, **changes: Any) -> Member:
    """Change record fields; a changed `status` is recorded in the status history as of today."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise RuleViolation(_("These fields cannot be changed here: %(f)s") % {"f": ", ".join(sorted(unknown))})
    member = Member.objects.select_for_update().select_related("organization").get(pk=member.pk)
    before = _snapshot(member)
    allowed = _may_see_protected(actor, member)
    protected = sorted(
        f for f in Member.SENSITIVE_FIELDS if f in changes and _clean({f: changes[f]})[f] != getattr(member, f)
    )
    if protected and not allowed:
        raise RuleViolation(
            _("You may not change protected information (religion, ethnicity, citizen ID, …)."),
            code="protected",
            field=protected[0],
        )
    new_status = changes.pop("status", member.status)
    admitting = changes.pop("admitting_organization_id", member.admitting_organization_id)
    values = {f: changes.get(f, getattr(member, f)) for f in RECORD_FIELDS}
    data = _validate({**values, "status": new_status}, reveal_cccd=allowed, organization=member.organization)
    _check_unique(data, exclude_pk=member.pk)
    old_status = member.status
    for key, value in data.items():
        setattr(member, key, value)
    member.admitting_organization_id = admitting
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError as exc:
        raise _integrity_error(exc) from exc
    if old_status != member.status:
        StatusChange.objects.create(member=member, status=member.status, effective_date=timezone.localdate())
        _count_add(member.organization, old_status, -1)
        _count_add(member.organization, member.status, 1)
    after = _snapshot(member)
    if after != before:
        changed = [k for k in after if after[k] != before[k]]
        audit_record(
            actor=actor,
            event_type=EventType.MEMBER_UPDATED,
            obj=member,
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
        )
    return member


@transaction.atomic
def member_status_change(
    *, actor: Any, member: Member, status: str, effective_date: datetime.date, note: str = ""
) -> StatusChange:
    """Record a status change that took effect on a given day (e.g. removal from the rolls last
    month). The current status becomes the status of the latest change."""
    member = Member.objects.select_for_update().select_related("organization").get(pk=member.pk)
    if status not in Member.Status.values:
        raise RuleViolation(_("Choose a valid status."), field="status")
    problem = validators.not_future_problem(effective_date, today=timezone.localdate())
    if problem:
        raise RuleViolation(problem, code="future", field="effective_date")
    if member.admission_date and effective_date < member.admission_date:
        raise RuleViolation(_("A status change cannot precede the admission."), field="effective_date")
    if status == Member.Status.OFFICIAL and member.admission_date and not member.official_date:
        raise RuleViolation(_("An official member needs the official-membership date."), field="status")
    change = StatusChange.objects.create(member=member, status=status, effective_date=effective_date, note=note[:300])
    latest = StatusChange.objects.filter(member=member).order_by("-effective_date", "-id").first()
    old_status = member.status
    if latest.status != old_status:
        member.status = latest.status
        member.save(update_fields=["status", "updated_at"])
        _count_add(member.organization, old_status, -1)
        _count_add(member.organization, member.status, 1)
    audit_record(
        actor=actor,
        event_type=EventType.MEMBER_STATUS_CHANGED,
        obj=member,
        before={"status": old_status},
        after={"status": member.status, "recorded": status, "effective_date": effective_date, "note": note},
    )
    return change


def member_party_age(member: Member) -> party_age.PartyAge:
    history = StatusChange.objects.filter(member=member).values_list("effective_date", "status")
    return party_age.party_age(member.admission_date, list(history), today=timezone.localdate())


def _transfer(*, actor: Any, source: Organization, target: Organization, members: list[Member]) -> int:
    if not members:
        return 0
    _require_cell(target)
    ids = [m.pk for m in members]
    Member.objects.filter(pk__in=ids).update(organization=target, updated_at=timezone.now())
    by_status: dict[str, int] = {}
    for m in members:
        by_status[m.status] = by_status.get(m.status, 0) + 1
    for status, n in by_status.items():
        _count_add(source, status, -n)
        _count_add(target, status, n)
    audit_record_many(
        actor=actor,
        event_type=EventType.MEMBER_MOVED,
        objects=members,
        before={"organization_id": source.pk},
        after={"organization_id": target.pk},
    )
    return len(members)


@transaction.atomic
def member_move(*, actor: Any, member: Member, organization: Organization) -> Member:
    member = Member.objects.select_for_update().select_related("organization").get(pk=member.pk)
    organization = Organization.objects.select_for_update().select_related("type").get(pk=organization.pk)
    if member.organization_id == organization.pk:
        raise RuleViolation(_("The member is already in “%(name)s”.") % {"name": organization.name}, code="no_change")
    source = member.organization
    _transfer(actor=actor, source=source, target=organization, members=[member])
    member.refresh_from_db()
    return member


class MemberContents:
    """Lets the organisation restructuring services count and move members."""

    key = "members"

    def count(self, organization: Organization) -> int:
        return Member.objects.filter(organization=organization).count()

    def subtree_count(self, organization: Organization) -> int:
        total = MemberCount.objects.filter(subtree_q(organization.path)).aggregate(n=Sum("count"))["n"]
        return total or 0

    def subtree_moved(self, *, old_path: str, new_path: str) -> None:
        MemberCount.objects.filter(subtree_q(old_path)).update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1))
        )

    def transfer_all(self, *, actor: Any, source: Organization, target: Organization) -> int:
        members = list(Member.objects.select_for_update().filter(organization=source).order_by("pk"))
        return _transfer(actor=actor, source=source, target=target, members=members)

    def transfer_selected(self, *, actor: Any, source: Organization, target: Organization, ids: list[int]) -> int:
        members = list(Member.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        if len(members) != len(set(ids)) or any(m.organization_id != source.pk for m in members):
            raise RuleViolation(
                _("Some chosen members do not belong to “%(name)s”.") % {"name": source.name}, code="not_in_source"
            )
        return _transfer(actor=actor, source=source, target=target, members=members)


def _row_snapshot(row) -> dict:
    return {f.name: getattr(row, f.attname) for f in row._meta.fields if f.name not in ("id", "member")}


def _row_problems(row, today: datetime.date) -> dict[str, str]:
    problems: dict[str, str] = {}
    try:
        row.full_clean(exclude=["member"], validate_unique=False)
    except ValidationError as exc:
        problems.update({k: " ".join(str(m) for m in v) for k, v in exc.message_dict.items()})
    for name in ("start", "date", "awarded_on"):
        day = getattr(row, name, None)
        if isinstance(day, datetime.date):
            message = validators.not_future_problem(day, today=today)
            if message:
                problems.setdefault(name, message)
    if hasattr(row, "end"):
        message = validators.period_problem(getattr(row, "start", None), row.end)
        if message:
            problems.setdefault("end", message)
    birth_year = getattr(row, "birth_year", None)
    if birth_year is not None and not 1850 <= birth_year <= today.year:
        problems.setdefault("birth_year", _("Enter a year between 1850 and this year."))
    return problems


@transaction.atomic
def member_row_add(*, actor: Any, member: Member, table: str, **values: Any):
    """Add a row to one of the record's tables (work history, training, family, ...)."""
    model = RECORD_TABLES.get(table)
    if model is None:
        raise RuleViolation(_("Unknown table."), code="unknown_table")
    names = {f.name for f in model._meta.fields} - {"id", "member"}
    unknown = set(values) - names
    if unknown:
        raise RuleViolation(_("These fields cannot be changed here: %(f)s") % {"f": ", ".join(sorted(unknown))})
    member = Member.objects.select_for_update().get(pk=member.pk)
    cleaned = {
        k: (" ".join(v.split()) if isinstance(v, str) and k not in ("reason", "notes") else v)
        for k, v in values.items()
    }
    row = model(member=member, **cleaned)
    problems = _row_problems(row, timezone.localdate())
    if problems:
        field, message = next(iter(problems.items()))
        raise RuleViolation(message, field=field, errors=problems)
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError as exc:
        raise RuleViolation(_("This entry is already in the record."), code="duplicate") from exc
    audit_record(
        actor=actor,
        event_type=EventType.MEMBER_TABLE_ROW_ADDED,
        obj=member,
        after={"table": table, "row_id": row.pk, **_row_snapshot(row)},
    )
    return row


@transaction.atomic
def member_row_remove(*, actor: Any, member: Member, table: str, row_id: int) -> None:
    model = RECORD_TABLES.get(table)
    row = model.objects.select_for_update().filter(member=member, pk=row_id).first() if model else None
    if row is None:
        raise RuleViolation(_("This entry does not exist."), code="not_found")
    before = {"table": table, "row_id": row.pk, **_row_snapshot(row)}
    row.delete()
    audit_record(actor=actor, event_type=EventType.MEMBER_TABLE_ROW_REMOVED, obj=member, before=before)
