import pytest

from handbook.core import access
from handbook.core.errors import RuleViolation
from handbook.meetings import minutes, services, votes
from handbook.notifications.models import Notification


def _adopt(w):
    for name in ("member", "secretary"):
        services.roll_call(actor=w.users["secretary"], meeting=w.meeting, member=w.users[name].member, state="present")
    motion = votes.motion_open(
        actor=None, motion=votes.motion_create(actor=None, meeting=w.meeting, title="Thông qua chương trình hành động")
    )
    votes.vote_cast(actor=w.users["member"], motion=motion, choice=0)
    votes.vote_cast(actor=w.users["secretary"], motion=motion, choice=0)
    return votes.motion_close(actor=None, motion=motion)


def test_the_adopted_resolution_is_issued_to_the_cells_members(w, django_capture_on_commit_callbacks):
    _adopt(w)
    minutes.minutes_save(actor=w.users["secretary"], meeting=w.meeting)
    with pytest.raises(RuleViolation) as err:
        minutes.resolution_issue(actor=w.users["secretary"], meeting=w.meeting, title="", text="Nghị quyết")
    assert err.value.code == "not_final"
    minutes.minutes_finalise(actor=w.users["secretary"], meeting=w.meeting)
    draft = minutes.resolution_draft(w.meeting)
    assert "Thông qua chương trình hành động" in draft
    with django_capture_on_commit_callbacks(execute=True):
        document = minutes.resolution_issue(actor=w.users["secretary"], meeting=w.meeting, title="", text=draft)
    assert document.type == "resolution" and document.requires_ack and document.issuer == w.a1a
    assert document in access.documents_received(w.users["member"])
    assert document not in access.documents_received(w.users["outsider"])
    assert Notification.objects.filter(event_key=f"document:{document.pk}:published", user=w.users["member"]).exists()
    w.meeting.refresh_from_db()
    assert w.meeting.resolution_id == document.pk
    with pytest.raises(RuleViolation) as err:
        minutes.resolution_issue(actor=w.users["secretary"], meeting=w.meeting, title="", text=draft)
    assert err.value.code == "already_issued"


def test_nothing_adopted_nothing_issued(w):
    minutes.minutes_save(actor=w.users["secretary"], meeting=w.meeting)
    minutes.minutes_finalise(actor=w.users["secretary"], meeting=w.meeting)
    with pytest.raises(RuleViolation) as err:
        minutes.resolution_issue(actor=w.users["secretary"], meeting=w.meeting, title="", text="x")
    assert err.value.code == "nothing_adopted"


def test_the_api_issues_it_and_the_minutes_link_to_it(client_for, w):
    _adopt(w)
    minutes.minutes_save(actor=w.users["secretary"], meeting=w.meeting)
    minutes.minutes_finalise(actor=w.users["secretary"], meeting=w.meeting)
    url = f"/api/v1/meetings/{w.meeting.pk}/resolution"
    body = {"text": "Chi bộ quyết nghị thực hiện chương trình."}
    assert client_for("member").post(url, body, content_type="application/json").status_code == 404
    response = client_for("secretary").post(url, body, content_type="application/json")
    assert response.status_code == 201
    got = client_for("member").get(f"/api/v1/meetings/{w.meeting.pk}/minutes").json()
    assert got["resolution_document_id"] == response.json()["document_id"]
    page = client_for("secretary").get(f"/meetings/{w.meeting.pk}/minutes/")
    assert f"/documents/{response.json()['document_id']}/" in page.content.decode()
