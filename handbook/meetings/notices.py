"""What the meetings app tells people through the notifications app: a meeting published, changed
(time, place, link, agenda) or cancelled, an invitation to a guest, and the cell's resolution issued.
Each notice has an event key, so nobody gets the same one twice."""

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Meeting


def _notifications():
    from handbook.notifications import services

    return services


def register() -> None:
    notifications = _notifications()
    notifications.register_kind(
        "meeting.published",
        title=lambda p: _("Meeting: %(title)s") % p,
        body=lambda p: _("%(when)s at %(place)s.") % p,
        label=gettext_lazy("New meetings of my cell"),
    )
    notifications.register_kind(
        "meeting.changed",
        title=lambda p: _("Meeting changed: %(title)s") % p,
        body=lambda p: _("Now %(when)s at %(place)s.") % p,
        label=gettext_lazy("Changes to my cell's meetings"),
    )
    notifications.register_kind(
        "meeting.invited",
        title=lambda p: _("You are invited: %(title)s") % p,
        body=lambda p: _("%(when)s at %(place)s.") % p,
        label=gettext_lazy("Invitations to meetings"),
    )
    notifications.register_recipients("meeting.people", _people)


def _people(meeting_id: int):
    """The cell's members on the rolls who have a login, and the meeting's guests."""
    from django.db.models import Q

    from handbook.accounts.models import User
    from handbook.members.models import Member

    meeting = Meeting.objects.get(pk=meeting_id)
    return (
        User.objects.filter(
            Q(member__organization_id=meeting.organization_id, member__status__in=Member.ON_ROLLS)
            | Q(meeting_invitations__meeting_id=meeting_id),
            is_active=True,
        )
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _params(meeting: Meeting) -> dict:
    when = formats.date_format(timezone.localtime(meeting.starts_at), "d/m/Y H:i")
    place = meeting.place or meeting.online_link or "—"
    return {"title": meeting.title[:200], "when": when, "place": place[:200]}


def published(meeting: Meeting) -> None:
    _notifications().notify(
        "meeting.published",
        f"meeting:{meeting.pk}:published",
        recipients=("meeting.people", {"meeting_id": meeting.pk}),
        params=_params(meeting),
        url=f"/meetings/{meeting.pk}/",
    )


def changed(meeting: Meeting, stamp: str) -> None:
    _notifications().notify(
        "meeting.changed",
        f"meeting:{meeting.pk}:changed:{stamp}",
        recipients=("meeting.people", {"meeting_id": meeting.pk}),
        params=_params(meeting),
        url=f"/meetings/{meeting.pk}/",
    )


def invited(meeting: Meeting, guest) -> None:
    _notifications().notify(
        "meeting.invited",
        f"meeting:{meeting.pk}:invited:{guest.pk}",
        users=[guest.user_id],
        params=_params(meeting),
        url=f"/meetings/{meeting.pk}/",
    )
