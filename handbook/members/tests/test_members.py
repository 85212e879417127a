import datetime

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from handbook.audit.models import AuditEvent, EventType
from handbook.core import access
from handbook.core.errors import RuleViolation
from handbook.core.text import fold, sort_key
from handbook.members import counts, queries, services
from handbook.members.models import Member, MemberCount
from handbook.testing import BORN


def make(w, **overrides):
    data = {
        "actor": None,
        "organization": w.a1a,
        "full_name": "Ngô Thị Lan",
        "sex": "F",
        "date_of_birth": datetime.date(1995, 3, 4),
        "cccd": "037195000777",
        "status": Member.Status.PROBATIONARY,
    }
    data.update(overrides)
    return services.member_create(**data)


def test_a_duplicate_citizen_id_is_refused_with_a_clear_message(w):
    before = Member.objects.count()
    with pytest.raises(RuleViolation) as err:
        make(w, cccd=w.other_member.cccd, sex="M", date_of_birth=BORN)
    assert err.value.field == "cccd" and str(err.value) == "Đã có đảng viên mang số CCCD này."
    with translation.override("en"), pytest.raises(RuleViolation) as err:
        make(w, cccd=w.other_member.cccd, sex="M", date_of_birth=BORN)
    assert str(err.value) == "A member with this citizen ID (CCCD) already exists."
    assert Member.objects.count() == before


def test_a_duplicate_citizen_id_through_the_api_answers_400(client_for, w):
    response = client_for("secretary").post(
        "/api/v1/members",
        {
            "organization_id": w.a1a.pk,
            "full_name": "Ngô Thị Lan",
            "sex": "F",
            "date_of_birth": "1995-03-04",
            "cccd": w.other_member.cccd,
        },
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json()["field"] == "cccd"


def test_a_duplicate_citizen_id_on_the_page_shows_the_error_on_the_field(client_for, w):
    response = client_for("secretary").post(
        f"/members/new/{w.a1a.pk}/",
        {
            "full_name": "Ngô Thị Lan",
            "sex": "F",
            "date_of_birth": "1995-03-04",
            "cccd": w.other_member.cccd,
            "status": "official",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["cccd"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("cccd", "12345"),
        ("cccd", "03719500077a"),
        ("full_name", "  "),
        ("sex", "X"),
        ("status", "boss"),
        ("date_of_birth", datetime.date(2999, 1, 1)),
    ],
)
def test_bad_input_is_refused_and_nothing_written(w, field, value):
    before = (Member.objects.count(), AuditEvent.objects.count())
    with pytest.raises(RuleViolation) as err:
        make(w, **{field: value})
    assert err.value.field == field
    assert (Member.objects.count(), AuditEvent.objects.count()) == before


def test_members_belong_to_cells_only(w):
    with pytest.raises(RuleViolation) as err:
        make(w, organization=w.a1)
    assert err.value.code == "not_a_cell"


def test_counters_follow_create_update_and_move(w):
    member = make(w)
    assert counts.subtree_counts_by_status(w.a1a)["probationary"] == 2
    services.member_update(actor=None, member=member, status=Member.Status.OFFICIAL)
    assert counts.subtree_counts_by_status(w.a1a) == {"official": 4, "probationary": 1}
    services.member_move(actor=None, member=member, organization=w.a2a)
    assert counts.subtree_member_count(w.a1a) == 4 and counts.subtree_member_count(w.a2a) == 4
    kinds = AuditEvent.objects.filter(object_type="members.member", object_id=str(member.pk))
    assert sorted(kinds.values_list("event_type", flat=True)) == [
        EventType.MEMBER_CREATED,
        EventType.MEMBER_UPDATED,
        EventType.MEMBER_MOVED,
    ]


def test_counters_match_a_full_recount(w):
    make(w)
    services.member_update(actor=None, member=w.other_member, status=Member.Status.EXEMPT)
    counted = {}
    for org_id, status in Member.objects.values_list("organization_id", "status"):
        counted[(org_id, status)] = counted.get((org_id, status), 0) + 1
    stored = {(c.organization_id, c.status): c.count for c in MemberCount.objects.exclude(count=0)}
    assert stored == counted


def test_name_search_ignores_diacritics_and_case_within_scope(w):
    found = queries.filtered(access.members(w.users["province"]), q="nguyen van anh")
    assert [m.full_name for m in found] == ["Nguyễn Văn Ánh"]
    assert not queries.filtered(access.members(w.users["outsider"]), q="nguyen van anh").exists()
    assert [m.full_name for m in queries.filtered(access.members(w.users["province"]), q="ĐỖ THỊ")] == ["Đỗ Thị Gấm"]


def test_search_by_citizen_id_needs_the_sensitive_data_permission(w):
    def search(who, text):
        user = w.users[who]
        return list(
            queries.filtered(
                access.members(user), q=text, sensitive_scope=access.members(user, access.MEMBER_SENSITIVE)
            )
        )

    assert search("commune", w.other_member.cccd) == [w.other_member]
    # Without the sensitive-data permission a CCCD finds nobody: a search must not reveal whose ID it is.
    assert search("province", w.other_member.cccd) == []


def test_a_member_sees_only_their_own_record_in_the_list(client_for, w):
    page = client_for("member").get("/members/")
    assert [m.full_name for m in page.context["page"]] == ["Nguyễn Văn Ánh"]


def test_the_list_filters_by_organisation_status_and_sex(client_for, w):
    client = client_for("province")
    names = lambda r: [m.full_name for m in r.context["page"]]  # noqa: E731
    assert len(names(client.get("/members/", {"org": w.a1.pk}))) == 6
    assert names(client.get("/members/", {"org": w.a1.pk, "status": "probationary"})) == ["Phạm Thị Dung"]
    assert set(names(client.get("/members/", {"org": w.a1a.pk, "sex": "F"}))) == {"Trần Thị Bích", "Phạm Thị Dung"}
    assert client.get("/members/", {"org": w.b.pk}).status_code == 404


def test_lists_are_in_vietnamese_order_by_given_name(w):
    names = ["Trần Văn Bình", "Lê Thị Ánh", "Nguyễn Văn An", "Phạm Văn Đức", "Hoàng Văn Dũng", "Lý Thị Ân"]
    assert sorted(names, key=sort_key) == [
        "Nguyễn Văn An",
        "Lê Thị Ánh",
        "Lý Thị Ân",
        "Trần Văn Bình",
        "Hoàng Văn Dũng",
        "Phạm Văn Đức",
    ]


@given(
    st.text(
        alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệóòỏõọốồổỗộớờởỡợúùủũụứừửữựíìỉĩịýỳỷỹỵ ",
        max_size=30,
    )
)
def test_fold_is_idempotent_and_ascii(text):
    folded = fold(text)
    assert fold(folded) == folded
    assert folded.isascii()
    assert folded == folded.lower()


def test_a_search_keeps_what_was_typed_out_of_the_address(client_for, w):
    client = client_for("commune")
    response = client.post("/members/", {"q": w.other_member.cccd})
    location = response["Location"]
    assert w.other_member.cccd not in location and "f=" in location
    page = client.get(location)
    assert [m.full_name for m in page.context["page"]] == ["Lê Văn Cường"]
    export = client.get(location.replace("/members/", "/members/export.csv"))
    assert "Lê Văn Cường" in export.content.decode("utf-8")
    # Another user cannot reuse the token: the search lives in the searcher's session.
    assert client_for("province").get(location).context["page"].paginator.count == 9  # all of province A
