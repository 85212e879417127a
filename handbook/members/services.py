"""Every change to member records: validated, counted and audited in one transaction."""

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Sum, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from handbook.audit.models import EventType
from handbook.audit.services import audit_record, audit_record_many
from handbook.core.errors import RuleViolation
from handbook.core.text import fold, sort_key, split_name
from handbook.organizations.models import Organization
from handbook.organizations.paths import subtree_q

from .models import Member, MemberCount

EDITABLE_FIELDS = ("full_name", "sex", "date_of_birth", "cccd", "status")


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


def _validate(*, full_name: str, sex: str, date_of_birth: datetime.date, cccd: str, status: str) -> dict:
    full_name = " ".join((full_name or "").split())
    if not full_name:
        raise RuleViolation(_("Enter the member's full name."), code="required", field="full_name")
    if len(full_name) > 150:
        raise RuleViolation(_("The name is longer than 150 characters."), code="too_long", field="full_name")
    if sex not in Member.Sex.values:
        raise RuleViolation(_("Choose the member's sex."), code="invalid", field="sex")
    if not isinstance(date_of_birth, datetime.date):
        raise RuleViolation(_("Enter a valid date of birth."), code="invalid", field="date_of_birth")
    if date_of_birth > timezone.localdate():
        raise RuleViolation(_("The date of birth cannot be in the future."), code="future", field="date_of_birth")
    cccd = (cccd or "").strip()
    if len(cccd) != 12 or not (cccd.isascii() and cccd.isdigit()):
        raise RuleViolation(_("A citizen ID (CCCD) has exactly 12 digits."), code="invalid", field="cccd")
    if status not in Member.Status.values:
        raise RuleViolation(_("Choose a valid status."), code="invalid", field="status")
    family, middle, given = split_name(full_name)
    return {
        "full_name": full_name,
        "family_name": family,
        "middle_name": middle,
        "given_name": given,
        "search_name": fold(full_name),
        "sort_key": sort_key(full_name),
        "sex": sex,
        "date_of_birth": date_of_birth,
        "cccd": cccd,
        "status": status,
    }


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


@transaction.atomic
def member_create(
    *,
    actor: Any,
    organization: Organization,
    full_name: str,
    sex: str,
    date_of_birth: datetime.date,
    cccd: str,
    status: str = Member.Status.PROBATIONARY,
) -> Member:
    data = _validate(full_name=full_name, sex=sex, date_of_birth=date_of_birth, cccd=cccd, status=status)
    # Lock and re-read the cell: the caller's copy may predate a move or merge (stale path/status).
    organization = Organization.objects.select_for_update().select_related("type").get(pk=organization.pk)
    _require_cell(organization)
    if _duplicate_cccd(data["cccd"]):
        raise _duplicate_error()
    try:
        with transaction.atomic():
            member = Member.objects.create(organization=organization, **data)
    except IntegrityError as exc:
        raise _duplicate_error() from exc
    _count_add(organization, member.status, 1)
    audit_record(actor=actor, event_type=EventType.MEMBER_CREATED, obj=member, after=_snapshot(member))
    return member


@transaction.atomic
def member_update(*, actor: Any, member: Member, **changes: Any) -> Member:
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise RuleViolation(_("These fields cannot be changed here: %(f)s") % {"f": ", ".join(sorted(unknown))})
    member = Member.objects.select_for_update().select_related("organization").get(pk=member.pk)
    before = _snapshot(member)
    values = {f: changes.get(f, getattr(member, f)) for f in EDITABLE_FIELDS}
    data = _validate(**values)
    if data["cccd"] != member.cccd and _duplicate_cccd(data["cccd"], exclude_pk=member.pk):
        raise _duplicate_error()
    old_status = member.status
    for key, value in data.items():
        setattr(member, key, value)
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError as exc:
        raise _duplicate_error() from exc
    if old_status != member.status:
        _count_add(member.organization, old_status, -1)
        _count_add(member.organization, member.status, 1)
    after = _snapshot(member)
    if after != before:
        audit_record(actor=actor, event_type=EventType.MEMBER_UPDATED, obj=member, before=before, after=after)
    return member


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
