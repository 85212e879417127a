"""Guests from upper levels at a cell meeting.

Who may be invited ("the cell's upper levels"): an active user who holds an active role on a
strict ancestor of the cell (commune, province ... committee officials), or an active user linked
to a member on the rolls of another cell of the cell's immediate upper organisation (e.g. a
commune committee member who belongs to a neighbouring cell). Members of the cell itself are not
guests: they are summoned. A guest sees the meeting read-only (see `access.meetings`), may give
opinions, never votes (eligibility is frozen from the cell's roll) and is never counted in the
cell's attendance or its rates (guests are not `Attendance` rows).
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from handbook.audit.models import EventType
from handbook.audit.services import audit_record
from handbook.core.errors import RuleViolation
from handbook.members.models import Member
from handbook.organizations.models import Organization
from handbook.organizations.paths import ancestor_paths, parent_path, subtree_q

from . import services
from .models import Meeting, MeetingGuest


def display_name(user) -> str:
    member = getattr(user, "member", None) if user.member_id else None
    if member is not None:
        return member.full_name
    return user.get_full_name() or user.first_name or user.username


def is_guest(user, meeting: Meeting) -> bool:
    return bool(user.pk) and MeetingGuest.objects.filter(meeting=meeting, user_id=user.pk).exists()


def guest_candidates(meeting: Meeting, query: str = "") -> QuerySet:
    """Users the secretary may invite to `meeting` (not yet invited), optionally searched by name."""
    User = get_user_model()
    cell = meeting.organization
    ancestors = ancestor_paths(cell.path)
    if not ancestors:
        return User.objects.none()
    officials = Q(
        grants__organization__path__in=ancestors,
        grants__revoked_at__isnull=True,
        grants__organization__status=Organization.Status.ACTIVE,
    )
    upper_members = (
        subtree_q(parent_path(cell.path), "member__organization__path")
        & Q(member__status__in=Member.ON_ROLLS)
        & ~Q(member__organization=cell)
    )
    own_roll = Member.objects.filter(organization=cell, status__in=Member.ON_ROLLS).values("pk")
    invited = MeetingGuest.objects.filter(meeting=meeting).values("user_id")
    qs = (
        User.objects.filter(is_active=True)
        .filter(officials | upper_members)
        .exclude(member__in=own_roll)
        .exclude(pk__in=invited)
    )
    for word in (query or "").split()[:5]:
        qs = qs.filter(
            Q(member__full_name__icontains=word)
            | Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(username__icontains=word)
        )
    return qs.select_related("member", "member__organization").distinct().order_by("username")


def _open(meeting: Meeting) -> None:
    if meeting.state == Meeting.State.CANCELLED:
        raise RuleViolation(_("This meeting was cancelled."), code="cancelled")
    if hasattr(meeting, "minutes") and meeting.minutes.finalised_at:
        raise RuleViolation(_("The minutes are final; the meeting can no longer change."), code="final")


@transaction.atomic
def guest_invite(*, actor: Any, meeting: Meeting, user: Any, role_note: str = "") -> MeetingGuest:
    meeting = Meeting.objects.select_for_update().select_related("organization").get(pk=meeting.pk)
    _open(meeting)
    if MeetingGuest.objects.filter(meeting=meeting, user=user).exists():
        raise RuleViolation(_("This person is already invited."), code="duplicate", field="user")
    if not guest_candidates(meeting).filter(pk=user.pk).exists():
        raise RuleViolation(
            _("Invite an official or member of the cell's upper levels."), code="not_upper_level", field="user"
        )
    role_note = " ".join((role_note or "").split())[:200]
    try:
        with transaction.atomic():
            guest = MeetingGuest.objects.create(
                meeting=meeting, user=user, role_note=role_note, invited_by=actor, invited_at=timezone.now()
            )
    except IntegrityError as exc:
        raise RuleViolation(_("This person is already invited."), code="duplicate", field="user") from exc
    audit_record(
        actor=actor,
        event_type=EventType.MEETING_GUEST_INVITED,
        obj=meeting,
        after={"guest": guest.pk, "user_id": user.pk, "name": display_name(user), "role_note": role_note},
    )
    if meeting.state == Meeting.State.PUBLISHED:
        from . import notices

        notices.invited(meeting, guest)
    return guest


@transaction.atomic
def guest_remove(*, actor: Any, guest: MeetingGuest) -> None:
    guest = MeetingGuest.objects.select_for_update().select_related("meeting", "user").get(pk=guest.pk)
    _open(guest.meeting)
    audit_record(
        actor=actor,
        event_type=EventType.MEETING_GUEST_REMOVED,
        obj=guest.meeting,
        before={"guest": guest.pk, "user_id": guest.user_id, "name": display_name(guest.user)},
    )
    guest.delete()


def _set_presence(*, actor: Any, guest: MeetingGuest, present: bool) -> MeetingGuest:
    was = guest.present_at is not None
    if was == present:
        return guest  # a repeated tap changes nothing
    guest.present_at = timezone.now() if present else None
    guest.present_marked_by = actor if present else None
    guest.save(update_fields=["present_at", "present_marked_by"])
    audit_record(
        actor=actor,
        event_type=EventType.MEETING_GUEST_PRESENCE,
        obj=guest.meeting,
        before={"guest": guest.pk, "present": was},
        after={"guest": guest.pk, "present": present},
    )
    return guest


@transaction.atomic
def guest_check_in(*, actor: Any, guest: MeetingGuest) -> MeetingGuest:
    """The guest marks themselves present, in the same window as members' check-in."""
    guest = MeetingGuest.objects.select_for_update().select_related("meeting").get(pk=guest.pk)
    if guest.user_id != actor.pk:
        raise RuleViolation(_("Only the guest checks themselves in."), code="not_the_guest")
    meeting = guest.meeting
    if meeting.state != Meeting.State.PUBLISHED:
        raise RuleViolation(_("This meeting is not open."), code="not_published")
    if not meeting.check_in_opens_at <= timezone.now() <= meeting.check_in_closes_at:
        raise services.outside_window(meeting.check_in_opens_at, meeting.check_in_closes_at)
    return _set_presence(actor=actor, guest=guest, present=True)


@transaction.atomic
def guest_mark(*, actor: Any, guest: MeetingGuest, present: bool = True) -> MeetingGuest:
    """The secretary marks a guest present (or not)."""
    guest = MeetingGuest.objects.select_for_update().select_related("meeting").get(pk=guest.pk)
    _open(guest.meeting)
    return _set_presence(actor=actor, guest=guest, present=present)
