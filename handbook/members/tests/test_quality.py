import datetime

from handbook.accounts.models import User
from handbook.audit.models import AuditEvent, EventType
from handbook.members import counts, services
from handbook.members.models import Member, WorkHistory
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
