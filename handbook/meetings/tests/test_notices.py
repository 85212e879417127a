import datetime

from django.utils import timezone

from handbook.meetings import guests, services
from handbook.notifications.models import Notification


def _told(event_key: str) -> set[int]:
    return set(Notification.objects.filter(event_key=event_key).values_list("user_id", flat=True))


def test_members_are_told_when_a_meeting_is_published(w, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_publish(actor=w.users["secretary"], meeting=w.draft_meeting)
    told = _told(f"meeting:{w.draft_meeting.pk}:published")
    assert told == {w.users["member"].pk, w.users["secretary"].pk}  # the cell's logins, nobody else
    note = Notification.objects.get(event_key=f"meeting:{w.draft_meeting.pk}:published", user=w.users["member"])
    assert note.url == f"/meetings/{w.draft_meeting.pk}/" and note.params["title"] == w.draft_meeting.title


def test_members_are_told_when_the_time_or_place_changes_not_the_type(w, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_update(actor=w.users["secretary"], meeting=w.meeting, type="extraordinary")
    assert not Notification.objects.filter(kind="meeting.changed").exists()
    later = w.meeting.starts_at + datetime.timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_update(actor=w.users["secretary"], meeting=w.meeting, starts_at=later, place="Hội trường xã")
    notes = Notification.objects.filter(kind="meeting.changed")
    assert set(notes.values_list("user_id", flat=True)) == {w.users["member"].pk, w.users["secretary"].pk}
    assert notes.first().params["place"] == "Hội trường xã"


def test_a_draft_change_tells_nobody(w, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_update(
            actor=w.users["secretary"], meeting=w.draft_meeting, starts_at=timezone.now() + datetime.timedelta(days=3)
        )
    assert not Notification.objects.filter(event_key__startswith=f"meeting:{w.draft_meeting.pk}:").exists()


def test_a_guest_is_invited_and_then_told_of_changes(w, django_capture_on_commit_callbacks):
    commune = w.users["commune"]
    with django_capture_on_commit_callbacks(execute=True):
        guest = guests.guest_invite(actor=w.users["secretary"], meeting=w.meeting, user=commune, role_note="Đảng ủy")
    assert _told(f"meeting:{w.meeting.pk}:invited:{guest.pk}") == {commune.pk}
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_update(actor=w.users["secretary"], meeting=w.meeting, agenda="1. Nghị quyết mới")
    assert commune.pk in set(Notification.objects.filter(kind="meeting.changed").values_list("user_id", flat=True))
