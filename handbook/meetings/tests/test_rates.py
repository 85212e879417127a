"""Attendance rates over a period on a small constructed world (cells A1b and A2a, Tỉnh A)."""

import datetime

from django.utils import timezone

from handbook.meetings import guests, rates, services
from handbook.meetings.models import Meeting
from handbook.members.models import Member


def _held(cell, days_ago: int, title: str, publish: bool = True) -> Meeting:
    when = timezone.now().replace(microsecond=0) - datetime.timedelta(days=days_ago)
    meeting = services.meeting_create(actor=None, organization=cell, title=title, starts_at=when)
    if publish:
        services.meeting_publish(actor=None, meeting=meeting)
    return meeting


def _member(name: str) -> Member:
    return Member.objects.get(full_name=name)


def _period():
    today = timezone.localdate()
    return today - datetime.timedelta(days=90), today


def _world(w):
    """A2a: two meetings in the period (and one before it, one draft, one to come); A1b: one."""
    hai, hoa, khoa = _member("Vũ Văn Hải"), _member("Bùi Thị Hoa"), _member("Đặng Văn Khoa")
    em = _member("Hoàng Văn Em")
    m1 = _held(w.a2a, 60, "Tháng trước nữa")
    m2 = _held(w.a2a, 30, "Tháng trước")
    old = _held(w.a2a, 200, "Đầu năm cũ")
    _held(w.a2a, 20, "Nháp", publish=False)
    future = timezone.now() + datetime.timedelta(days=5)
    services.meeting_publish(
        actor=None, meeting=services.meeting_create(actor=None, organization=w.a2a, title="Sắp tới", starts_at=future)
    )
    m3 = _held(w.a1b, 45, "Chi bộ A1b")
    secretary = w.users["admin"]
    for meeting, member, state in [
        (m1, hai, "present"),
        (m1, hoa, "excused"),
        (m1, khoa, "absent"),
        (m2, hai, "present"),
        (m2, hoa, "present"),
        (old, khoa, "present"),
        (m3, em, "present"),
    ]:
        services.roll_call(actor=secretary, meeting=meeting, member=member, state=state)
    return m1, m2, m3


def test_cell_and_subtree_rates_count_held_meetings_only(w):
    _world(w)
    start, end = _period()
    total, rows = rates.subtree_rates(w.a, start, end)
    assert total.as_dict() == {"held": 3, "summoned": 8, "present": 4, "excused": 1, "unexcused": 3, "rate": 50.0}
    by_name = {r.organization.name: r.figures.as_dict() for r in rows}
    assert by_name["Xã A1"] == {"held": 1, "summoned": 2, "present": 1, "excused": 0, "unexcused": 1, "rate": 50.0}
    assert by_name["Xã A2"] == {"held": 2, "summoned": 6, "present": 3, "excused": 1, "unexcused": 2, "rate": 50.0}
    _cell_total, cell_rows = rates.subtree_rates(w.a2, start, end)
    assert [r.organization.name for r in cell_rows] == ["Chi bộ A2a"] and cell_rows[0].figures.held == 2
    # A longer period takes in the older meeting.
    longer, _rows = rates.subtree_rates(w.a2, start - datetime.timedelta(days=200), end)
    assert longer.held == 3 and longer.present == 4


def test_members_who_left_still_count_for_the_meetings_they_were_recorded_at(w):
    _world(w)
    Member.objects.filter(full_name="Đặng Văn Khoa").update(status=Member.Status.TRANSFERRED_OUT)
    start, end = _period()
    figures = rates.cell_figures(w.a2a.path, start, end)[w.a2a.path]
    assert (figures.summoned, figures.present, figures.excused, figures.unexcused) == (5, 3, 1, 1)
    per_member = {r.member.full_name: r.figures.as_dict() for r in rates.cell_member_rates(w.a2a, start, end)}
    assert per_member["Vũ Văn Hải"]["rate"] == 100.0
    assert per_member["Bùi Thị Hoa"] == {
        "held": 2,
        "summoned": 2,
        "present": 1,
        "excused": 1,
        "unexcused": 0,
        "rate": 50.0,
    }
    assert per_member["Đặng Văn Khoa"]["summoned"] == 1 and per_member["Đặng Văn Khoa"]["unexcused"] == 1
    assert sum(r["summoned"] for r in per_member.values()) == figures.summoned


def test_a_members_history_lists_each_meeting_with_their_state(w):
    m1, m2, _m3 = _world(w)
    start, end = _period()
    figures, items = rates.member_history(_member("Bùi Thị Hoa"), start, end)
    assert [(i.meeting.pk, i.state) for i in items] == [(m1.pk, "excused"), (m2.pk, "present")]
    assert figures.rate == 50.0
    figures, items = rates.member_history(_member("Đặng Văn Khoa"), start, end)
    assert [i.state for i in items] == ["absent", ""] and figures.unexcused == 2


def test_guests_are_never_counted_in_the_rates(w):
    _m1, m2, _m3 = _world(w)
    start, end = _period()
    before = rates.subtree_rates(w.a, start, end)[0].as_dict()
    guest = guests.guest_invite(actor=w.users["admin"], meeting=m2, user=w.users["province"])
    guests.guest_mark(actor=w.users["admin"], guest=guest, present=True)
    assert rates.subtree_rates(w.a, start, end)[0].as_dict() == before


def test_rates_cost_the_same_few_queries_however_many_meetings(w, django_assert_max_num_queries):
    _world(w)
    for days in range(61, 71):
        _held(w.a2a, days, f"Họp thêm {days}")
    start, end = _period()
    with django_assert_max_num_queries(6):
        total, _rows = rates.subtree_rates(w.a, start, end)
    assert total.held == 13


def test_officials_read_rates_by_api_and_drill_down(client_for, w):
    _world(w)
    start, end = _period()
    response = client_for("province").get(f"/api/v1/attendance/organizations/{w.a.pk}?start={start}&end={end}")
    body = response.json()
    assert response.status_code == 200 and body["total"]["rate"] == 50.0 and body["total"]["summoned"] == 8
    a2 = next(c for c in body["children"] if c["name"] == "Xã A2")
    cell = client_for("province").get(
        f"/api/v1/attendance/organizations/{a2['organization_id']}?start={start}&end={end}"
    )
    a2a = cell.json()["children"][0]
    members = client_for("province").get(
        f"/api/v1/attendance/organizations/{a2a['organization_id']}?start={start}&end={end}"
    )
    assert {m["full_name"]: m["present"] for m in members.json()["members"]} == {
        "Vũ Văn Hải": 2,
        "Bùi Thị Hoa": 1,
        "Đặng Văn Khoa": 0,
    }
    page = client_for("province").get(f"/meetings/attendance/?org={w.a2a.pk}&start={start}&end={end}")
    assert page.status_code == 200 and "Bùi Thị Hoa" in page.content.decode()
    # Another province's staff do not see it.
    assert client_for("outsider").get(f"/api/v1/attendance/organizations/{w.a.pk}").status_code == 404


def test_a_member_reads_their_own_rate_and_no_one_elses(client_for, w):
    meeting = _held(w.a1a, 10, "Họp tháng")
    services.roll_call(actor=w.users["secretary"], meeting=meeting, member=w.own_member, state="present")
    member = client_for("member")
    body = member.get(f"/api/v1/attendance/members/{w.own_member.pk}").json()
    assert body["total"]["present"] == 1 and body["meetings"][0]["state"] == "present"
    assert member.get(f"/api/v1/attendance/members/{w.other_member.pk}").status_code == 404
    page = member.get(f"/meetings/attendance/member/{w.own_member.pk}/")
    assert page.status_code == 200 and "Họp tháng" in page.content.decode()
    assert (
        f"/meetings/attendance/member/{w.own_member.pk}/" in member.get(f"/members/{w.own_member.pk}/").content.decode()
    )
