"""Data quality of a subtree: records that fail validation, records missing what a complete sheet
needs, likely duplicates; and the guided merge of two records of the same person."""

from dataclasses import dataclass, field

from django.apps import apps
from django.db import transaction
from django.db.models import Count, Q, QuerySet, UniqueConstraint
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from handbook.audit.models import EventType
from handbook.audit.services import audit_record
from handbook.core.errors import RuleViolation

from . import services
from .models import ChangeRequest, Member, MergeRule

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


@dataclass
class MergePlan:
    """What merging `duplicate` into `keep` would do: rows that move to the kept record and rows
    that stay with the merged one, as (label, count); and why it cannot be done, if it cannot."""

    moves: list[tuple[str, int]] = field(default_factory=list)
    stays: list[tuple[str, int]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _member_relations():
    """(model, foreign key, rule) for every relation that points at a member record."""
    for rel in Member._meta.get_fields(include_hidden=True):
        if rel.is_relation and rel.auto_created and not rel.concrete:
            yield rel.related_model, rel.field, getattr(rel.related_model, "MEMBER_MERGE", {}).get(rel.field.name)


def _clashing(model, fk, keep: Member, duplicate: Member) -> set[int]:
    """Ids of the duplicate's rows that cannot be re-pointed at `keep` without breaking one of
    `model`'s uniqueness rules (the kept record already has that fact: the same badge milestone, a
    review for the same period, an admission case) or naming one person twice in one row (a case
    whose introducer, or member, is the kept record). Those rows stay with the merged record."""
    mine = model._base_manager.filter(**{fk.name: duplicate})
    theirs = model._base_manager.filter(**{fk.name: keep})
    ids: set[int] = set()
    if fk.unique and theirs.exists():
        ids |= set(mine.values_list("pk", flat=True))
    for constraint in model._meta.constraints:
        if not isinstance(constraint, UniqueConstraint) or fk.name not in constraint.fields:
            continue
        condition = constraint.condition or Q()
        others = [name for name in constraint.fields if name != fk.name]
        for pk, *key in mine.filter(condition).values_list("pk", *others):
            if theirs.filter(condition).filter(**dict(zip(others, key, strict=True))).exists():
                ids.add(pk)
    for other, rule in getattr(model, "MEMBER_MERGE", {}).items():
        if other != fk.name and rule.kind == MergeRule.MOVE:
            ids |= set(mine.filter(**{other: keep}).values_list("pk", flat=True))
    return ids


def merge_plan(keep: Member, duplicate: Member) -> MergePlan:
    """Read what a merge would do; `member_merge` refuses whenever `problems` is not empty."""
    plan = MergePlan()
    for model, fk, rule in _member_relations():
        rows = model._base_manager.filter(**{fk.name: duplicate})
        count = rows.count()
        if not count:
            continue
        if rule is None:
            # A relation nobody declared: refuse rather than guess (a test keeps this from happening).
            plan.problems.append(
                _("The record to merge in has rows the merge does not know: %(what)s.")
                % {"what": model._meta.verbose_name}
            )
            continue
        label = str(rule.label)
        if rule.kind == MergeRule.REFUSE:
            plan.problems.append(_("The record to merge in has %(what)s: it cannot be merged away.") % {"what": label})
            continue
        if rule.kind == MergeRule.STAY:
            plan.stays.append((label, count))
            continue
        blocker = model.member_merge_blocker(rows) if hasattr(model, "member_merge_blocker") else ""
        if blocker:
            plan.problems.append(blocker)
        clashing = len(_clashing(model, fk, keep, duplicate))
        if count > clashing:
            plan.moves.append((label, count - clashing))
        if clashing:
            plan.stays.append((_("%(what)s the kept record already has") % {"what": label}, clashing))
    return plan


@transaction.atomic
def member_merge(*, actor, keep: Member, duplicate: Member) -> Member:
    """Merge `duplicate` into `keep`: empty fields of `keep` are filled from `duplicate`; the
    person's history moves to `keep` (the record's tables, status history, and every row whose model
    declares `MergeRule.MOVE`: reviews, decisions, discipline cases, exits, transfers, badges,
    admission and introductions). Facts about the duplicate record at the time (attendance, frozen
    voter lists, receipts) stay with it. The duplicate stays, marked merged, off the rolls; its
    pending change requests are rejected. Refused, with every reason, when `merge_plan` finds a
    problem: a login on the duplicate (logins never move automatically), a transfer in progress, a
    current exemption, an exit, or a review in progress. A row the kept record already has (the same
    badge milestone, a review for the same period) stays with the merged record: nothing is lost,
    and no rule of one-per-person is broken."""
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
    plan = merge_plan(keep, duplicate)
    if plan.problems:
        raise RuleViolation(" ".join(str(problem) for problem in plan.problems), code="blocked")
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
    for model, fk, rule in _member_relations():
        if rule is not None and rule.kind == MergeRule.MOVE:
            rows = model._base_manager.filter(**{fk.name: duplicate})
            count = rows.exclude(pk__in=_clashing(model, fk, keep, duplicate)).update(**{fk.name: keep})
            if count:
                moved[f"{model._meta.label_lower}.{fk.name}"] = count
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
