import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from handbook.audit.models import AuditEvent, EventType
from handbook.core.errors import RuleViolation
from handbook.members.models import Member
from handbook.reviews import services
from handbook.reviews.models import Review, ReviewPeriod

from .factories import decide, open_period

pytestmark = pytest.mark.django_db


def test_a_period_records_the_rule_set_version_in_force(w):
    period = open_period(w.a1)
    assert period.rule_set.value("review.scale_max") == 100
    assert AuditEvent.objects.filter(event_type=EventType.REVIEW_PERIOD_OPENED, object_id=str(period.pk)).exists()


def test_a_quarterly_period_needs_a_quarter(w):
    with pytest.raises(RuleViolation) as exc:
        open_period(w.a1, kind="quarterly")
    assert exc.value.field == "quarter"
    assert open_period(w.a1, kind="quarterly", quarter=2).quarter == 2


def test_an_ad_hoc_period_needs_its_first_day(w):
    with pytest.raises(RuleViolation) as exc:
        open_period(w.a1, kind="ad_hoc")
    assert exc.value.field == "starts_on"


def test_only_staff_of_the_committee_open_a_period(w):
    with pytest.raises(PermissionDenied):
        services.period_create(
            actor=w.users["secretary"],
            organization=w.a1,
            title="x",
            kind="annual",
            subject="members",
            year=2025,
            deadline=datetime.date(2025, 12, 31),
        )


def test_the_steps_happen_in_order_and_are_audited(w):
    period = open_period(w.a1)
    member = w.own_member
    with pytest.raises(RuleViolation) as exc:
        services.review_propose(actor=w.users["secretary"], period=period, subject=member, score=80)
    assert exc.value.code == "no_self_assessment"
    review = services.review_self_assess(
        actor=w.users["member"], period=period, subject=member, text="Hoàn thành tốt nhiệm vụ", score=85
    )
    assert review.self_level == "good"
    with pytest.raises(RuleViolation) as exc:
        services.review_decide(
            actor=w.users["commune"],
            period=period,
            subject=member,
            decision_number="1",
            decision_date=timezone.localdate(),
        )
    assert exc.value.code == "no_proposal"
    review = services.review_propose(actor=w.users["secretary"], period=period, subject=member, score=92)
    assert (review.state, review.proposed_level) == (Review.State.PROPOSED, "excellent")
    with pytest.raises(RuleViolation) as exc:
        services.review_self_assess(actor=w.users["member"], period=period, subject=member, text="Sửa")
    assert exc.value.code == "already_proposed"
    review = services.review_decide(
        actor=w.users["commune"],
        period=period,
        subject=member,
        decision_number="15-QĐ/ĐU",
        decision_date=timezone.localdate(),
    )
    assert (review.state, review.final_level, review.final_score) == (Review.State.DECIDED, "excellent", 92)
    assert review.rule_set_id == period.rule_set_id
    with pytest.raises(RuleViolation) as exc:
        services.review_decide(
            actor=w.users["commune"],
            period=period,
            subject=member,
            decision_number="2",
            decision_date=timezone.localdate(),
        )
    assert exc.value.code == "already_decided"
    kinds = list(
        AuditEvent.objects.filter(object_type="reviews.review", object_id=str(review.pk))
        .order_by("pk")
        .values_list("event_type", flat=True)
    )
    assert kinds == [EventType.REVIEW_SELF_ASSESSED, EventType.REVIEW_PROPOSED, EventType.REVIEW_DECIDED]


def test_a_level_outside_the_score_band_needs_a_reason(w):
    period = open_period(w.a1)
    services.review_self_assess(actor=None, period=period, subject=w.own_member, text="x")
    with pytest.raises(RuleViolation) as exc:
        services.review_propose(actor=None, period=period, subject=w.own_member, score=95, level="good")
    assert (exc.value.code, exc.value.field) == ("level_needs_reason", "reason")
    review = services.review_propose(
        actor=None, period=period, subject=w.own_member, score=95, level="good", reason="Vi phạm nhỏ trong năm"
    )
    assert review.proposed_level == "good"


def test_scores_outside_the_scale_are_refused(w):
    period = open_period(w.a1)
    with pytest.raises(RuleViolation) as exc:
        services.review_self_assess(actor=None, period=period, subject=w.own_member, text="x", score=101)
    assert exc.value.code == "bad_score"


def test_a_member_writes_only_their_own_self_assessment(w):
    period = open_period(w.a1)
    with pytest.raises(PermissionDenied):
        services.review_self_assess(actor=w.users["member"], period=period, subject=w.other_member, text="x")
    # The cell's secretary may write it on a member's behalf.
    services.review_self_assess(actor=w.users["secretary"], period=period, subject=w.other_member, text="x")


def test_the_member_cannot_propose_and_the_secretary_cannot_decide(w):
    period = open_period(w.a1)
    services.review_self_assess(actor=None, period=period, subject=w.own_member, text="x")
    with pytest.raises(PermissionDenied):
        services.review_propose(actor=w.users["member"], period=period, subject=w.own_member, score=80)
    services.review_propose(actor=w.users["secretary"], period=period, subject=w.own_member, score=80)
    with pytest.raises(PermissionDenied):
        services.review_decide(
            actor=w.users["secretary"],
            period=period,
            subject=w.own_member,
            decision_number="1",
            decision_date=timezone.localdate(),
        )


def test_subjects_outside_the_period_are_refused(w):
    period = open_period(w.a1)
    with pytest.raises(RuleViolation) as exc:
        services.review_self_assess(actor=None, period=period, subject=w.outside_member, text="x")
    assert exc.value.code == "not_in_period"
    org_period = open_period(w.a1, subject="organizations")
    with pytest.raises(RuleViolation):
        services.review_self_assess(actor=None, period=org_period, subject=w.own_member, text="x")
    with pytest.raises(RuleViolation):
        services.review_self_assess(actor=None, period=org_period, subject=w.a1, text="x")  # the committee itself


def test_a_closed_period_refuses_changes(w):
    period = open_period(w.a1)
    services.period_close(actor=w.users["commune"], period=period)
    with pytest.raises(RuleViolation) as exc:
        services.review_self_assess(actor=None, period=period, subject=w.own_member, text="x")
    assert exc.value.code == "period_closed"
    assert ReviewPeriod.objects.get(pk=period.pk).status == "closed"


def test_an_organisation_is_reviewed_by_its_secretary_and_the_level_above(w):
    period = open_period(w.a1, subject="organizations")
    services.review_self_assess(
        actor=w.users["secretary"], period=period, subject=w.a1a, text="Chi bộ tự đánh giá", score=88
    )
    with pytest.raises(PermissionDenied):
        services.review_propose(actor=w.users["secretary"], period=period, subject=w.a1a, score=88)
    services.review_propose(actor=w.users["commune"], period=period, subject=w.a1a, score=88)
    review = services.review_decide(
        actor=w.users["commune"], period=period, subject=w.a1a, decision_number="3", decision_date=timezone.localdate()
    )
    assert review.final_level == "good"


def test_a_decision_keeps_its_rules_when_the_rules_change(w):
    period = open_period(w.a1)
    review = decide(period, w.own_member, 75)
    assert review.final_level == "good"
    version = review.rule_set
    version.refresh_from_db()
    assert version.value("review.levels")["good"] == 70


def test_members_who_left_the_rolls_are_not_reviewed(w):
    period = open_period(w.a1)
    member = Member.objects.get(full_name="Hoàng Văn Em")
    Member.objects.filter(pk=member.pk).update(status=Member.Status.DECEASED)
    member.refresh_from_db()
    with pytest.raises(RuleViolation):
        services.review_self_assess(actor=None, period=period, subject=member, text="x")
