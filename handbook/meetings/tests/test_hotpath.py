"""The lean SQL hot path (handbook/meetings/hotpath.py) answers exactly as the services it stands
in for: each case runs the service (and the ORM access read) in a savepoint that is rolled back,
then the API, and compares outcomes and the rows written."""

import datetime

from django.db import transaction
from django.forms.models import model_to_dict
from django.http import Http404
from django.utils import timezone
from ninja.errors import HttpError

from handbook.audit.models import AuditEvent, EventType
from handbook.core.errors import RuleViolation
from handbook.meetings import services, votes
from handbook.meetings.api import _motion, _visible
from handbook.meetings.models import (
    Attendance,
    Meeting,
    Motion,
    OpenBallot,
    Participation,
    PendingSecretBallot,
)
from handbook.meetings.tests.test_votes import present
from handbook.testing import meeting_move

SKIP = {"id", "occurred_at", "request_id", "recorded_at"}


class _Request:
    def __init__(self, user):
        self.user = user


def _rows(model, **filters) -> list[dict]:
    return [{k: v for k, v in model_to_dict(r).items() if k not in SKIP} for r in model.objects.filter(**filters)]


def _audit() -> list[dict]:
    return [
        {k: v for k, v in model_to_dict(e).items() if k not in SKIP}
        for e in AuditEvent.objects.filter(event_type=EventType.ATTENDANCE_RECORDED).order_by("id")
    ]


def _service_check_in(user, meeting_id: int):
    """What the ORM path answers: 404, an error code, or the rows it writes (then rolled back)."""
    sid = transaction.savepoint()
    try:
        meeting = _visible(_Request(user), meeting_id, with_organization=False)
        services.check_in(actor=user, meeting=meeting)
        outcome = ("ok", _rows(Attendance, meeting_id=meeting_id), _audit())
    except (Http404, HttpError):
        outcome = ("404",)
    except RuleViolation as exc:
        outcome = ("400", exc.code)
    transaction.savepoint_rollback(sid)
    return outcome


def _api_check_in(client_for, persona: str, meeting_id: int):
    response = client_for(persona).post(f"/api/v1/meetings/{meeting_id}/check-in")
    if response.status_code == 404:
        return ("404",)
    if response.status_code == 400:
        return ("400", response.json()["code"])
    assert response.status_code == 200
    return ("ok", _rows(Attendance, meeting_id=meeting_id), _audit())


def _same_check_in(client_for, w, persona: str, meeting_id: int):
    expected = _service_check_in(w.users[persona], meeting_id)
    assert _api_check_in(client_for, persona, meeting_id) == expected
    return expected


def test_a_check_in_writes_the_same_rows_and_audit_event_as_the_service(client_for, w):
    outcome = _same_check_in(client_for, w, "member", w.meeting.pk)
    assert outcome[0] == "ok" and len(outcome[2]) == 1
    event = AuditEvent.objects.get(event_type=EventType.ATTENDANCE_RECORDED)
    assert event.object_repr == str(w.meeting) and event.request_id  # the request's id, as audit_record
    assert event.after == {"member_id": w.own_member.pk, "state": "present", "method": "self"}
    # A repeated tap: nothing changes, nothing is audited (as the service).
    assert _same_check_in(client_for, w, "member", w.meeting.pk) == outcome


def test_check_in_refusals_match_the_service(client_for, w):
    cases = [
        ("outsider", w.meeting.pk, ("404",)),  # another province: as missing
        ("member", w.draft_meeting.pk, ("404",)),  # a draft is the secretary's
        ("secretary", w.draft_meeting.pk, ("400", "not_published")),
        ("commune", w.meeting.pk, ("400", "not_a_member")),  # oversees the cell, has no member record
        ("member", 10**9, ("404",)),
    ]
    for persona, meeting_id, expected in cases:
        assert _same_check_in(client_for, w, persona, meeting_id) == expected, (persona, meeting_id)
    for starts_at, code in ((timezone.now() + datetime.timedelta(hours=2), "window"),):
        meeting_move(w.meeting, starts_at)
        assert _same_check_in(client_for, w, "member", w.meeting.pk) == ("400", code)
    meeting_move(w.meeting, timezone.now() - datetime.timedelta(hours=3, minutes=59), state=Meeting.State.CANCELLED)
    assert _same_check_in(client_for, w, "member", w.meeting.pk) == ("400", "not_published")
    Meeting.objects.filter(pk=w.meeting.pk).update(state=Meeting.State.PUBLISHED)
    assert _same_check_in(client_for, w, "member", w.meeting.pk)[0] == "ok"  # 3 h 59 after the start


def test_a_member_of_another_cell_in_an_overseers_reach_is_not_on_the_roll(client_for, w):
    # The secretary of A1a holds no role over A1b: the meeting of A1b is out of reach (404).
    other = services.meeting_create(actor=None, organization=w.a1b, title="Sinh hoạt A1b", starts_at=timezone.now())
    services.meeting_publish(actor=None, meeting=other)
    assert _same_check_in(client_for, w, "secretary", other.pk) == ("404",)
    assert _same_check_in(client_for, w, "commune", other.pk) == ("400", "not_a_member")


def test_a_check_in_after_an_absence_notice_turns_it_into_presence_as_the_service(client_for, w):
    meeting_move(w.meeting, timezone.now() + datetime.timedelta(minutes=20))
    services.absence_notify(actor=w.users["member"], meeting=w.meeting, reason="Ốm")
    outcome = _same_check_in(client_for, w, "member", w.meeting.pk)
    assert outcome[0] == "ok" and Attendance.objects.get(meeting=w.meeting, member=w.own_member).state == "present"
    assert outcome[2][-1]["before"] == {"state": "excused", "method": "self"}


def _service_vote(user, motion_id: int, choice: int):
    sid = transaction.savepoint()
    try:
        motion = _motion(_Request(user), motion_id)
        votes.vote_cast(actor=user, motion=motion, choice=choice)
        outcome = ("ok",)
    except (Http404, HttpError, Motion.DoesNotExist):
        outcome = ("404",)
    except RuleViolation as exc:
        outcome = ("400", exc.code)
    transaction.savepoint_rollback(sid)
    return outcome


def _api_vote(client_for, persona: str, motion_id: int, choice: int):
    response = client_for(persona).post(
        f"/api/v1/motions/{motion_id}/vote", {"choice": choice}, content_type="application/json"
    )
    if response.status_code == 404:
        return ("404",)
    if response.status_code == 400:
        return ("400", response.json()["code"])
    assert response.status_code == 200
    return ("ok",)


def test_ballot_outcomes_match_the_service(client_for, w):
    present(w, "member", "secretary")
    motion = votes.motion_open(actor=None, motion=votes.motion_create(actor=None, meeting=w.meeting, title="Q"))
    draft_motion = votes.motion_create(actor=None, meeting=w.draft_meeting, title="Nháp")
    cases = [
        ("outsider", motion.pk, 0, ("404",)),
        ("commune", motion.pk, 0, ("400", "not_eligible")),  # sees the meeting, does not vote
        ("member", motion.pk, 3, ("400", "invalid")),  # field "choice"
        ("member", draft_motion.pk, 0, ("404",)),
        ("secretary", draft_motion.pk, 0, ("400", "not_open")),
        ("member", 10**9, 0, ("404",)),
        ("member", motion.pk, 1, ("ok",)),
    ]
    for persona, motion_id, choice, expected in cases:
        assert _service_vote(w.users[persona], motion_id, choice) == expected, (persona, motion_id)
        assert _api_vote(client_for, persona, motion_id, choice) == expected, (persona, motion_id)
    # An open vote keeps who chose what; one ballot each.
    assert list(OpenBallot.objects.filter(motion=motion).values_list("member_id", "choice")) == [(w.own_member.pk, 1)]
    assert _service_vote(w.users["member"], motion.pk, 0) == ("400", "already_voted")
    assert _api_vote(client_for, "member", motion.pk, 0) == ("400", "already_voted")
    votes.motion_close(actor=None, motion=motion)
    assert _api_vote(client_for, "secretary", motion.pk, 0) == ("400", "not_open")


def test_a_secret_ballot_leaves_a_participation_and_an_unlinked_pending_choice(client_for, w):
    present(w, "member", "secretary")
    motion = votes.motion_open(
        actor=None, motion=votes.motion_create(actor=None, meeting=w.meeting, title="Bầu", secret=True)
    )
    response = client_for("member").post(
        f"/api/v1/motions/{motion.pk}/vote", {"choice": 2}, content_type="application/json"
    )
    code = response.json()["receipt"]
    assert response.status_code == 200 and len(code) == 16
    pending = PendingSecretBallot.objects.get(motion=motion)
    assert (pending.choice, pending.receipt_hash) == (2, votes.receipt_hash(motion.pk, code, 2))
    assert list(Participation.objects.filter(motion=motion).values_list("member_id", flat=True)) == [w.own_member.pk]
    assert not OpenBallot.objects.filter(motion=motion).exists()
    votes.motion_close(actor=None, motion=motion)
    motion.refresh_from_db()
    assert motion.result["counts"] == [0, 0, 1] and votes.verify_box(motion)


def test_hot_api_routes_first_shadow_nothing():
    """handbook/urls.py lists the two hot routes first: no other API route may match their paths,
    or moving them would have changed which view answers."""
    import re

    from handbook.api import api
    from handbook.urls import HOT_API_ROUTES

    patterns = api.urls[0]
    assert [str(p.pattern) for p in patterns if str(p.pattern) in HOT_API_ROUTES] == list(HOT_API_ROUTES)
    for route in HOT_API_ROUTES:
        sample = re.sub(r"<\w+>", "7", route)
        matching = [str(p.pattern) for p in patterns if p.pattern.match(sample)]
        assert matching == [route], (route, matching)
