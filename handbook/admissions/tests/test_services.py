import datetime

import pytest
from django.utils import timezone

from handbook.admissions import services
from handbook.admissions.models import AdmissionCase, AdmissionStep, Step
from handbook.admissions.tests.helpers import DATES, open_case, step_values, walk
from handbook.audit.models import AuditEvent, EventType
from handbook.core.errors import RuleViolation
from handbook.members import services as member_services
from handbook.members.models import Member
from handbook.rules import rulebook
from handbook.rules import services as rule_services
from handbook.rules.models import RuleSet

D = datetime.date


def record(w, case, step, **overrides):
    values = {**step_values(w, case, step), **overrides}
    date = values.pop("date", DATES[step])
    return services.case_step_record(actor=None, case=case, step=step, date=date, **values)


def test_a_whole_admission_creates_a_probationary_member_with_the_rules_used(w):
    case = walk(w, open_case(w), "decision")
    member = case.member
    assert member.status == Member.Status.PROBATIONARY
    assert member.admission_date == DATES["decision"]
    assert member.organization == w.a1a
    assert member.admitting_organization == w.a1a
    assert member.full_name == "Đinh Văn Tú"
    assert member.introducer_1 and member.introducer_2
    # The certified life history becomes the record's personal data.
    assert (member.hometown, member.ethnicity, member.general_education) == ("Yên Mô, Ninh Bình", "Kinh", "12/12")
    assert case.rule_set == rulebook.for_organization(w.a1a, on=DATES["decision"])
    # 30 working days after Monday 16 June 2025 (no holiday in between): six weeks later.
    assert case.ceremony_due == D(2025, 7, 28)
    case = record(w, case, "ceremony")
    assert case.state == AdmissionCase.State.COMPLETED and not case.held_late
    assert list(case.steps.values_list("step", flat=True)) == list(Step.values)
    assert AuditEvent.objects.filter(event_type=EventType.ADMISSION_STEP_RECORDED, object_id=str(case.pk)).count() == 9
    assert AuditEvent.objects.filter(event_type=EventType.MEMBER_CREATED, object_id=str(member.pk)).exists()


def test_steps_must_happen_in_order(w):
    case = open_case(w)
    with pytest.raises(RuleViolation) as exc:
        record(w, case, "application")
    assert exc.value.code == "order"
    case = record(w, case, "course")
    with pytest.raises(RuleViolation) as exc:
        record(w, case, "life_history")
    assert exc.value.code == "order"
    with pytest.raises(RuleViolation) as exc:
        record(w, case, "application", date=DATES["course"] - datetime.timedelta(days=1))
    assert exc.value.code == "order"
    assert not AdmissionStep.objects.filter(case=case, step="application").exists()


def test_a_step_cannot_be_in_the_future(w):
    case = open_case(w)
    with pytest.raises(RuleViolation) as exc:
        record(w, case, "course", date=timezone.localdate() + datetime.timedelta(days=2), certificate_issued=None)
    assert exc.value.code == "future_date"


def test_the_certificate_expires_after_the_rulebook_months(w):
    case = record(w, open_case(w), "course")
    assert case.certificate_expires == D(2030, 3, 2)  # 60 months, the day before the anniversary


def test_an_expired_certificate_blocks_the_application(w):
    case = record(w, open_case(w), "course", date=D(2020, 1, 2), certificate_issued=D(2020, 1, 2))
    assert case.certificate_expires == D(2025, 1, 1)
    with pytest.raises(RuleViolation) as exc:
        record(w, case, "application", date=D(2025, 1, 2))
    assert exc.value.code == "certificate_expired"


def test_age_limits_come_from_the_rulebook(w):
    young = record(w, open_case(w, born=D(2008, 1, 1), name="Trẻ"), "course")
    with pytest.raises(RuleViolation) as exc:
        record(w, young, "application")
    assert exc.value.code == "too_young"

    old = record(w, open_case(w, born=D(1960, 1, 1), name="Già"), "course")
    with pytest.raises(RuleViolation) as exc:
        record(w, old, "application")
    assert exc.value.code == "over_age"
    old = record(w, old, "application", over_age_approved=True)
    assert old.over_age_approved


def test_age_limits_follow_the_organisations_rule_set(w):
    values = dict(RuleSet.objects.get(is_default=True).versions.get(effective_to__isnull=True).values)
    values["admission.age_min"] = 16
    today = timezone.localdate()
    rule_set = rule_services.rule_set_create(
        actor=None, name="Tỉnh A", owner=w.a, values=values, effective_from=today
    ).rule_set
    rule_services.rule_assign(actor=None, organization=w.a, rule_set=rule_set, effective_from=today)
    born = D(today.year - 17, 1, 1)
    case = record(w, open_case(w, born=born), "course", date=today, certificate_issued=today)
    assert record(w, case, "application", date=today).application_date == today
    elsewhere = record(
        w, open_case(w, born=born, cell=w.b1a, name="Tỉnh B"), "course", date=today, certificate_issued=today
    )
    with pytest.raises(RuleViolation) as exc:
        record(w, elsewhere, "application", date=today)
    assert exc.value.code == "too_young"


def test_introducers_must_be_official_members_of_the_cell_for_a_year(w):
    case = walk(w, open_case(w), "life_history")
    probationary = Member.objects.get(full_name="Phạm Thị Dung")
    with pytest.raises(RuleViolation) as exc:
        record(w, case, "introducers", introducer_2=probationary)
    assert exc.value.code == "introducer_not_official"
    with pytest.raises(RuleViolation) as exc:
        record(w, case, "introducers", introducer_2=w.outside_member)
    assert exc.value.code == "introducer_cell"
    with pytest.raises(RuleViolation) as exc:
        record(w, case, "introducers", introducer_2_since=D(2024, 3, 18))  # application 17/03/2025
    assert exc.value.code == "introducer_too_recent"
    case = record(w, case, "introducers", introducer_2_since=D(2024, 3, 17))
    assert case.introducer_2_since == D(2024, 3, 17)


def test_a_youth_union_resolution_may_replace_one_introducer(w):
    case = walk(w, open_case(w), "life_history")
    with pytest.raises(RuleViolation) as exc:
        record(w, case, "introducers", introducer_2=None)
    assert exc.value.code == "required"
    case = record(w, case, "introducers", introducer_2=None, youth_union_resolution="05-NQ/ĐTN")
    assert case.youth_union_resolution == "05-NQ/ĐTN"
    case = walk_from(w, case, "decision")
    assert "05-NQ/ĐTN" in case.member.introducer_2


def walk_from(w, case, until):
    from handbook.admissions.models import STEP_ORDER

    start = STEP_ORDER.index(case.step) + 1
    for step in STEP_ORDER[start : STEP_ORDER.index(until) + 1]:
        case = record(w, case, step)
    return case


def test_an_introducer_who_was_official_only_later_is_refused(w):
    case = walk(w, open_case(w), "life_history")
    later = member_services.member_create(
        actor=None,
        organization=w.a1a,
        full_name="Mới Chính Thức",
        sex="F",
        date_of_birth=D(1990, 1, 1),
        cccd="037190999001",
        status=Member.Status.OFFICIAL,
        admission_date=D(2024, 6, 1),
        official_date=D(2025, 6, 1),
    )
    with pytest.raises(RuleViolation) as exc:
        record(w, case, "introducers", introducer_2=later)
    assert exc.value.code == "introducer_not_official"


def test_the_cell_vote_needs_the_rulebook_share_of_members(w):
    case = walk(w, open_case(w), "verification")
    with pytest.raises(RuleViolation) as exc:
        record(w, case, "cell_vote", votes_for=1, votes_against=1, members=3)
    assert exc.value.code == "vote_failed"
    case = record(w, case, "cell_vote", votes_for=2, votes_against=1, members=3)
    with pytest.raises(RuleViolation) as exc:
        record(w, case, "committee_vote", votes_for=4, votes_against=3, members=7)
    assert exc.value.code == "vote_failed"
    assert record(w, case, "committee_vote", votes_for=5, votes_against=2, members=7).committee_votes_for == 5


def test_the_cell_vote_can_be_taken_at_a_meeting(w):
    from handbook.meetings import votes
    from handbook.meetings.models import Motion

    case = walk(w, open_case(w), "verification")
    motion = services.case_cell_motion_create(actor=None, case=case, meeting=w.meeting)
    assert motion.secret and motion.rule == Motion.Rule.TWO_THIRDS_OF_SUMMONED
    case.refresh_from_db()
    with pytest.raises(RuleViolation) as exc:
        record(w, case, "cell_vote", votes_for=None)
    assert exc.value.code == "vote_not_closed"
    votes.motion_open(actor=None, motion=motion)
    for member in Member.objects.filter(organization=w.a1a, status=Member.Status.OFFICIAL)[:2]:
        votes.vote_cast(actor=type("U", (), {"member_id": member.pk})(), motion=motion, choice=0)
    votes.motion_close(actor=None, motion=motion)
    case = record(w, case, "cell_vote", votes_for=None)
    assert (case.cell_votes_for, case.cell_members) == (2, 3)


def test_the_decision_is_taken_above_the_cell_and_needs_the_citizen_id(w):
    case = walk(w, open_case(w), "committee_vote")
    with pytest.raises(RuleViolation) as exc:
        record(w, case, "decision", decided_by=w.a1a)
    assert exc.value.field == "decided_by"
    with pytest.raises(RuleViolation):
        record(w, case, "decision", decided_by=w.b1)
    case.candidate.cccd = ""
    case.candidate.save()
    with pytest.raises(RuleViolation) as exc:
        record(w, case, "decision")
    assert exc.value.field == "cccd"
    assert not Member.objects.filter(full_name="Đinh Văn Tú").exists()


def test_a_decided_case_cannot_be_withdrawn_but_an_open_one_can(w):
    case = walk(w, open_case(w), "decision")
    with pytest.raises(RuleViolation):
        services.case_withdraw(actor=None, case=case, reason="Thôi")
    other = open_case(w, name="Khác")
    other = services.case_withdraw(actor=None, case=other, reason="Chuyển nơi ở")
    assert other.state == AdmissionCase.State.WITHDRAWN
    with pytest.raises(RuleViolation):
        record(w, other, "course")


def test_one_open_case_per_candidate(w):
    case = open_case(w)
    with pytest.raises(RuleViolation) as exc:
        services.case_open(actor=None, candidate=case.candidate)
    assert exc.value.code == "case_open"


def test_a_ceremony_after_its_deadline_stays_marked_late(w):
    case = walk(w, open_case(w), "decision")
    case = record(w, case, "ceremony", date=case.ceremony_due + datetime.timedelta(days=1))
    assert case.state == AdmissionCase.State.COMPLETED and case.held_late
    event = AuditEvent.objects.filter(event_type=EventType.ADMISSION_STEP_RECORDED, object_id=str(case.pk)).latest("pk")
    assert event.after["step"] == "ceremony" and event.after["late"] is True


def test_the_life_history_is_shown_with_protected_fields_only_to_those_allowed(client_for, w):
    case = walk(w, open_case(w), "introducers")
    commune = client_for("commune").get(f"/admissions/cases/{case.pk}/")  # holds the sensitive-data permission
    province = client_for("province").get(f"/admissions/cases/{case.pk}/")  # does not
    assert commune.status_code == province.status_code == 200
    assert "Kinh" in commune.content.decode() and "Yên Mô, Ninh Bình" in commune.content.decode()
    assert "Kinh" not in province.content.decode() and "Yên Mô, Ninh Bình" in province.content.decode()
