"""Badge candidates per subtree, awards, and the pages and API around them."""

import datetime
import json

import pytest
from django.utils import timezone

from handbook.audit.models import AuditEvent, EventType
from handbook.badges import queries, services
from handbook.badges.models import BadgeAward
from handbook.core.errors import RuleViolation
from handbook.members import services as member_services
from handbook.members.models import Badge, Member
from handbook.members.validators import add_months, add_years
from handbook.rules import rulebook
from handbook.testing import next_cccd

TODAY = timezone.localdate()
BORN = datetime.date(1930, 3, 1)
AWARD = datetime.date(TODAY.year, 9, 2)


def veteran(cell, admitted: datetime.date, name: str = "Cụ Nguyễn Văn Thọ") -> Member:
    return member_services.member_create(
        actor=None,
        organization=cell,
        full_name=name,
        sex="M",
        date_of_birth=BORN,
        cccd=next_cccd("M", BORN),
        admission_date=admitted,
        official_date=add_months(admitted, 12),
        status=Member.Status.OFFICIAL,
    )


def rules(w):
    return rulebook.for_organization(w.a1, on=AWARD)


def award(member, **kw):
    values = {
        "actor": None,
        "member": member,
        "years": 30,
        "award_date": AWARD,
        "decision_number": "120-QĐ/TU",
        "decision_date": TODAY,
    }
    values.update(kw)
    return services.badge_award(**values)


def test_the_list_shows_who_reaches_a_milestone_and_who_could_come_early(w):
    due = veteran(w.a1a, add_years(AWARD, -30), name="Đủ Ba Mươi")
    early = veteran(w.a1b, add_years(add_months(AWARD, 6), -30), name="Sớm Sáu Tháng")
    too_far = veteran(w.a1a, add_years(add_months(AWARD, 13), -30), name="Còn Mười Ba Tháng")
    old = veteran(w.a2a, add_years(AWARD, -46), name="Bốn Sáu Năm")
    elsewhere = veteran(w.b1a, add_years(AWARD, -30), name="Tỉnh Khác")
    result = queries.due(w.a, award_date=AWARD, rs=rules(w))
    rows = {c.member.pk: c for c in result["rows"]}
    assert (rows[due.pk].years, rows[due.pk].early) == (30, False)
    assert (rows[early.pk].years, rows[early.pk].early) == (30, True)
    assert rows[old.pk].years == 45  # the highest milestone reached
    assert too_far.pk not in rows and elsewhere.pk not in rows
    assert result["counts"]["early"] >= 1


def test_a_seventy_year_badge_may_come_twenty_four_months_early(w):
    member = veteran(w.a1a, add_years(add_months(AWARD, 23), -70))
    row = {c.member.pk: c for c in queries.due(w.a1, award_date=AWARD, rs=rules(w))["rows"]}[member.pk]
    assert (row.years, row.early) == (70, True)


def test_members_holding_the_badge_are_left_out_and_offered_the_next(w):
    member = veteran(w.a1a, add_years(AWARD, -40))
    member_services.member_row_add(actor=None, member=member, table="badges", years=40, awarded_on=TODAY)
    other = veteran(w.a1a, add_years(AWARD, -40), name="Chưa Có Ba Mươi")
    member_services.member_row_add(actor=None, member=other, table="badges", years=30, awarded_on=TODAY)
    rows = {c.member.pk: c for c in queries.due(w.a1, award_date=AWARD, rs=rules(w))["rows"]}
    assert member.pk not in rows
    assert (rows[other.pk].years, rows[other.pk].held) == (40, 30)


def test_an_interruption_delays_the_milestone(w):
    member = veteran(w.a1a, add_years(AWARD, -30))
    member_services.member_status_change(
        actor=None, member=member, status="removed", effective_date=add_years(AWARD, -20)
    )
    member_services.member_status_change(
        actor=None, member=member, status="official", effective_date=add_years(AWARD, -18)
    )
    rows = {c.member.pk: c for c in queries.due(w.a1, award_date=AWARD, rs=rules(w))["rows"]}
    assert member.pk not in rows  # two years short: beyond the 12 early months
    with pytest.raises(RuleViolation) as exc:
        award(member)
    assert exc.value.code == "not_reached"


def test_an_award_writes_the_record_and_keeps_the_rules(w):
    member = veteran(w.a1a, add_years(AWARD, -30))
    done = award(member)
    assert done.badge == Badge.objects.get(member=member, years=30)
    assert done.rule_set == rulebook.for_organization(w.a1a, on=TODAY)
    assert not done.early
    assert AuditEvent.objects.filter(event_type=EventType.BADGE_AWARDED, object_id=str(member.pk)).exists()
    with pytest.raises(RuleViolation) as exc:
        award(member)
    assert exc.value.code == "duplicate"
    assert member.pk not in {c.member.pk for c in queries.due(w.a1, award_date=AWARD, rs=rules(w))["rows"]}


def test_an_early_award_needs_a_reason(w):
    member = veteran(w.a1a, add_years(add_months(AWARD, 6), -30))
    with pytest.raises(RuleViolation) as exc:
        award(member)
    assert exc.value.code == "early_reason_missing"
    done = award(member, early_reason="Ốm nặng, điều trị dài ngày")
    assert done.early and done.early_reason.startswith("Ốm nặng")


def test_no_badge_for_an_undeclared_milestone_or_a_probationary_member(w):
    member = veteran(w.a1a, add_years(AWARD, -36))
    with pytest.raises(RuleViolation) as exc:
        award(member, years=35)
    assert exc.value.field == "years"
    with pytest.raises(RuleViolation) as exc:
        award(w.own_member.__class__.objects.get(full_name="Phạm Thị Dung"))
    assert exc.value.code == "status"


# Pages and API ---------------------------------------------------------------------------------


def test_the_page_lists_and_the_commune_awards(w, client_for):
    member = veteran(w.a1a, add_years(AWARD, -30))
    page = client_for("commune").get(f"/badges/org/{w.a1.pk}/?award_date={AWARD.isoformat()}")
    assert member.full_name in page.content.decode()
    data = {"years": 30, "award_date": AWARD.isoformat(), "decision_number": "5-QĐ", "decision_date": str(TODAY)}
    assert client_for("secretary").post(f"/badges/members/{member.pk}/award/", data).status_code == 403
    assert client_for("outsider").post(f"/badges/members/{member.pk}/award/", data).status_code == 404
    response = client_for("commune").post(f"/badges/members/{member.pk}/award/", data)
    assert response.status_code == 302
    assert client_for("member").get(response["Location"]).status_code == 404
    assert client_for("commune").get(response["Location"]).status_code == 200


def test_the_api_lists_and_awards(w, client_for):
    member = veteran(w.a1a, add_years(AWARD, -45))
    url = f"/api/v1/badges/due?organization_id={w.a.pk}&award_date={AWARD.isoformat()}"
    listed = client_for("leader").get(url).json()
    assert [r["years"] for r in listed["rows"] if r["member_id"] == member.pk] == [45]
    assert client_for("outsider").get(url).status_code == 404
    body = json.dumps(
        {
            "member_id": member.pk,
            "years": 45,
            "award_date": str(AWARD),
            "decision_number": "9",
            "decision_date": str(TODAY),
        }
    )
    assert client_for("leader").post("/api/v1/badges/awards", body, "application/json").status_code == 403
    created = client_for("province").post("/api/v1/badges/awards", body, "application/json")
    assert created.status_code == 201, created.content
    assert BadgeAward.objects.get(pk=created.json()["id"]).years == 45


def test_the_list_takes_a_fixed_number_of_queries(w, django_assert_max_num_queries):
    for i in range(6):
        m = veteran(w.a1a if i % 2 else w.a2a, add_years(AWARD, -30 - i * 5), name=f"Cụ {i}")
        if i == 3:
            member_services.member_status_change(
                actor=None, member=m, status="removed", effective_date=add_years(AWARD, -10)
            )
            member_services.member_status_change(
                actor=None, member=m, status="official", effective_date=add_years(AWARD, -9)
            )
    rs = rules(w)
    with django_assert_max_num_queries(4):
        result = queries.due(w.a, award_date=AWARD, rs=rs)
    assert len(result["rows"]) == 6


def test_a_member_sees_their_own_award_but_not_the_list(w, client_for):
    from django.test import Client

    from handbook.accounts import services as account_services

    member = veteran(w.a1a, add_years(AWARD, -30))
    done = award(member)
    user = account_services.user_create(actor=None, username="cu-tho", password="x-correct-horse-9", member=member)
    client = Client()
    client.force_login(user)
    assert client.get(f"/badges/{done.pk}/").status_code == 200
    assert client.get(f"/api/v1/badges/awards/{done.pk}").json()["years"] == 30
    assert client.get(f"/badges/org/{w.a1a.pk}/").status_code == 404
    assert client_for("member").get(f"/badges/{done.pk}/").status_code == 404
