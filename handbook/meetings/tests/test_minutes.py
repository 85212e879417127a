import pytest

from handbook.audit.models import AuditEvent, EventType
from handbook.core.errors import RuleViolation
from handbook.meetings import minutes, services, votes
from handbook.meetings.models import Minutes


def test_minutes_are_drafted_from_the_meeting_then_final_and_only_amended(client_for, w):
    services.roll_call(actor=w.users["secretary"], meeting=w.meeting, member=w.own_member, state="present")
    member = client_for("member")
    member.post(
        f"/api/v1/meetings/{w.meeting.pk}/comments",
        {"text": "Đề nghị bổ sung chỉ tiêu kết nạp"},
        content_type="application/json",
    )
    comment = w.meeting.comments.get()
    client_for("secretary").post(f"/meetings/comments/{comment.pk}/taken-in/", {"taken_in": "1"})
    motion = votes.motion_open(
        actor=None, motion=votes.motion_create(actor=None, meeting=w.meeting, title="Thông qua nghị quyết")
    )
    votes.vote_cast(actor=w.users["member"], motion=motion, choice=0)
    votes.motion_close(actor=None, motion=motion)

    secretary = client_for("secretary")
    secretary.post(f"/meetings/{w.meeting.pk}/minutes/", {"action": "draft"})
    text = Minutes.objects.get(meeting=w.meeting).text
    assert "Đề nghị bổ sung chỉ tiêu kết nạp" in text and "Thông qua nghị quyết" in text and "1/4" in text
    secretary.post(f"/meetings/{w.meeting.pk}/minutes/", {"action": "save", "text": text + "\nKết luận: nhất trí."})
    secretary.post(f"/meetings/{w.meeting.pk}/minutes/", {"action": "finalise"})
    final = Minutes.objects.get(meeting=w.meeting)
    assert final.finalised_at and final.text.endswith("nhất trí.")
    with pytest.raises(RuleViolation):
        minutes.minutes_save(actor=w.users["secretary"], meeting=w.meeting, text="rewritten")
    secretary.post(f"/meetings/{w.meeting.pk}/minutes/", {"action": "amend", "text": "Sửa: số đảng viên có mặt là 2."})
    assert Minutes.objects.get(meeting=w.meeting).text == final.text
    assert final.amendments.count() == 1
    assert AuditEvent.objects.filter(event_type=EventType.MINUTES_FINALISED).exists()
    assert member.get(f"/api/v1/meetings/{w.meeting.pk}/minutes").json()["final"] is True
    with pytest.raises(RuleViolation):
        minutes.comment_add(actor=w.users["member"], meeting=w.meeting, text="late")


def test_officials_from_above_read_but_do_not_give_opinions_in_the_cell(client_for, w):
    response = client_for("leader").post(
        f"/api/v1/meetings/{w.meeting.pk}/comments", {"text": "x"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert client_for("leader").get(f"/api/v1/meetings/{w.meeting.pk}/comments").status_code == 200
