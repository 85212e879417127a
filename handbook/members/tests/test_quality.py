import datetime

from handbook.accounts.models import User
from handbook.audit.models import AuditEvent, EventType
from handbook.members import counts, quality, services
from handbook.members.models import Member, MergeRule, WorkHistory
from handbook.testing import next_cccd


def duplicate_of(w, member, **extra):
    return services.member_create(
        actor=None,
        organization=w.a1b,
        full_name=member.full_name.upper(),
        sex=member.sex,
        date_of_birth=member.date_of_birth,
        cccd=next_cccd(member.sex),
        status="official",
        **extra,
    )


def test_the_quality_view_lists_duplicates_incomplete_and_invalid_records(client_for, w):
    dup = duplicate_of(w, w.other_member, hometown="Yên Mô")
    services.member_update(actor=None, member=w.own_member, phone="0912 555 666")
    services.member_update(actor=None, member=w.other_member, phone="0912555666")
    # An invalid record that predates the checks (written around the service, as an old import would).
    Member.objects.filter(pk=w.outside_member.pk).update(phone="12")
    page = client_for("province").get("/members/quality/", {"org": w.a.pk})
    groups = page.context["duplicates"]
    names = [{m.pk for m in group} for _kind, group in groups]
    assert {w.other_member.pk, dup.pk} in names and {w.own_member.pk, w.other_member.pk} in names
    assert any(p.member.pk == w.own_member.pk for p in page.context["incomplete"])
    assert page.context["invalid"] == []  # the outsider's record is in another province
    page = client_for("outsider").get("/members/quality/", {"org": w.b.pk})
    assert [p.member.pk for p in page.context["invalid"]] == [w.outside_member.pk]


def test_merging_two_records_keeps_both_histories(client_for, w):
    dup = duplicate_of(
        w,
        w.other_member,
        hometown="Yên Mô",
        admission_date=datetime.date(2005, 3, 1),
        official_date=datetime.date(2006, 3, 1),
    )
    services.member_row_add(
        actor=None,
        member=dup,
        table="work",
        start=datetime.date(2015, 1, 1),
        position="Trưởng thôn",
        workplace="Thôn Đông",
    )
    before_total = counts.subtree_member_count(w.a)
    preview = client_for("commune").get(f"/members/merge/{w.other_member.pk}/{dup.pk}/")
    assert any(fills for _label, _l, _r, fills in preview.context["rows"])
    response = client_for("commune").post(f"/members/merge/{w.other_member.pk}/{dup.pk}/")
    assert response.status_code == 302
    kept = Member.objects.get(pk=w.other_member.pk)
    assert kept.hometown == "Yên Mô" and kept.admission_date == datetime.date(2005, 3, 1)
    assert WorkHistory.objects.filter(member=kept).count() == 2
    merged = Member.objects.get(pk=dup.pk)
    assert merged.status == "merged" and merged.merged_into_id == kept.pk
    assert counts.subtree_member_count(w.a) == before_total - 1
    assert AuditEvent.objects.filter(event_type=EventType.MEMBER_MERGED, object_id=str(kept.pk)).exists()
    assert AuditEvent.objects.filter(event_type=EventType.MEMBER_MERGED_INTO, object_id=str(dup.pk)).exists()


def test_a_record_with_a_login_is_never_merged_away(w):
    import pytest

    from handbook.core.errors import RuleViolation
    from handbook.members.quality import member_merge

    dup = duplicate_of(w, w.own_member)
    with pytest.raises(RuleViolation) as err:
        member_merge(actor=w.users["commune"], keep=dup, duplicate=w.own_member)
    assert err.value.code == "has_login"
    assert User.objects.get(username="member").member_id == w.own_member.pk
    member_merge(actor=w.users["commune"], keep=w.own_member, duplicate=dup)  # the other way round works
    assert Member.objects.get(pk=dup.pk).status == "merged"


def test_merging_needs_the_permission_to_see_protected_data_of_both(w):
    import pytest

    from handbook.core.errors import RuleViolation
    from handbook.members.quality import member_merge

    dup = duplicate_of(w, w.other_member)
    with pytest.raises(RuleViolation) as err:
        member_merge(actor=w.users["province"], keep=w.other_member, duplicate=dup)
    assert err.value.code == "protected"


def test_merging_needs_the_right_to_change_both_records(client_for, w):
    dup = duplicate_of(w, w.other_member)
    assert client_for("leader").post(f"/members/merge/{w.other_member.pk}/{dup.pk}/").status_code == 404
    assert (
        client_for("secretary").get(f"/members/merge/{w.other_member.pk}/{dup.pk}/").status_code == 404
    )  # dup is in A1b
    assert Member.objects.get(pk=dup.pk).status == "official"


# --- what a merge does with the rest of a person's history ------------------------------------------


def _badge(member, years=30):
    from handbook.badges.models import BadgeAward
    from handbook.rules.models import RuleSetVersion

    day = datetime.date(2025, 2, 3)
    return BadgeAward.objects.create(
        member=member,
        organization=member.organization,
        years=years,
        award_date=day,
        reaches_on=day,
        decision_number="12-QĐ/TU",
        decision_date=day,
        rule_set=RuleSetVersion.objects.first(),
    )


def _exemption(member, *, ended: bool):
    from handbook.discipline.models import Exemption

    return Exemption.objects.create(
        member=member,
        reason="Tuổi cao, sức yếu",
        start=datetime.date(2020, 1, 1),
        end=datetime.date(2021, 1, 1) if ended else None,
        status_before="official",
    )


def _merge_into_other(w, dup):
    return quality.member_merge(actor=w.users["commune"], keep=w.other_member, duplicate=dup)


def _fix_then_merge(w, dup, row, **changes):
    """Correct `row` as a person would before merging again; merge; return the row as stored after."""
    for name, value in changes.items():
        setattr(row, name, value)
    row.save()
    _merge_into_other(w, dup)
    row.refresh_from_db()
    return row


def _refusal(w, dup):
    """The RuleViolation that merging `dup` into the other member raises (the test fails without one)."""
    import pytest

    from handbook.core.errors import RuleViolation

    with pytest.raises(RuleViolation) as err:
        _merge_into_other(w, dup)
    return err.value


def test_every_relation_to_a_member_record_says_what_a_merge_does_with_it():
    from handbook.members.quality import _member_relations

    relations = list(_member_relations())
    assert len(relations) >= 20  # the record's tables, meetings, documents and the lifecycle apps
    missing = [f"{model._meta.label}.{fk.name}" for model, fk, rule in relations if rule is None]
    assert missing == []
    kinds = {rule.kind for _m, _f, rule in relations}
    assert kinds == {MergeRule.MOVE, MergeRule.STAY, MergeRule.REFUSE}


def test_a_merge_moves_the_persons_decisions_and_cases_to_the_kept_record(client_for, w):
    from handbook.badges.models import BadgeAward
    from handbook.discipline.models import DisciplineCase, Exemption

    dup = duplicate_of(w, w.other_member)
    badge = _badge(dup)
    exemption = _exemption(dup, ended=True)
    case = DisciplineCase.objects.create(
        member=dup, organization=dup.organization, opened_on=datetime.date(2019, 5, 1), violation="Vi phạm"
    )
    preview = client_for("commune").get(f"/members/merge/{w.other_member.pk}/{dup.pk}/")
    plan = preview.context["plan"]
    assert plan.problems == []
    assert {label: n for label, n in plan.moves} == {
        "quyết định tặng Huy hiệu Đảng": 1,  # badge awards: the page speaks Vietnamese by default
        "quyết định miễn sinh hoạt": 1,
        "vụ việc kỷ luật": 1,
    }
    assert "Vụ việc kỷ luật: 1" in preview.content.decode()
    assert client_for("commune").post(f"/members/merge/{w.other_member.pk}/{dup.pk}/").status_code == 302
    for row in (badge, exemption, case):
        row.refresh_from_db()
        assert row.member_id == w.other_member.pk
    assert BadgeAward.objects.filter(member=dup).count() == 0 and Exemption.objects.filter(member=dup).count() == 0
    event = AuditEvent.objects.get(event_type=EventType.MEMBER_MERGED, object_id=str(w.other_member.pk))
    moved = event.after["moved"]
    assert moved["badges.badgeaward.member"] == 1 and moved["discipline.disciplinecase.member"] == 1


def test_a_fact_the_kept_record_already_has_stays_with_the_merged_record(client_for, w):
    dup = duplicate_of(w, w.other_member)
    theirs, mine = _badge(dup), _badge(w.other_member)  # the same milestone, recorded on both
    other_milestone = _badge(dup, years=40)
    page = client_for("commune").get(f"/members/merge/{w.other_member.pk}/{dup.pk}/")
    plan = page.context["plan"]
    assert plan.problems == [] and b"disabled" not in page.content
    assert ("quyết định tặng Huy hiệu Đảng", 1) in plan.moves  # the 40-year award
    assert ("quyết định tặng Huy hiệu Đảng mà hồ sơ được giữ đã có", 1) in plan.stays
    response = client_for("commune").post(f"/members/merge/{w.other_member.pk}/{dup.pk}/")
    assert response.status_code == 302
    for row in (theirs, mine, other_milestone):
        row.refresh_from_db()
    # Nothing is lost, and nobody has one milestone twice.
    assert theirs.member_id == dup.pk and mine.member_id == w.other_member.pk
    assert other_milestone.member_id == w.other_member.pk
    assert Member.objects.get(pk=dup.pk).status == "merged"


def test_a_record_in_the_middle_of_something_is_not_merged_away(w):
    from handbook.discipline.models import Exit

    dup = duplicate_of(w, w.other_member)
    current = _exemption(dup, ended=False)
    refusal = _refusal(w, dup)
    assert refusal.code == "blocked" and "đang được miễn sinh hoạt" in str(refusal)
    current.end = datetime.date(2021, 1, 1)
    current.save()
    left = Exit.objects.create(
        member=dup,
        organization=dup.organization,
        kind="death",
        date=datetime.date(2024, 1, 1),
        status_before="official",
    )
    assert "đã ra khỏi Đảng" in str(_refusal(w, dup))
    assert Member.objects.get(pk=dup.pk).status == "official"
    # Revoked on appeal: history, no obstacle.
    assert _fix_then_merge(w, dup, left, reversed_on=datetime.date(2024, 6, 1)).member_id == w.other_member.pk


def test_a_merge_never_makes_one_admission_case_name_a_person_twice(w):
    from handbook.admissions.models import AdmissionCase, Candidate

    dup = duplicate_of(w, w.other_member)

    def case(name, **people):
        candidate = Candidate.objects.create(
            organization=w.a1b, full_name=name, date_of_birth=datetime.date(2000, 1, 1), sex="M"
        )
        return AdmissionCase.objects.create(candidate=candidate, organization=w.a1b, **people)

    both = case("Lê Văn Tới", introducer_1=w.other_member, introducer_2=dup)
    own = case("Lê Văn Tám", member=dup, introducer_1=w.other_member)  # the duplicate was admitted here
    moves = case("Lê Văn Chín", introducer_1=w.own_member, introducer_2=dup)
    _merge_into_other(w, dup)
    for row in (both, own, moves):
        row.refresh_from_db()
    assert (both.introducer_1_id, both.introducer_2_id) == (w.other_member.pk, dup.pk)
    assert (own.member_id, own.introducer_1_id) == (dup.pk, w.other_member.pk)
    assert (moves.introducer_1_id, moves.introducer_2_id) == (w.own_member.pk, w.other_member.pk)


def test_a_transfer_or_a_review_under_way_blocks_the_merge(w):
    from handbook.reviews.tests.factories import open_period
    from handbook.transfers import services as transfers

    dup = duplicate_of(w, w.other_member)
    letter = transfers.transfer_issue(
        actor=None,
        member=dup,
        to_organization=w.a2a,
        kind="official",
        letter_number="7-GGT/ĐU",
        issued_on=datetime.date.today(),
    )
    assert "giấy giới thiệu" in str(_refusal(w, dup))
    transfers.transfer_cancel(actor=None, transfer=letter)
    period = open_period(w.a1)
    from handbook.reviews import services as reviews

    review = reviews.review_self_assess(actor=None, period=period, subject=dup, text="Tự đánh giá", score=80)
    assert "đánh giá" in str(_refusal(w, dup))
    reviews.review_propose(actor=None, period=period, subject=dup, score=80, level="good", reason="")
    reviews.review_decide(
        actor=None, period=period, subject=dup, decision_number="3-QĐ", decision_date=datetime.date.today()
    )
    _merge_into_other(w, dup)
    review.refresh_from_db()
    letter.refresh_from_db()
    assert review.member_id == w.other_member.pk and letter.member_id == w.other_member.pk


def test_the_merge_page_hides_the_plan_from_those_who_may_not_merge(client_for, w):
    dup = duplicate_of(w, w.other_member)
    _exemption(dup, ended=True)
    page = client_for("province").get(f"/members/merge/{w.other_member.pk}/{dup.pk}/")
    assert page.status_code == 200 and page.context["plan"] is None
    assert "miễn sinh hoạt:" not in page.content.decode()
