import datetime

import pytest
from django.utils import timezone

from handbook.audit.models import AuditEvent, EventType
from handbook.core.errors import RuleViolation
from handbook.core.models import IdempotencyRecord
from handbook.meetings import services
from handbook.meetings.models import Attendance, Meeting


def test_a_retried_check_in_is_answered_once(client_for, w):
    client = client_for("member")
    first = client.post(f"/api/v1/meetings/{w.meeting.pk}/check-in", HTTP_IDEMPOTENCY_KEY="tap-1")
    again = client.post(f"/api/v1/meetings/{w.meeting.pk}/check-in", HTTP_IDEMPOTENCY_KEY="tap-1")
    assert first.status_code == again.status_code == 200 and first.json() == again.json()
    assert Attendance.objects.filter(meeting=w.meeting, member=w.own_member).count() == 1
    assert AuditEvent.objects.filter(event_type=EventType.ATTENDANCE_RECORDED).count() == 1
    assert IdempotencyRecord.objects.count() == 1
    # A new tap without the key changes nothing either.
    assert client.post(f"/api/v1/meetings/{w.meeting.pk}/check-in").json()["state"] == "present"
    assert Attendance.objects.filter(meeting=w.meeting).count() == 1


def test_a_key_reused_for_another_request_is_refused(client_for, w):
    client = client_for("secretary")
    url = f"/api/v1/meetings/{w.meeting.pk}/roll-call"
    body = {"member_id": w.other_member.pk, "state": "present"}
    assert client.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k").status_code == 200
    other = {**body, "state": "absent"}
    response = client.post(url, other, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 400 and response.json()["code"] == "idempotency_conflict"
    assert Attendance.objects.get(meeting=w.meeting, member=w.other_member).state == "present"


def test_check_in_is_open_only_around_the_meeting(w):
    Meeting.objects.filter(pk=w.meeting.pk).update(starts_at=timezone.now() + datetime.timedelta(hours=2))
    with pytest.raises(RuleViolation) as err:
        services.check_in(actor=w.users["member"], meeting=w.meeting)
    assert err.value.code == "window"
    with pytest.raises(RuleViolation) as err:
        services.check_in(actor=w.users["commune"], meeting=w.meeting)
    assert err.value.code == "not_a_member"


def test_roll_call_absence_and_rates(client_for, w):
    services.absence_notify(actor=w.users["member"], meeting=w.meeting, reason="Đi viện")
    client = client_for("secretary")
    response = client.post(
        f"/meetings/{w.meeting.pk}/roll-call/",
        {"member": w.other_member.pk, "state": "present"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and "Lê Văn Cường" in response.content.decode()
    summary = client.get(f"/api/v1/meetings/{w.meeting.pk}/attendance").json()
    assert (summary["expected"], summary["present"], summary["excused"], summary["rate"]) == (4, 1, 1, 25.0)
    with pytest.raises(RuleViolation):
        services.roll_call(actor=w.users["secretary"], meeting=w.meeting, member=w.outside_member, state="present")


def test_a_draft_is_hidden_from_members_until_published(client_for, w):
    assert client_for("member").get(f"/meetings/{w.draft_meeting.pk}/").status_code == 404
    client_for("secretary").post(f"/meetings/{w.draft_meeting.pk}/publish/")
    assert client_for("member").get(f"/meetings/{w.draft_meeting.pk}/").status_code == 200


def test_the_schedule_generates_the_coming_regular_meetings_once(w):
    services.schedule_set(
        actor=None, organization=w.a1b, day_of_month=28, time=datetime.time(19, 0), place="Nhà văn hóa"
    )
    first = services.schedule_generate(actor=None, organization=w.a1b, months=3)
    again = services.schedule_generate(actor=None, organization=w.a1b, months=3)
    assert 2 <= len(first) <= 3 and again == []
    assert all(m.starts_at.astimezone(timezone.get_current_timezone()).day == 28 for m in first)


def test_meetings_belong_to_cells(w):
    with pytest.raises(RuleViolation):
        services.meeting_create(actor=None, organization=w.a1, title="X", starts_at=timezone.now())


def test_a_member_subscribes_to_their_meetings_in_a_calendar_app(client_for, w):
    from icalendar import Calendar

    page = client_for("member").get("/meetings/calendar/")
    url = page.context["url"]
    token_path = url.split("testserver")[1]
    feed = client_for("anonymous").get(token_path)
    assert feed["Content-Type"].startswith("text/calendar")
    events = [c for c in Calendar.from_ical(feed.content).walk("VEVENT")]
    assert [str(e["summary"]) for e in events] == ["Sinh hoạt chi bộ"]  # the draft is not listed
    client_for("member").post("/meetings/calendar/")  # a new address...
    assert client_for("anonymous").get(token_path).status_code == 404  # ...and the old one is dead


def test_the_secretary_edits_the_meeting_and_shows_a_qr_code(client_for, w):
    client = client_for("secretary")
    response = client.post(
        f"/meetings/{w.meeting.pk}/edit/",
        {
            "title": "Sinh hoạt chi bộ tháng 11",
            "type": "regular",
            "starts_at": "2026-12-05T19:00",
            "place": "Hội trường thôn",
            "agenda": "1. Nghị quyết\n2. Kết nạp",
        },
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get(pk=w.meeting.pk)
    assert (meeting.title, meeting.place) == ("Sinh hoạt chi bộ tháng 11", "Hội trường thôn")
    event = AuditEvent.objects.get(event_type=EventType.MEETING_UPDATED)
    assert event.before["place"] == "" and event.after["place"] == "Hội trường thôn"
    qr = client.get(f"/meetings/{w.meeting.pk}/qr/")
    assert "<svg" in qr.content.decode() and f"/meetings/{w.meeting.pk}/" in qr.context["url"]
