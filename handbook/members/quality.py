"""Data quality of a subtree: records that fail validation, records missing what a complete sheet
needs, likely duplicates; and the guided merge of two records of the same person."""

from dataclasses import dataclass

from django.apps import apps
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from handbook.audit.models import EventType
from handbook.audit.services import audit_record
from handbook.core.errors import RuleViolation

from . import services
from .models import RECORD_TABLES, ChangeRequest, Member, StatusChange

#: A record is complete when these are filled (official members also need the official date).
COMPLETE_FIELDS = ("admission_date", "birth_place", "hometown", "residence", "phone")
#: Checking every record runs in the request; beyond this the user picks a smaller organisation.
MAX_CHECKED = 20_000


@dataclass
class Problem:
    member: Member
    problems: dict[str, str]


def invalid_records(members: QuerySet, *, revealed: set[int], limit: int = 200) -> list[Problem]:
    """Records failing today's checks. Problems about the CCCD are described without quoting it
    unless the reader may see that member's protected fields (`revealed` ids)."""
    found = []
    for member in members.exclude(status=Member.Status.MERGED).select_related("organization").iterator():
        values = {name: getattr(member, name) for name in services.RECORD_FIELDS}
        problems = services.record_problems(
            {**values, "status": member.status}, reveal_cccd=member.pk in revealed, organization=member.organization
        )
        if problems:
            found.append(Problem(member, problems))
            if len(found) >= limit:
                break
    return found


def incomplete_records(members: QuerySet, limit: int = 200) -> list[Problem]:
    found = []
    for member in members.filter(status__in=Member.ON_ROLLS).select_related("organization").iterator():
        missing = {
            name: str(Member._meta.get_field(name).verbose_name)
            for name in COMPLETE_FIELDS
            if not getattr(member, name)
        }
        if member.status == Member.Status.OFFICIAL and not member.official_date:
            missing["official_date"] = str(Member._meta.get_field("official_date").verbose_name)
        if missing:
            found.append(Problem(member, missing))
            if len(found) >= limit:
                break
    return found


DUPLICATE_KINDS = {
    "name_birth": gettext_lazy("same name and date of birth"),
    "phone": gettext_lazy("same phone number"),
}


def likely_duplicates(members: QuerySet, limit: int = 100) -> list[tuple[str, list[Member]]]:
    """Groups of records that probably describe one person. (The same CCCD cannot occur: it is
    unique in the database.)"""
    live = members.exclude(status=Member.Status.MERGED)
    groups: list[tuple[str, list[Member]]] = []
    keys = live.values("search_name", "date_of_birth").annotate(n=Count("id")).filter(n__gt=1).order_by()[:limit]
    for key in keys:
        rows = list(
            live.filter(search_name=key["search_name"], date_of_birth=key["date_of_birth"])
            .select_related("organization")
            .order_by("pk")
        )
        groups.append((str(DUPLICATE_KINDS["name_birth"]), rows))
    phones = live.exclude(phone="").values("phone").annotate(n=Count("id")).filter(n__gt=1).order_by()[:limit]
    for key in phones:
        rows = list(live.filter(phone=key["phone"]).select_related("organization").order_by("pk"))
        groups.append((str(DUPLICATE_KINDS["phone"]), rows))
    return groups


@transaction.atomic
def member_merge(*, actor, keep: Member, duplicate: Member) -> Member:
    """Merge `duplicate` into `keep`: empty fields of `keep` are filled from `duplicate`; tables,
    status history and requests move to `keep`. The duplicate stays, marked merged (its history is
    kept), off the rolls. A duplicate with a login is refused: logins never move automatically."""
    keep, duplicate = (
        Member.objects.select_for_update().select_related("organization").get(pk=pk) for pk in (keep.pk, duplicate.pk)
    )
    if keep.pk == duplicate.pk:
        raise RuleViolation(_("Choose two different records."), code="same")
    if actor is not None and not (
        services._may_see_protected(actor, keep) and services._may_see_protected(actor, duplicate)
    ):
        # A merge copies protected fields and tables from one record to the other.
        raise RuleViolation(
            _("Merging needs the permission to see protected information of both records."), code="protected"
        )
    User = apps.get_model("accounts", "User")  # noqa: N806 - accounts depends on members, not back
    if User.objects.filter(member=duplicate).exists():
        # Moving a login to another record would show that record to its holder: never automatic.
        raise RuleViolation(
            _("The record to merge in has a login. Keep that record and merge the other one into it."),
            code="has_login",
        )
    if Member.Status.MERGED in (keep.status, duplicate.status):
        raise RuleViolation(_("One of these records was already merged."), code="merged")
    filled = {
        name: getattr(duplicate, name)
        for name in services.RECORD_FIELDS
        if name != "cccd" and not getattr(keep, name) and getattr(duplicate, name)
    }
    if filled.get("card_number"):
        card = filled.pop("card_number")
        Member.objects.filter(pk=duplicate.pk).update(card_number=None)
        filled["card_number"] = card
    if filled:
        services.member_update(actor=actor, member=keep, **filled)
    moved = {}
    for key, model in RECORD_TABLES.items():
        moved[key] = model.objects.filter(member=duplicate).update(member=keep)
    moved["status_history"] = StatusChange.objects.filter(member=duplicate).update(member=keep)
    ChangeRequest.objects.filter(member=duplicate, state=ChangeRequest.State.PENDING).update(
        state=ChangeRequest.State.REJECTED, reason=str(_("The record was merged into another one."))
    )
    old_status = duplicate.status
    Member.objects.filter(pk=duplicate.pk).update(status=Member.Status.MERGED, merged_into=keep)
    services._count_add(duplicate.organization, old_status, -1)
    services._count_add(duplicate.organization, Member.Status.MERGED, 1)
    audit_record(
        actor=actor,
        event_type=EventType.MEMBER_MERGED,
        obj=keep,
        after={"duplicate_id": duplicate.pk, "filled": sorted(filled), "moved": moved},
    )
    audit_record(
        actor=actor,
        event_type=EventType.MEMBER_MERGED_INTO,
        obj=duplicate,
        before={"status": old_status},
        after={"status": Member.Status.MERGED, "merged_into": keep.pk},
    )
    return keep
