"""Every change to the rulebook: validated, transactional, audited, and never reaching into the past."""

import datetime
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from handbook.audit.models import EventType
from handbook.audit.services import audit_record
from handbook.core import access
from handbook.core.errors import RuleViolation
from handbook.organizations.models import Organization

from . import registry, rulebook
from .models import RuleAssignment, RuleSet, RuleSetVersion


def may_manage_set(user, rule_set: RuleSet) -> bool:
    """National sets: administrators only. A set owned by an organisation: whoever may change
    that organisation (its committee staff, or staff above it)."""
    if rule_set.owner_id is None:
        return access.scope_for(user).is_admin
    return access.covers(user, access.ORG_CHANGE, rule_set.owner.path)


def may_assign(user, rule_set: RuleSet | None, organization: Organization) -> bool:
    """Assigning to a subtree needs ORG_CHANGE over the node; the root's rules (the national
    default for everyone) are for administrators only; the set must be national or owned by the
    node or one of its ancestors."""
    if not access.covers(user, access.ORG_CHANGE, organization.path):
        return False
    if organization.depth == 1 and not access.scope_for(user).is_admin:
        return False
    if rule_set is None or rule_set.owner_id is None:
        return True
    return organization.path.startswith(rule_set.owner.path)


def version_is_used(version: RuleSetVersion) -> bool:
    """Whether any decision (any row of any model with a foreign key to versions) used it."""
    for rel in version._meta.related_objects:
        if rel.related_model._default_manager.filter(**{rel.field.name: version.pk}).exists():
            return True
    return False


def _snapshot(version: RuleSetVersion) -> dict:
    return {
        "rule_set": version.rule_set.name,
        "number": version.number,
        "effective_from": version.effective_from,
        "effective_to": version.effective_to,
        "values": version.values,
        "note": version.note,
    }


def _lock_set(rule_set: RuleSet) -> RuleSet:
    return RuleSet.objects.select_for_update(of=("self",)).select_related("owner").get(pk=rule_set.pk)


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise RuleViolation(_("Enter a name."), code="required", field="name")
    if len(name) > 150:
        raise RuleViolation(_("The name is longer than 150 characters."), code="too_long", field="name")
    return name


@transaction.atomic
def rule_set_create(
    *,
    actor: Any,
    name: str,
    description: str = "",
    owner: Organization | None,
    values: dict,
    effective_from: datetime.date,
    note: str = "",
) -> RuleSetVersion:
    """A new rule set (owned by `owner`, or national when None) with its first version."""
    name = _clean_name(name)
    if RuleSet.objects.filter(name__iexact=name).exists():
        raise RuleViolation(_("A rule set with this name already exists."), code="duplicate", field="name")
    rule_set = RuleSet.objects.create(name=name, description=(description or "").strip(), owner=owner)
    audit_record(
        actor=actor,
        event_type=EventType.RULE_SET_CREATED,
        obj=rule_set,
        after={"name": rule_set.name, "owner_id": owner.pk if owner else None, "description": rule_set.description},
    )
    return rule_version_create(
        actor=actor, rule_set=rule_set, values=values, effective_from=effective_from, note=note, first=True
    )


@transaction.atomic
def rule_version_create(
    *,
    actor: Any,
    rule_set: RuleSet,
    values: dict,
    effective_from: datetime.date,
    note: str = "",
    first: bool = False,
) -> RuleSetVersion:
    """Add a version that takes over from `effective_from`: today or later, and after every
    existing version (the previous latest then ends the day before). Only a set's first version
    may start in the past (nothing can have used a set without versions)."""
    rule_set = _lock_set(rule_set)
    clean = registry.validate_values(values)
    today = timezone.localdate()
    latest = rule_set.versions.order_by("-effective_from").first()
    if latest is not None and not first:
        if effective_from < today:
            raise RuleViolation(
                _("A new version cannot start in the past: past decisions keep the rules they used."),
                code="in_the_past",
                field="effective_from",
            )
        if effective_from <= latest.effective_from:
            raise RuleViolation(
                _("A new version must start after the latest one (%(date)s).")
                % {"date": latest.effective_from.strftime("%d/%m/%Y")},
                code="not_after_latest",
                field="effective_from",
            )
        before_to = latest.effective_to
        latest.effective_to = effective_from - datetime.timedelta(days=1)
        latest.save(update_fields=["effective_to"])
        audit_record(
            actor=actor,
            event_type=EventType.RULE_VERSION_CLOSED,
            obj=latest,
            before={"effective_to": before_to},
            after={"effective_to": latest.effective_to},
        )
    number = (rule_set.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = RuleSetVersion.objects.create(
        rule_set=rule_set,
        number=number,
        effective_from=effective_from,
        values=clean,
        note=(note or "").strip(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(actor=actor, event_type=EventType.RULE_VERSION_CREATED, obj=version, after=_snapshot(version))
    rulebook.rules_changed()
    return version


@transaction.atomic
def rule_version_update(
    *, actor: Any, version: RuleSetVersion, values: dict, note: str | None = None
) -> RuleSetVersion:
    """Correct a version that has not come into force and that no decision used."""
    version = RuleSetVersion.objects.select_for_update().select_related("rule_set").get(pk=version.pk)
    if version.effective_from <= timezone.localdate():
        raise RuleViolation(
            _("This version is in force or past and cannot change: add a new version instead."),
            code="immutable",
        )
    if version_is_used(version):
        raise RuleViolation(
            _("A decision already used this version, so it cannot change: add a new version instead."),
            code="immutable",
        )
    clean = registry.validate_values(values)
    before = _snapshot(version)
    version.values = clean
    if note is not None:
        version.note = note.strip()
    version.save(update_fields=["values", "note"])
    audit_record(
        actor=actor, event_type=EventType.RULE_VERSION_UPDATED, obj=version, before=before, after=_snapshot(version)
    )
    rulebook.rules_changed()
    return version


@transaction.atomic
def rule_assign(
    *,
    actor: Any,
    organization: Organization,
    rule_set: RuleSet | None,
    effective_from: datetime.date,
    note: str = "",
) -> RuleAssignment:
    """From `effective_from` (today or later) the subtree of `organization` uses `rule_set`
    (None: it inherits from above again)."""
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    if not organization.is_active:
        raise RuleViolation(
            _("“%(name)s” is archived and cannot be changed.") % {"name": organization.name}, code="archived"
        )
    if effective_from < timezone.localdate():
        raise RuleViolation(
            _("An assignment cannot start in the past: past decisions keep the rules they used."),
            code="in_the_past",
            field="effective_from",
        )
    if rule_set is not None:
        rule_set = RuleSet.objects.select_related("owner").get(pk=rule_set.pk)
        if rule_set.owner_id is not None and not organization.path.startswith(rule_set.owner.path):
            raise RuleViolation(
                _("“%(set)s” belongs to “%(owner)s” and can only be used inside it.")
                % {"set": rule_set.name, "owner": rule_set.owner.name},
                code="outside_owner",
                field="rule_set",
            )
        first = rule_set.versions.order_by("effective_from").first()
        if first is None or first.effective_from > effective_from:
            raise RuleViolation(
                _("“%(set)s” has no version in force on that date.") % {"set": rule_set.name},
                code="no_version",
                field="effective_from",
            )
    previous = (
        RuleAssignment.objects.filter(organization=organization, effective_from__lte=effective_from)
        .order_by("-effective_from")
        .first()
    )
    if RuleAssignment.objects.filter(organization=organization, effective_from__gt=effective_from).exists():
        raise RuleViolation(
            _("A later assignment is already planned for “%(name)s”.") % {"name": organization.name},
            code="not_after_latest",
            field="effective_from",
        )
    before = {"rule_set_id": previous.rule_set_id if previous else None}
    if previous is not None and previous.effective_from == effective_from:
        previous.rule_set = rule_set
        previous.note = (note or "").strip()[:300]
        previous.save(update_fields=["rule_set", "note"])
        row = previous
    else:
        row = RuleAssignment.objects.create(
            organization=organization,
            path=organization.path,
            rule_set=rule_set,
            effective_from=effective_from,
            note=(note or "").strip()[:300],
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
    audit_record(
        actor=actor,
        event_type=EventType.RULE_SET_ASSIGNED,
        obj=organization,
        before=before,
        after={
            "rule_set_id": rule_set.pk if rule_set else None,
            "rule_set": rule_set.name if rule_set else None,
            "effective_from": effective_from,
        },
    )
    rulebook.rules_changed()
    return row


@transaction.atomic
def rule_default_set(*, actor: Any, rule_set: RuleSet) -> RuleSet:
    """Make a national set the default used wherever no ancestor has an assignment."""
    rule_set = _lock_set(rule_set)
    if rule_set.owner_id is not None:
        raise RuleViolation(_("Only a national rule set can be the national default."), code="not_national")
    if not rule_set.versions.filter(effective_from__lte=timezone.localdate()).exists():
        raise RuleViolation(_("“%(set)s” has no version in force yet.") % {"set": rule_set.name}, code="no_version")
    old = RuleSet.objects.select_for_update().filter(is_default=True).exclude(pk=rule_set.pk).first()
    if old is not None:
        old.is_default = False
        old.save(update_fields=["is_default"])
    rule_set.is_default = True
    rule_set.save(update_fields=["is_default"])
    audit_record(
        actor=actor,
        event_type=EventType.RULE_DEFAULT_CHANGED,
        obj=rule_set,
        before={"default_id": old.pk if old else None},
        after={"default_id": rule_set.pk},
    )
    rulebook.rules_changed()
    return rule_set


def assignments_moved(*, old_path: str, new_path: str) -> None:
    """Keep the assignments' path copies right when the organisation services move a subtree.
    Assignments are not records a merge has to move: the children of a merged node take the rules
    of their new place."""
    from django.db.models import Value
    from django.db.models.functions import Concat, Substr

    from handbook.organizations.paths import subtree_q

    RuleAssignment.objects.filter(subtree_q(old_path)).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1))
    )
    rulebook.rules_changed()
