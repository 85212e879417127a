import datetime

import pytest
from django.utils import timezone

from handbook.audit.models import AuditEvent, EventType
from handbook.core.errors import RuleViolation
from handbook.core.models import IdempotencyRecord
from handbook.meetings import services
from handbook.meetings.models import Attendance, Meeting
from handbook.testing import meeting_move


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
    meeting_move(w.meeting, timezone.now() + datetime.timedelta(hours=2))
    with pytest.raises(RuleViolation) as err:
        services.check_in(actor=w.users["member"], meeting=w.meeting)
    assert err.value.code == "window"
    opens = timezone.localtime(w.meeting.starts_at - datetime.timedelta(minutes=30))
    assert f"{opens:%H:%M %d/%m/%Y}" in str(err.value)  # the message says when it opens
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


def _own_rules(w, **values):
    """Province A keeps its own rule set (from today) with these values."""
    from handbook.rules import services as rule_services
    from handbook.rules.models import RuleSet

    default = RuleSet.objects.get(is_default=True).versions.order_by("-number").first()
    own = rule_services.rule_set_create(
        actor=w.users["admin"],
        name="Tỉnh A",
        owner=w.a,
        values={**default.values, **values},
        effective_from=timezone.localdate(),
    )
    rule_services.rule_assign(
        actor=w.users["admin"], organization=w.a, rule_set=own.rule_set, effective_from=timezone.localdate()
    )
    return own


def test_the_check_in_window_comes_from_the_cells_rulebook(client_for, w):
    # The national rules: from 30 minutes before to 240 minutes after the start.
    assert w.meeting.check_in_opens_at == w.meeting.starts_at - datetime.timedelta(minutes=30)
    assert w.meeting.check_in_closes_at == w.meeting.starts_at + datetime.timedelta(minutes=240)
    # Province A opens check-in an hour before and closes it two hours after the start.
    _own_rules(w, **{"meetings.check_in_opens_minutes": 60, "meetings.check_in_closes_minutes": 120})
    starts_at = timezone.now() + datetime.timedelta(minutes=50)
    meeting = services.meeting_create(
        actor=None, organization=w.a1a, title="Chuyên đề", starts_at=starts_at, type="thematic"
    )
    services.meeting_publish(actor=None, meeting=meeting)
    assert (meeting.check_in_opens_at, meeting.check_in_closes_at) == (
        starts_at - datetime.timedelta(minutes=60),
        starts_at + datetime.timedelta(minutes=120),
    )
    client = client_for("member")
    response = client.post(f"/api/v1/meetings/{meeting.pk}/check-in", HTTP_IDEMPOTENCY_KEY="early")
    assert response.status_code == 200 and response.json()["state"] == "present"  # 50 minutes early: open here
    shown = client.get(f"/api/v1/meetings/{meeting.pk}").json()
    assert shown["check_in_opens_at"] and shown["check_in_closes_at"]
    # Three hours after the start the window (two hours) has closed: refused on every path.
    services.meeting_update(actor=None, meeting=meeting, starts_at=timezone.now() - datetime.timedelta(hours=3))
    meeting.refresh_from_db()
    assert meeting.check_in_closes_at == meeting.starts_at + datetime.timedelta(minutes=120)  # moved with the time
    response = client_for("secretary").post(f"/api/v1/meetings/{meeting.pk}/check-in")
    assert response.status_code == 400 and response.json()["code"] == "window"
    with pytest.raises(RuleViolation) as err:
        services.check_in(actor=w.users["secretary"], meeting=meeting)
    assert err.value.code == "window"


def test_publishing_fixes_the_window_by_the_rules_then_in_force(w):
    starts_at = timezone.now() + datetime.timedelta(days=3)
    draft = services.meeting_create(actor=None, organization=w.a1a, title="Tháng sau", starts_at=starts_at)
    assert draft.check_in_opens_at == starts_at - datetime.timedelta(minutes=30)
    _own_rules(w, **{"meetings.check_in_opens_minutes": 15})
    published = services.meeting_publish(actor=None, meeting=draft)
    assert published.check_in_opens_at == starts_at - datetime.timedelta(minutes=15)
    event = AuditEvent.objects.filter(event_type=EventType.MEETING_PUBLISHED).latest("id")
    assert "check_in_opens_at" in event.after


def test_the_meeting_page_says_when_check_in_opens_and_closes(client_for, w):
    meeting_move(w.meeting, timezone.now() + datetime.timedelta(hours=2))
    page = client_for("member").get(f"/meetings/{w.meeting.pk}/").content.decode()
    opens = timezone.localtime(w.meeting.check_in_opens_at)
    assert f"Bạn có thể điểm danh từ {opens:%H:%M %d/%m/%Y}" in page and "Tôi có mặt" not in page
    meeting_move(w.meeting, timezone.now())
    page = client_for("member").get(f"/meetings/{w.meeting.pk}/").content.decode()
    closes = timezone.localtime(w.meeting.check_in_closes_at)
    assert "Tôi có mặt" in page and f"Điểm danh đóng lúc {closes:%H:%M %d/%m/%Y}" in page


def test_the_meeting_list_reads_the_users_attendance_in_one_query(client_for, w, django_assert_max_num_queries):
    client = client_for("member")
    client.get("/api/v1/me")  # the session is loaded
    later = []
    for days in (7, 14, 21, 28):
        meeting = services.meeting_create(
            actor=None,
            organization=w.a1a,
            title=f"Họp {days}",
            starts_at=timezone.now() + datetime.timedelta(days=days),
        )
        later.append(services.meeting_publish(actor=None, meeting=meeting))
    services.absence_notify(actor=w.users["member"], meeting=later[0], reason="Đi công tác")
    services.check_in(actor=w.users["member"], meeting=w.meeting)
    with django_assert_max_num_queries(8) as queries:
        listed = client.get("/api/v1/meetings", {"upcoming": "true"}).json()
    few = len(queries)
    assert [m["title"] for m in listed][:2] == [w.meeting.title, "Họp 7"]
    assert {m["title"]: m["my_attendance"] for m in listed} == {
        w.meeting.title: "present",
        "Họp 7": "excused",
        "Họp 14": None,
        "Họp 21": None,
        "Họp 28": None,
    }
    for days in (35, 42, 49):  # more meetings, the same number of queries
        services.meeting_publish(
            actor=None,
            meeting=services.meeting_create(
                actor=None,
                organization=w.a1a,
                title=f"Họp {days}",
                starts_at=timezone.now() + datetime.timedelta(days=days),
            ),
        )
    with django_assert_max_num_queries(few):
        assert len(client.get("/api/v1/meetings", {"upcoming": "true"}).json()) == 8


def test_a_meeting_from_before_the_rulebook_gets_todays_window(w):
    """The 2025 rules start on 1 January 2025; a meeting recorded from 2024 still has a window."""
    starts_at = timezone.make_aware(datetime.datetime(2024, 3, 5, 19, 0))
    meeting = services.meeting_create(actor=None, organization=w.a1a, title="Tháng 3/2024", starts_at=starts_at)
    assert meeting.check_in_closes_at - meeting.check_in_opens_at == datetime.timedelta(minutes=270)
    with pytest.raises(RuleViolation) as err:
        services.check_in(actor=w.users["member"], meeting=services.meeting_publish(actor=None, meeting=meeting))
    assert err.value.code == "window"


def test_a_bad_idempotency_key_is_refused_first_on_every_path(client_for, w):
    from handbook.meetings import votes

    motion = votes.motion_open(actor=None, motion=votes.motion_create(actor=None, meeting=w.meeting, title="Q"))
    for persona in ("member", "outsider"):  # one who may vote, one who may not even see the motion
        response = client_for(persona).post(
            f"/api/v1/motions/{motion.pk}/vote",
            {"choice": 0},
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="k" * 101,
        )
        assert (response.status_code, response.json()["code"]) == (400, "idempotency"), persona
