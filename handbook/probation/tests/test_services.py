"""Recognition decisions, the due list, and the pages and API around them."""

import datetime
import json

import pytest
from django.utils import timezone

from handbook.audit.models import AuditEvent, EventType
from handbook.core.errors import RuleViolation
from handbook.members import services as member_services
from handbook.members.models import Member, StatusChange
from handbook.members.validators import add_months
from handbook.probation import queries, services
from handbook.probation.models import Recognition
from handbook.rules import rulebook
from handbook.testing import BORN, next_cccd

TODAY = timezone.localdate()


def probationary(cell, admitted: datetime.date, name: str = "Đinh Văn Phúc") -> Member:
    return member_services.member_create(
        actor=None,
        organization=cell,
        full_name=name,
        sex="M",
        date_of_birth=BORN,
        cccd=next_cccd(),
        admission_date=admitted,
        status=Member.Status.PROBATIONARY,
    )


def ended_days_ago(days: int) -> datetime.date:
    """An admission whose 12 months ended `days` ago."""
    return add_months(TODAY - datetime.timedelta(days=days), -12)


def decide(member, **kw):
    values = {
        "actor": None,
        "member": member,
        "outcome": "recognised",
        "decision_number": "15-QĐ/ĐU",
        "decision_date": TODAY,
        "votes_for": 3,
        "votes_against": 0,
        "eligible": 3,
    }
    values.update(kw)
    return services.recognition_decide(**values)


def test_recognition_makes_the_member_official_from_the_end_of_probation(w):
    member = probationary(w.a1a, ended_days_ago(5))
    ends = add_months(member.admission_date, 12)
    r = decide(member)
    member.refresh_from_db()
    assert member.status == Member.Status.OFFICIAL
    assert member.official_date == ends
    assert r.probation_end == ends and r.vote_passed and r.votes_needed == 2
    assert r.rule_set == rulebook.for_organization(w.a1a, on=TODAY)
    assert StatusChange.objects.filter(member=member, status="official", effective_date=ends).exists()
    # Party age runs on from the admission, without a break.
    assert member_services.member_party_age(member).days == (TODAY - member.admission_date).days
    assert AuditEvent.objects.filter(event_type=EventType.RECOGNITION_DECIDED, object_id=str(member.pk)).exists()


def test_a_vote_below_two_thirds_cannot_recognise(w):
    member = probationary(w.a1a, ended_days_ago(5))
    with pytest.raises(RuleViolation) as exc:
        decide(member, votes_for=1, votes_against=2)
    assert exc.value.code == "vote_failed"
    member.refresh_from_db()
    assert member.status == Member.Status.PROBATIONARY
    assert not Recognition.objects.filter(member=member).exists()


def test_removal_needs_a_reason_and_takes_the_member_off_the_rolls(w):
    member = probationary(w.a1a, ended_days_ago(5))
    with pytest.raises(RuleViolation) as exc:
        decide(member, outcome="removed", votes_for=0, votes_against=3)
    assert exc.value.field == "reason"
    r = decide(member, outcome="removed", votes_for=0, votes_against=3, reason="Không đủ tư cách")
    member.refresh_from_db()
    assert member.status == Member.Status.REMOVED and not r.vote_passed
    assert member.official_date is None


def test_no_decision_before_the_probation_ends(w):
    member = probationary(w.a1a, add_months(TODAY, -11))
    with pytest.raises(RuleViolation) as exc:
        decide(member)
    assert exc.value.code == "probation_running"


def test_a_late_decision_is_marked_late(w):
    member = probationary(w.a1a, ended_days_ago(120))
    assert decide(member).late is True
    other = probationary(w.a1a, ended_days_ago(1), name="Mai Văn Quý")
    assert decide(other).late is False


def test_only_probationary_members_and_no_more_votes_than_voters(w):
    with pytest.raises(RuleViolation) as exc:
        decide(w.other_member)
    assert exc.value.code == "not_probationary"
    member = probationary(w.a1a, ended_days_ago(5))
    with pytest.raises(RuleViolation) as exc:
        decide(member, votes_for=3, votes_against=1, eligible=3)
    assert exc.value.code == "too_many_votes"
    with pytest.raises(RuleViolation) as exc:
        decide(member, votes_for=None, eligible=None)
    assert exc.value.code == "vote_missing"


def test_the_cells_closed_vote_is_read_from_the_meeting(w):
    from handbook.meetings import votes

    member = probationary(w.a1a, ended_days_ago(5))
    motion = votes.motion_create(actor=None, meeting=w.meeting, title="Công nhận đảng viên chính thức", secret=True)
    with pytest.raises(RuleViolation):  # still a draft
        decide(member, motion=motion)
    votes.motion_open(actor=None, motion=motion)
    assert motion.__class__.objects.get(pk=motion.pk).denominator == 3
    votes.vote_cast(actor=w.users["member"], motion=motion, choice=0)
    votes.vote_cast(actor=w.users["secretary"], motion=motion, choice=0)
    votes.motion_close(actor=None, motion=motion)
    r = decide(member, motion=motion, votes_for=None, eligible=None)
    assert (r.votes_for, r.eligible, r.votes_needed, r.motion_id) == (2, 3, 2, motion.pk)
    # The same vote cannot decide another member's probation.
    other = probationary(w.a1a, ended_days_ago(5), name="Người Khác")
    with pytest.raises(RuleViolation) as exc:
        decide(other, motion=motion, votes_for=None, eligible=None)
    assert exc.value.code == "motion_used"


def test_a_vote_on_a_person_must_be_secret(w):
    from handbook.meetings import votes

    member = probationary(w.a1a, ended_days_ago(5))
    motion = votes.motion_open(
        actor=None, motion=votes.motion_create(actor=None, meeting=w.meeting, title="Công nhận", secret=False)
    )
    votes.motion_close(actor=None, motion=motion)
    with pytest.raises(RuleViolation) as exc:
        decide(member, motion=motion, votes_for=None, eligible=None)
    assert exc.value.code == "not_secret"


def test_a_vote_of_another_cell_is_refused(w):
    from handbook.meetings import services as meeting_services
    from handbook.meetings import votes

    meeting = meeting_services.meeting_create(
        actor=None, organization=w.a2a, title="Họp", starts_at=timezone.now() + datetime.timedelta(hours=1)
    )
    motion = votes.motion_create(actor=None, meeting=meeting, title="Biểu quyết")
    member = probationary(w.a1a, ended_days_ago(5))
    with pytest.raises(RuleViolation) as exc:
        decide(member, motion=motion)
    assert exc.value.field == "motion"


def test_the_due_list_sorts_members_into_upcoming_due_and_overdue(w):
    soon = probationary(w.a1a, add_months(TODAY + datetime.timedelta(days=20), -12), name="Sắp Hết")
    now = probationary(w.a1b, ended_days_ago(3), name="Đến Hạn")
    late = probationary(w.a1a, ended_days_ago(100), name="Quá Hạn")
    far = probationary(w.a1a, add_months(TODAY, -6), name="Còn Lâu")
    elsewhere = probationary(w.b1a, ended_days_ago(3), name="Tỉnh Khác")
    result = queries.due(w.a1, today=TODAY, window_days=60)
    states = {r.member.pk: r.state for r in result["rows"]}
    assert states == {soon.pk: "upcoming", now.pk: "due", late.pk: "overdue"}
    assert far.pk not in states and elsewhere.pk not in states
    assert result["counts"] == {"upcoming": 1, "due": 1, "overdue": 1}
    assert {r.member.pk for r in queries.due(w.a1, today=TODAY, window_days=0)["rows"]} == {now.pk, late.pk}


def six_month_rules(w, cell):
    """A subtree with its own rules (probation of 6 months), assigned in the past."""
    from handbook.rules.models import RuleAssignment, RuleSet, RuleSetVersion

    rs = rulebook.for_organization(cell, on=TODAY)
    rule_set = RuleSet.objects.create(name="Thử 6 tháng", owner=w.a1)
    RuleSetVersion.objects.create(
        rule_set=rule_set,
        number=1,
        effective_from=datetime.date(2025, 1, 1),
        values={**rs.values, "probation.months": 6},
    )
    RuleAssignment.objects.create(
        organization=cell, path=cell.path, rule_set=rule_set, effective_from=datetime.date(2025, 1, 1)
    )
    rulebook.rules_changed()


def test_the_due_list_follows_a_cells_own_rules(w):
    member = probationary(w.a1b, add_months(TODAY - datetime.timedelta(days=3), -6))
    assert member.pk not in {r.member.pk for r in queries.due(w.a1, today=TODAY)["rows"]}
    six_month_rules(w, w.a1b)
    rows = {r.member.pk: r for r in queries.due(w.a1, today=TODAY)["rows"]}
    assert rows[member.pk].state == "due"
    assert rows[member.pk].probation.ends == add_months(member.admission_date, 6)


# Pages and API ---------------------------------------------------------------------------------


def test_the_commune_decides_on_the_page_and_the_secretary_may_not(w, client_for):
    member = probationary(w.a1a, ended_days_ago(5))
    page = client_for("commune").get(f"/probation/org/{w.a1.pk}/")
    assert member.full_name in page.content.decode()
    data = {
        "outcome": "recognised",
        "votes_for": 3,
        "votes_against": 0,
        "eligible": 3,
        "decision_number": "20-QĐ/ĐU",
        "decision_date": TODAY.isoformat(),
    }
    assert client_for("secretary").post(f"/probation/members/{member.pk}/decide/", data).status_code == 403
    assert client_for("outsider").post(f"/probation/members/{member.pk}/decide/", data).status_code == 404
    response = client_for("commune").post(f"/probation/members/{member.pk}/decide/", data)
    assert response.status_code == 302
    r = Recognition.objects.get(member=member)
    assert response["Location"] == f"/probation/{r.pk}/"
    assert client_for("commune").get(response["Location"]).status_code == 200


def test_a_failed_vote_is_shown_on_the_form(w, client_for):
    member = probationary(w.a1a, ended_days_ago(5))
    data = {
        "outcome": "recognised",
        "votes_for": 1,
        "eligible": 3,
        "decision_number": "20-QĐ/ĐU",
        "decision_date": TODAY.isoformat(),
    }
    response = client_for("commune").post(f"/probation/members/{member.pk}/decide/", data)
    assert response.status_code == 200
    assert not Recognition.objects.filter(member=member).exists()


def test_the_api_lists_and_decides(w, client_for):
    member = probationary(w.a1a, ended_days_ago(5))
    listed = client_for("province").get(f"/api/v1/probation/due?organization_id={w.a.pk}").json()
    assert [r["state"] for r in listed["rows"] if r["member_id"] == member.pk] == ["due"]
    assert client_for("outsider").get(f"/api/v1/probation/due?organization_id={w.a.pk}").status_code == 404
    assert client_for("member").get(f"/api/v1/probation/due?organization_id={w.a1a.pk}").status_code == 404
    body = {"member_id": member.pk, "outcome": "recognised", "decision_number": "1", "decision_date": str(TODAY)}
    body.update(votes_for=2, eligible=3)
    send = json.dumps(body)
    assert client_for("leader").post("/api/v1/probation/recognitions", send, "application/json").status_code == 403
    created = client_for("province").post("/api/v1/probation/recognitions", send, "application/json")
    assert created.status_code == 201, created.content
    again = client_for("province").post("/api/v1/probation/recognitions", send, "application/json")
    assert again.status_code == 400 and again.json()["code"] == "not_probationary"


def test_the_due_list_takes_a_fixed_number_of_queries(w, django_assert_max_num_queries):
    for i in range(6):
        probationary(w.a1a if i % 2 else w.a2a, ended_days_ago(i * 20), name=f"Người {i}")
    queries.due(w.a, today=TODAY)  # warm the rules cache
    with django_assert_max_num_queries(2):
        result = queries.due(w.a, today=TODAY)
    assert sum(result["counts"].values()) == 6
