import datetime

import pytest
from django.utils import timezone

from handbook.core.errors import RuleViolation
from handbook.meetings import overview, services, votes
from handbook.meetings.models import Meeting, Rating


def test_a_supervisor_sees_every_meeting_below_and_the_cells_that_held_none(client_for, w):
    services.roll_call(actor=w.users["secretary"], meeting=w.meeting, member=w.own_member, state="present")
    motion = votes.motion_open(
        actor=None, motion=votes.motion_create(actor=None, meeting=w.meeting, title="Nghị quyết")
    )
    votes.vote_cast(actor=w.users["member"], motion=motion, choice=0)
    votes.motion_close(actor=None, motion=motion)
    month = timezone.localdate(w.meeting.starts_at).strftime("%Y-%m")
    page = client_for("leader").get("/meetings/supervise/", {"org": w.a.pk, "month": month})
    rows = page.context["rows"]
    assert [r.meeting.pk for r in rows] == [w.meeting.pk]  # the draft is not counted
    assert (rows[0].present, rows[0].expected, rows[0].rate) == (1, 4, 25.0)
    assert {c.name for c in page.context["silent"]} == {"Chi bộ A1b", "Chi bộ A2a"}
    assert "Nghị quyết" in page.content.decode()
    assert client_for("outsider").get("/meetings/supervise/", {"org": w.a.pk}).status_code == 404


def test_officials_above_the_cell_rate_a_held_meeting(client_for, w):
    Meeting.objects.filter(pk=w.meeting.pk).update(starts_at=timezone.now() - datetime.timedelta(days=1))
    assert (
        client_for("commune").post(f"/meetings/{w.meeting.pk}/rate/", {"score": "4", "comment": "Tốt"}).status_code
        == 302
    )
    client_for("commune").post(f"/meetings/{w.meeting.pk}/rate/", {"score": "5"})  # a second rating replaces the first
    assert list(Rating.objects.values_list("score", flat=True)) == [5]
    assert client_for("secretary").post(f"/meetings/{w.meeting.pk}/rate/", {"score": "5"}).status_code == 404
    with pytest.raises(RuleViolation):
        overview.meeting_rate(actor=w.users["province"], meeting=Meeting.objects.get(pk=w.meeting.pk), score=9)


def test_a_meeting_not_yet_held_cannot_be_rated(w):
    with pytest.raises(RuleViolation):
        overview.meeting_rate(actor=w.users["province"], meeting=w.meeting, score=4)
