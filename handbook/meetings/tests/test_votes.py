import datetime
import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handbook.audit.models import AuditEvent
from handbook.core.errors import RuleViolation
from handbook.meetings import services, votes
from handbook.meetings.models import (
    Eligibility,
    Motion,
    OpenBallot,
    Participation,
    PendingSecretBallot,
    SecretBallot,
)
from handbook.rules.models import RuleSet, RuleSetVersion


def present(w, *usernames):
    for name in usernames:
        services.roll_call(actor=w.users["secretary"], meeting=w.meeting, member=w.users[name].member, state="present")


def test_opening_freezes_the_official_members_as_voters(w):
    present(w, "member", "secretary")
    motion = votes.motion_create(actor=None, meeting=w.meeting, title="Thông qua nghị quyết")
    votes.motion_open(actor=None, motion=motion)
    motion.refresh_from_db()
    eligible = set(Eligibility.objects.filter(motion=motion).values_list("member__full_name", flat=True))
    assert eligible == {"Nguyễn Văn Ánh", "Trần Thị Bích", "Lê Văn Cường"}  # not the probationary member
    assert (motion.denominator, motion.present) == (3, 2)


def test_each_voter_votes_once_and_probationary_members_not_at_all(w):
    present(w, "member", "secretary")
    motion = votes.motion_open(actor=None, motion=votes.motion_create(actor=None, meeting=w.meeting, title="Q"))
    votes.vote_cast(actor=w.users["member"], motion=motion, choice=0)
    with pytest.raises(RuleViolation) as err:
        votes.vote_cast(actor=w.users["member"], motion=motion, choice=1)
    assert err.value.code == "already_voted"
    assert OpenBallot.objects.get(motion=motion).choice == 0
    with pytest.raises(RuleViolation) as err:
        votes.vote_cast(actor=w.users["province"], motion=motion, choice=0)
    assert err.value.code == "not_eligible"


def test_a_secret_ballot_cannot_be_linked_to_its_voter(w, caplog):
    caplog.set_level(logging.DEBUG)
    present(w, "member", "secretary")
    motion = votes.motion_create(actor=None, meeting=w.meeting, title="Bầu bí thư", secret=True, options=["A", "B"])
    motion = votes.motion_open(actor=None, motion=motion)
    receipts = {
        "member": votes.vote_cast(actor=w.users["member"], motion=motion, choice=1)["receipt"],
        "secretary": votes.vote_cast(actor=w.users["secretary"], motion=motion, choice=0)["receipt"],
    }
    votes.motion_close(actor=None, motion=motion)
    box = list(SecretBallot.objects.filter(motion=motion))
    # The box holds choices and receipts only: no member, no time, no participation key.
    assert {f.name for f in SecretBallot._meta.fields} == {
        "id",
        "motion",
        "position",
        "choice",
        "receipt_hash",
        "chain_hash",
    }
    assert not PendingSecretBallot.objects.filter(motion=motion).exists()
    assert Participation.objects.filter(motion=motion).count() == 2
    # Each voter finds their receipt with their choice; the chain verifies; the tally recomputes.
    assert votes.receipt_hash(motion.pk, receipts["member"], 1) in {b.receipt_hash for b in box}
    assert votes.verify_box(motion)
    motion.refresh_from_db()
    assert motion.result["counts"] == [1, 1] and motion.result["small_group_warning"] is True
    # Nothing written elsewhere says who chose what.
    for text in [str(e.after) for e in AuditEvent.objects.all()] + [r.getMessage() for r in caplog.records]:
        assert receipts["member"] not in text and receipts["secretary"] not in text


def test_tampering_with_the_box_is_detected(w):
    present(w, "member", "secretary")
    motion = votes.motion_open(
        actor=None, motion=votes.motion_create(actor=None, meeting=w.meeting, title="Q", secret=True)
    )
    votes.vote_cast(actor=w.users["member"], motion=motion, choice=0)
    votes.vote_cast(actor=w.users["secretary"], motion=motion, choice=1)
    votes.motion_close(actor=None, motion=motion)
    SecretBallot.objects.filter(motion=motion, position=1).update(choice=2)
    assert not votes.verify_box(motion)


@given(
    denominator=st.integers(1, 60),
    present_share=st.floats(0, 1),
    yes_share=st.floats(0, 1),
    rule=st.sampled_from(list(Motion.Rule.values)),
)
def test_thresholds_follow_the_rule(denominator, present_share, yes_share, rule):
    present_n = round(denominator * present_share)
    yes = round(present_n * yes_share)
    motion = Motion(pk=1, options=["Đồng ý", "Không"], rule=rule, denominator=denominator, present=present_n)
    rules = RuleSetVersion(
        rule_set=RuleSet(name="2025"),
        number=1,
        effective_from=datetime.date(2025, 1, 1),
        values={
            "meetings.quorum": "2/3",
            "meetings.default_threshold": ">1/2",
            "meetings.qualified_threshold": "2/3",
            "meetings.small_secret_group": 5,
        },
    )
    result = votes.tally(motion, [0] * yes + [1] * (present_n - yes), rules=rules)
    quorate = present_n * 3 >= denominator * 2
    if rule == Motion.Rule.TWO_THIRDS_OF_SUMMONED:
        passes = yes * 3 >= denominator * 2
    else:
        passes = yes * 2 > present_n
    assert result["adopted"] == (quorate and passes)


def test_a_retried_secret_vote_is_counted_once_and_its_receipt_is_never_stored(client_for, w):
    from handbook.core.models import IdempotencyRecord

    present(w, "member", "secretary")
    motion = votes.motion_open(
        actor=None, motion=votes.motion_create(actor=None, meeting=w.meeting, title="Q", secret=True)
    )
    client = client_for("member")
    url = f"/api/v1/motions/{motion.pk}/vote"
    first = client.post(url, {"choice": 1}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="v1")
    again = client.post(url, {"choice": 1}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="v1")
    assert first.status_code == again.status_code == 200
    code = first.json()["receipt"]
    assert code and again.json()["receipt"] is None
    assert Participation.objects.filter(motion=motion).count() == 1
    assert code not in str(list(IdempotencyRecord.objects.values_list("response", flat=True)))
    assert client.post(url, {"choice": 0}, content_type="application/json").json()["code"] == "already_voted"


@pytest.mark.parametrize("secret", [True, False])
def test_a_ballots_idempotency_record_holds_nothing_derived_from_the_choice(client_for, w, secret):
    """The record is kept with the voter: were the choice hashed into it, trying the few options
    would reveal a secret vote. A retry with the same key answers as the first, whatever its choice."""
    from handbook.core.idempotency import request_digest
    from handbook.core.models import IdempotencyRecord

    present(w, "member", "secretary")
    motion = votes.motion_open(
        actor=None, motion=votes.motion_create(actor=None, meeting=w.meeting, title="Q", secret=secret)
    )
    url = f"/api/v1/motions/{motion.pk}/vote"
    member, secretary = client_for("member"), client_for("secretary")
    assert member.post(url, {"choice": 1}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k").status_code == 200
    assert (
        secretary.post(url, {"choice": 0}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k").status_code == 200
    )
    records = {r.user_id: r for r in IdempotencyRecord.objects.all()}
    mine, theirs = records[w.users["member"].pk], records[w.users["secretary"].pk]
    assert mine.request_hash == theirs.request_hash  # different choices, the same digest
    for choice in range(3):
        request = type("R", (), {"method": "POST", "path": url})
        assert mine.request_hash != request_digest(request, {"choice": choice})
    assert str(1) not in str(mine.response).replace(str(motion.pk), "")
    retry = member.post(url, {"choice": 0}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k")
    assert retry.status_code == 200 and retry.json() == {"motion_id": motion.pk, "receipt": None}
    votes.motion_close(actor=None, motion=motion)
    motion.refresh_from_db()
    assert motion.result["counts"] == [1, 1, 0]  # the first ballot stands


def test_members_vote_from_the_meeting_page_and_see_the_result(client_for, w):
    present(w, "member", "secretary")
    secretary = client_for("secretary")
    secretary.post(f"/meetings/{w.meeting.pk}/motions/", {"title": "Thông qua nghị quyết tháng"})
    motion = Motion.objects.get(title="Thông qua nghị quyết tháng")
    secretary.post(f"/meetings/motions/{motion.pk}/open/")
    client_for("member").post(f"/meetings/motions/{motion.pk}/vote/", {"choice": "0"})
    secretary.post(f"/meetings/motions/{motion.pk}/vote/", {"choice": "0"})
    secretary.post(f"/meetings/motions/{motion.pk}/close/")
    motion.refresh_from_db()
    assert motion.result["counts"][0] == 2 and motion.result["adopted"] is True
    page = client_for("member").get(f"/meetings/{w.meeting.pk}/").content.decode()
    assert "Thông qua nghị quyết tháng" in page


def test_a_vote_is_decided_by_the_rules_in_force_when_it_opened(w):
    from handbook.rules import services as rule_services

    present(w, "member", "secretary")
    motion = votes.motion_open(
        actor=None,
        motion=votes.motion_create(actor=None, meeting=w.meeting, title="Q", rule=Motion.Rule.TWO_THIRDS_OF_SUMMONED),
    )
    assert motion.rule_set.rule_set.is_default
    votes.vote_cast(actor=w.users["member"], motion=motion, choice=0)
    votes.vote_cast(actor=w.users["secretary"], motion=motion, choice=0)
    opened_with = motion.rule_set
    # A later version demanding everyone summoned would not change this vote.
    strict = {**opened_with.values, "meetings.qualified_threshold": "3/3"}
    rule_services.rule_version_create(
        actor=w.users["admin"], rule_set=opened_with.rule_set, effective_from=datetime.date.today(), values=strict
    )
    closed = votes.motion_close(actor=None, motion=motion)
    assert closed.result["rule_set"] == opened_with.pk and closed.result["share"] == "2/3"
    assert (closed.result["needed"], closed.result["adopted"]) == (2, True)  # 2 of 3 summoned
