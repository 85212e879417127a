"""Discipline cases, exemptions and exits: the rules and their effect on the member."""

import datetime

import pytest
from django.utils import timezone

from handbook.audit.models import AuditEvent, EventType
from handbook.core.errors import RuleViolation
from handbook.discipline import services
from handbook.discipline.models import DisciplineCase, Exit
from handbook.meetings import votes
from handbook.meetings.models import Motion
from handbook.members.models import DisciplineRecord, Member, StatusChange, WorkHistory
from handbook.rules import rulebook

TODAY = timezone.localdate()
D = datetime.timedelta


def day(n: int) -> datetime.date:
    """n days ago."""
    return TODAY - D(days=n)


def open_case(w, member=None, **kw):
    return services.case_open(
        actor=w.users["commune"], member=member or w.other_member, violation="Vi phạm quy định", opened_on=day(60), **kw
    )


def decide(w, case, form="warning", **kw):
    values = {
        "decided_by": "Đảng ủy xã A1",
        "decision_number": "12-QĐ/ĐU",
        "decision_date": day(50),
        "votes_for": 5,
        "votes_against": 2,
        "voters": 7,
    }
    values.update(kw)
    return services.case_decide(actor=w.users["commune"], case=case, form=form, **values)


def test_a_warning_goes_into_the_member_record_and_keeps_the_rule_set(w):
    case = decide(w, open_case(w))
    assert case.state == DisciplineCase.State.DECIDED
    assert case.rule_set == rulebook.for_organization(w.a1a, on=day(50))
    row = DisciplineRecord.objects.get(pk=case.record_row_id)
    assert (row.member_id, row.form, row.date) == (w.other_member.pk, "warning", day(50))
    w.other_member.refresh_from_db()
    assert w.other_member.status == Member.Status.OFFICIAL
    assert AuditEvent.objects.filter(event_type=EventType.DISCIPLINE_CASE_DECIDED, object_id=str(case.pk)).exists()


def test_expulsion_ends_active_status_through_an_exit_and_keeps_the_record(w):
    case = decide(w, open_case(w), form="expulsion")
    member = Member.objects.get(pk=w.other_member.pk)
    assert member.status == Member.Status.EXPELLED
    exit_row = Exit.objects.get(case=case)
    assert (exit_row.kind, exit_row.date, exit_row.organization_id) == ("expulsion", day(50), w.a1a.pk)
    assert StatusChange.objects.filter(member=member, status="expelled", effective_date=day(50)).exists()
    assert WorkHistory.objects.filter(member=member).exists()  # nothing of the record is lost


def test_a_form_outside_the_rules_is_refused(w):
    case = open_case(w)
    with pytest.raises(RuleViolation) as err:
        decide(w, case, form="dissolution")
    assert err.value.code == "bad_form"


def test_an_organisation_can_be_dissolved_only_by_an_organisation_form(w):
    case = services.case_open(actor=None, organization=w.a1b, violation="Mất đoàn kết", opened_on=day(60))
    with pytest.raises(RuleViolation):
        decide(w, case, form="expulsion")
    case = decide(w, case, form="dissolution")
    assert case.final_form == "dissolution"
    w.a1b.refresh_from_db()
    assert w.a1b.status == "active"  # dissolving is left to the organisations service


def test_the_committee_vote_must_reach_more_than_half(w):
    with pytest.raises(RuleViolation) as err:
        decide(w, open_case(w), votes_for=3, votes_against=3, voters=6)
    assert err.value.code == "vote_failed"
    case = decide(w, open_case(w, member=w.own_member), votes_for=4, votes_against=2, voters=6)
    assert case.votes_needed == 4


def test_counts_cannot_exceed_the_voting_body(w):
    with pytest.raises(RuleViolation):
        decide(w, open_case(w), votes_for=6, votes_against=2, voters=7)


def _secret_motion(w, adopt: bool, secret: bool = True) -> Motion:
    motion = votes.motion_create(actor=None, meeting=w.meeting, title="Kỷ luật", secret=secret)
    Motion.objects.filter(pk=motion.pk).update(
        state=Motion.State.CLOSED,
        present=4,
        denominator=4,
        result={"counts": [3 if adopt else 1, 1], "adopted": adopt, "needed": 3},
    )
    motion.refresh_from_db()
    return motion


def test_a_cell_secret_ballot_decides_when_adopted(w):
    case = decide(w, open_case(w), motion=_secret_motion(w, True), votes_for=None, voters=None)
    assert case.motion_id and case.votes_for is None
    with pytest.raises(RuleViolation) as err:
        decide(w, open_case(w, member=w.own_member), motion=_secret_motion(w, False))
    assert err.value.code == "vote_failed"


def test_an_open_ballot_is_refused_for_discipline(w):
    with pytest.raises(RuleViolation) as err:
        decide(w, open_case(w), motion=_secret_motion(w, True, secret=False))
    assert err.value.code == "not_secret"


def test_an_appeal_after_the_deadline_is_refused(w):
    case = decide(w, open_case(w))
    case = services.case_notify(actor=None, case=case, notified_on=day(45))
    # 2025 rules: 30 days.
    assert services.appeal_deadline(case) == day(15)
    with pytest.raises(RuleViolation) as err:
        services.appeal_file(actor=None, case=case, filed_on=day(14))
    assert err.value.code == "appeal_late"
    case = services.appeal_file(actor=None, case=case, filed_on=day(15))
    assert case.appeal == "pending"


def test_an_appeal_needs_the_notification_first(w):
    case = decide(w, open_case(w))
    with pytest.raises(RuleViolation) as err:
        services.appeal_file(actor=None, case=case, filed_on=day(40))
    assert err.value.code == "not_notified"


def test_an_annulled_expulsion_restores_the_status_and_marks_the_exit(w):
    case = decide(w, open_case(w), form="expulsion")
    services.case_notify(actor=None, case=case, notified_on=day(49))
    services.appeal_file(actor=None, case=case, filed_on=day(40))
    case = services.appeal_decide(actor=None, case=case, outcome="annulled", decided_on=day(10))
    member = Member.objects.get(pk=w.other_member.pk)
    assert member.status == Member.Status.OFFICIAL
    assert Exit.objects.get(case=case).reversed_on == day(10)
    assert case.final_form == "" and case.record_row_id is None
    assert not DisciplineRecord.objects.filter(member=member).exists()


def test_an_appeal_can_change_the_form(w):
    case = decide(w, open_case(w), form="warning")
    services.case_notify(actor=None, case=case, notified_on=day(49))
    services.appeal_file(actor=None, case=case, filed_on=day(40))
    with pytest.raises(RuleViolation):
        services.appeal_decide(actor=None, case=case, outcome="changed", form="warning", decided_on=day(10))
    case = services.appeal_decide(actor=None, case=case, outcome="changed", form="reprimand", decided_on=day(10))
    assert case.final_form == "reprimand"
    assert list(DisciplineRecord.objects.filter(member=w.other_member).values_list("form", flat=True)) == ["reprimand"]


def test_exemption_keeps_the_member_counted_and_ends_back_to_official(w):
    exemption = services.exemption_grant(actor=None, member=w.other_member, reason="Tuổi cao, sức yếu", start=day(30))
    member = Member.objects.get(pk=w.other_member.pk)
    assert member.status == Member.Status.EXEMPT and member.status in Member.ON_ROLLS
    services.exemption_end(actor=None, exemption=exemption, end=day(5))
    assert Member.objects.get(pk=member.pk).status == Member.Status.OFFICIAL


@pytest.mark.parametrize(
    ("kind", "status"),
    [("death", "deceased"), ("removal", "removed"), ("resignation", "removed")],
)
def test_each_exit_ends_active_status(w, kind, status):
    row = services.exit_record(
        actor=None, member=w.other_member, kind=kind, date=day(3), decision="5-QĐ/ĐU", note="Lý do"
    )
    member = Member.objects.get(pk=w.other_member.pk)
    assert member.status == status and member.status not in Member.ON_ROLLS
    assert row.status_before == "official"
    with pytest.raises(RuleViolation) as err:
        services.exit_record(actor=None, member=member, kind="death", date=day(1))
    assert err.value.code == "not_on_rolls"


def test_removal_from_the_rolls_needs_a_decision_and_a_reason(w):
    with pytest.raises(RuleViolation) as err:
        services.exit_record(actor=None, member=w.other_member, kind="removal", date=day(3), note="Bỏ sinh hoạt")
    assert err.value.field == "decision"
    with pytest.raises(RuleViolation) as err:
        services.exit_record(actor=None, member=w.other_member, kind="removal", date=day(3), decision="1-QĐ")
    assert err.value.field == "note"


def test_expulsion_is_only_recorded_through_a_case(w):
    with pytest.raises(RuleViolation) as err:
        services.exit_record(actor=None, member=w.other_member, kind="expulsion", date=day(3), decision="1-QĐ")
    assert err.value.code == "needs_case"


def test_an_exit_in_the_future_is_refused(w):
    with pytest.raises(RuleViolation):
        services.exit_record(actor=None, member=w.other_member, kind="death", date=TODAY + D(days=1))


def test_an_expulsion_exit_hides_its_case_from_readers_without_the_sensitive_permission(client_for, w):
    case = decide(w, open_case(w), form="expulsion")
    url = f"/api/v1/discipline/exits?organization_id={w.a1.pk}&start={day(60).isoformat()}"
    leader = client_for("leader").get(url).json()  # sees members, not discipline
    row = next(r for r in leader if r["member_id"] == w.other_member.pk)
    assert row["kind"] == "expulsion" and (row["decision"], row["case_id"]) == ("", None)
    commune = client_for("commune").get(url).json()  # holds the sensitive-data permission
    row = next(r for r in commune if r["member_id"] == w.other_member.pk)
    assert row["case_id"] == case.pk and row["decision"]
    page = client_for("leader").get(f"/discipline/org/{w.a1.pk}/exits/?start={day(60).isoformat()}")
    assert page.status_code == 200 and w.other_member.full_name in page.content.decode()
    assert "12-QĐ/ĐU" not in page.content.decode()
