"""The full record: what each reader receives, and the log of sensitive reads."""

import datetime

import pytest
from django.utils import timezone

from handbook.audit.models import AuditEvent, EventType, SensitiveAccess
from handbook.core.errors import RuleViolation
from handbook.members import services
from handbook.members.models import Member, StatusChange, WorkHistory


@pytest.fixture
def rich(w):
    """other_member with protected values worth hiding."""
    services.member_update(
        actor=None, member=w.other_member, religion="Phật giáo", ethnicity="Mường", economic_situation="Hộ cận nghèo"
    )
    return Member.objects.get(pk=w.other_member.pk)


PROTECTED_VALUES = ("Phật giáo", "Mường", "Hộ cận nghèo", "Ngô Thị Hằng")


def test_a_province_official_without_the_permission_never_receives_protected_fields(client_for, w, rich):
    client = client_for("province")
    page = client.get(f"/members/{rich.pk}/").content.decode()
    api = client.get(f"/api/v1/members/{rich.pk}")
    listing = client.get("/api/v1/members", {"organization_id": w.a1a.pk}).content.decode()
    assert api.status_code == 200
    body = api.json()
    for key in ("religion", "ethnicity", "cccd", "economic_situation"):
        assert key not in body
    assert "family" not in body["tables"] and "work" in body["tables"]
    for text in (page, api.content.decode(), listing):
        assert rich.cccd not in text
        for value in PROTECTED_VALUES:
            assert value not in text
    assert client.get(f"/api/v1/members/{rich.pk}/tables/family").status_code == 403
    assert not SensitiveAccess.objects.filter(actor=w.users["province"]).exists()


def test_an_official_with_the_permission_receives_them_and_the_read_is_logged(client_for, w, rich):
    client = client_for("commune")
    body = client.get(f"/api/v1/members/{rich.pk}").json()
    assert (body["religion"], body["ethnicity"], body["cccd"]) == ("Phật giáo", "Mường", rich.cccd)
    page = client.get(f"/members/{rich.pk}/").content.decode()
    assert "Phật giáo" in page and "Ngô Thị Hằng" in page
    reads = SensitiveAccess.objects.filter(actor=w.users["commune"], member_id=rich.pk).order_by("id")
    assert [r.channel for r in reads] == ["api", "page"]
    assert set(reads.last().fields) == {
        "religion",
        "ethnicity",
        "cccd",
        "birth_province_code",
        "economic_situation",
        "family",
        "discipline",
    }


def test_a_member_sees_their_whole_record_unlogged_and_who_read_it(client_for, w):
    services.member_update(actor=None, member=w.own_member, religion="Công giáo")
    client_for("commune").get(f"/members/{w.own_member.pk}/")
    page = client_for("member").get(f"/members/{w.own_member.pk}/")
    text = page.content.decode()
    assert "Công giáo" in text and w.own_member.cccd in text
    assert [a.actor_label for a in page.context["accesses"]] == ["commune"]
    assert not SensitiveAccess.objects.filter(actor=w.users["member"]).exists()


def test_sensitive_access_rows_are_append_only(client_for, w, rich):
    client_for("commune").get(f"/members/{rich.pk}/")
    row = SensitiveAccess.objects.first()
    with pytest.raises(PermissionError):
        row.save()
    with pytest.raises(PermissionError):
        SensitiveAccess.objects.all().delete()


def test_the_record_shows_sections_history_and_party_age(client_for, w):
    member = services.member_create(
        actor=None,
        organization=w.a1a,
        full_name="Vũ Thị Xuân",
        sex="F",
        date_of_birth=datetime.date(1960, 2, 3),
        cccd="037160000321",
        status="official",
        admission_date=datetime.date(1990, 3, 1),
        official_date=datetime.date(1991, 3, 1),
        phone="0987 654 321",
    )
    services.member_status_change(actor=None, member=member, status="removed", effective_date=datetime.date(2000, 1, 1))
    services.member_status_change(
        actor=None, member=member, status="official", effective_date=datetime.date(2005, 1, 1)
    )
    page = client_for("commune").get(f"/members/{member.pk}/")
    record = page.context["record"]
    assert [h.status for h in record.history] == ["probationary", "official", "removed", "official"]
    interruption = (datetime.date(2005, 1, 1) - datetime.date(2000, 1, 1)).days
    assert record.party_age.days == (timezone.localdate() - datetime.date(1990, 3, 1)).days - interruption
    assert "0987654321" in page.content.decode()


def test_a_status_change_updates_counts_and_is_audited(w):
    services.member_status_change(
        actor=w.users["commune"],
        member=w.other_member,
        status="deceased",
        effective_date=datetime.date(2026, 1, 2),
        note="",
    )
    assert Member.objects.get(pk=w.other_member.pk).status == "deceased"
    assert StatusChange.objects.filter(member=w.other_member, status="deceased").exists()
    assert AuditEvent.objects.filter(event_type=EventType.MEMBER_STATUS_CHANGED, actor=w.users["commune"]).exists()
    with pytest.raises(RuleViolation):
        services.member_status_change(
            actor=None, member=w.other_member, status="official", effective_date=datetime.date(2999, 1, 1)
        )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"admission_date": datetime.date(1995, 1, 1)}, "admission_date"),  # born 1980: only 14
        ({"admission_date": datetime.date(2005, 1, 1), "official_date": datetime.date(2005, 6, 1)}, "official_date"),
        ({"phone": "12345"}, "phone"),
        ({"birth_province_code": "001"}, "cccd"),  # the world's CCCDs are from Ninh Bình (037)
        ({"youth_union_date": datetime.date(2999, 1, 1)}, "youth_union_date"),
        ({"political_theory": "genius"}, "political_theory"),
    ],
)
def test_record_rules_are_enforced_with_the_field_named(w, fields, field):
    with pytest.raises(RuleViolation) as err:
        services.member_update(actor=None, member=w.other_member, **fields)
    assert field in err.value.errors


def test_all_problems_are_reported_at_once(w):
    with pytest.raises(RuleViolation) as err:
        services.member_update(actor=None, member=w.other_member, phone="1", youth_union_date=datetime.date(2999, 1, 1))
    assert {"phone", "youth_union_date"} <= set(err.value.errors)


def test_a_party_card_number_is_unique(w):
    services.member_update(actor=None, member=w.other_member, card_number="12345678")
    with pytest.raises(RuleViolation) as err:
        services.member_update(actor=None, member=w.own_member, card_number="12345678")
    assert err.value.field == "card_number"


def test_table_rows_are_validated_and_audited(w):
    with pytest.raises(RuleViolation) as err:
        services.member_row_add(
            actor=None,
            member=w.own_member,
            table="work",
            start=datetime.date(2010, 1, 1),
            end=datetime.date(2009, 1, 1),
            position="X",
            workplace="Y",
        )
    assert err.value.field == "end"
    with pytest.raises(RuleViolation):
        services.member_row_add(actor=None, member=w.own_member, table="work", start=datetime.date(2010, 1, 1))
    row = services.member_row_add(
        actor=None,
        member=w.own_member,
        table="work",
        start=datetime.date(2010, 1, 1),
        position="Cán bộ",
        workplace="UBND xã",
    )
    services.member_row_remove(actor=None, member=w.own_member, table="work", row_id=row.pk)
    assert not WorkHistory.objects.filter(pk=row.pk).exists()
    kinds = AuditEvent.objects.filter(object_type="members.member", object_id=str(w.own_member.pk)).values_list(
        "event_type", flat=True
    )
    assert {EventType.MEMBER_TABLE_ROW_ADDED, EventType.MEMBER_TABLE_ROW_REMOVED} <= set(kinds)


def test_search_by_phone_and_card_number(client_for, w):
    services.member_update(actor=None, member=w.other_member, phone="0912 111 222", card_number="A-778899")
    client = client_for("province")
    assert [
        m["full_name"]
        for m in client.post(
            "/api/v1/members/search", {"q": "+84 912 111 222"}, content_type="application/json"
        ).json()["results"]
    ] == ["Lê Văn Cường"]
    assert [
        m["full_name"]
        for m in client.post("/api/v1/members/search", {"q": "A-778899"}, content_type="application/json").json()[
            "results"
        ]
    ] == ["Lê Văn Cường"]


def test_the_edit_page_offers_protected_fields_only_to_those_allowed(client_for, w, rich):
    assert "religion" not in client_for("province").get(f"/members/{rich.pk}/edit/").context["form"].fields
    assert "religion" in client_for("commune").get(f"/members/{rich.pk}/edit/").context["form"].fields


def _form_data(member, **overrides):
    data = {
        name: (value.isoformat() if hasattr(value, "isoformat") else ("" if value is None else value))
        for name, value in ((n, getattr(member, n)) for n in services.RECORD_FIELDS)
    }
    data.update(overrides)
    return data


def test_an_edit_without_protected_fields_keeps_them(client_for, w, rich):
    client = client_for("province")
    data = _form_data(rich, hometown="Yên Mô, Ninh Bình")
    for name in Member.SENSITIVE_FIELDS:
        data.pop(name)
    response = client.post(f"/members/{rich.pk}/edit/", data)
    assert response.status_code == 302, response.context["form"].errors
    saved = Member.objects.get(pk=rich.pk)
    assert (saved.hometown, saved.religion, saved.cccd) == ("Yên Mô, Ninh Bình", "Phật giáo", rich.cccd)


def test_the_edit_page_shows_every_problem_next_to_its_field(client_for, w):
    data = _form_data(w.other_member, phone="123", admission_date="1990-01-01")
    response = client_for("commune").post(f"/members/{w.other_member.pk}/edit/", data)
    assert response.status_code == 200
    assert {"phone", "admission_date"} <= set(response.context["form"].errors)


def test_rows_and_status_changes_from_the_pages(client_for, w):
    client = client_for("secretary")
    response = client.post(
        f"/members/{w.own_member.pk}/rows/rewards/add/",
        {"date": "2020-05-19", "title": "Giấy khen", "decided_by": "Huyện ủy"},
    )
    assert response.status_code == 302
    response = client.post(
        f"/members/{w.own_member.pk}/status/", {"status": "exempt", "effective_date": "2026-02-01", "note": "Tuổi cao"}
    )
    assert response.status_code == 302
    assert Member.objects.get(pk=w.own_member.pk).status == "exempt"
    page = client.get(f"/members/{w.own_member.pk}/").content.decode()
    assert "Giấy khen" in page and "Tuổi cao" in page
