"""Self-service: a member proposes corrections to their own record; the cell decides."""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from handbook.audit.models import EventType
from handbook.audit.services import audit_record, jsonable
from handbook.core.errors import RuleViolation

from . import services
from .models import ChangeRequest, Member

#: What a member may propose about themselves: the record's fields (not status or cell).
PROPOSABLE_FIELDS = services.RECORD_FIELDS


@transaction.atomic
def change_request_create(*, actor: Any, member: Member, changes: dict, comment: str = "") -> ChangeRequest:
    """Only the member linked to the account proposes; only changed fields are kept; the result
    must pass the same validation as an official's edit, so the cell decides on sound data."""
    if getattr(actor, "member_id", None) != member.pk:
        raise RuleViolation(_("Only the member can propose changes to their own record."), code="not_own")
    unknown = set(changes) - set(PROPOSABLE_FIELDS)
    if unknown:
        raise RuleViolation(_("These fields cannot be changed here: %(f)s") % {"f": ", ".join(sorted(unknown))})
    member = Member.objects.select_for_update().get(pk=member.pk)
    current = {name: getattr(member, name) for name in PROPOSABLE_FIELDS}
    cleaned = services._clean({**current, **changes})
    diff = {name: cleaned[name] for name in changes if cleaned[name] != current[name]}
    if not diff:
        raise RuleViolation(_("Nothing was changed."), code="no_change")
    services._validate({**cleaned, "status": member.status}, organization=member.organization)  # every problem
    if ChangeRequest.objects.filter(member=member, state=ChangeRequest.State.PENDING).exists():
        raise RuleViolation(
            _("You already have a request waiting for the cell. Wait for its answer first."), code="pending"
        )
    request = ChangeRequest.objects.create(
        member=member,
        requested_by=actor,
        before=jsonable({name: current[name] for name in diff}),
        changes=jsonable(diff),
        comment=comment[:500],
    )
    audit_record(
        actor=actor,
        event_type=EventType.CHANGE_REQUEST_CREATED,
        obj=member,
        after={"request": request.pk, **request.changes},
    )
    return request


def _parse(member: Member, changes: dict) -> dict:
    """JSON values back to model values (dates come back as ISO strings)."""
    parsed = {}
    for name, value in changes.items():
        field = Member._meta.get_field(name)
        parsed[name] = field.to_python(value) if value not in (None, "") else value
    return parsed


@transaction.atomic
def change_request_decide(*, actor: Any, request: ChangeRequest, approve: bool, reason: str = "") -> ChangeRequest:
    request = ChangeRequest.objects.select_for_update().select_related("member").get(pk=request.pk)
    if request.state != ChangeRequest.State.PENDING:
        raise RuleViolation(_("This request has already been decided."), code="decided")
    if getattr(actor, "member_id", None) == request.member_id:
        raise RuleViolation(_("Someone else in the cell must decide on your own request."), code="own_request")
    if not approve and not reason.strip():
        raise RuleViolation(_("Give the member a reason for the rejection."), field="reason")
    if approve:
        services.member_update(actor=actor, member=request.member, **_parse(request.member, request.changes))
    request.state = ChangeRequest.State.APPROVED if approve else ChangeRequest.State.REJECTED
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.reason = reason.strip()[:500]
    request.save(update_fields=["state", "decided_by", "decided_at", "reason"])
    audit_record(
        actor=actor,
        event_type=EventType.CHANGE_REQUEST_DECIDED,
        obj=request.member,
        after={"request": request.pk, "state": request.state, "reason": request.reason},
    )
    return request
