import datetime

from django.utils import timezone

from handbook.members.models import Member
from handbook.transfers import services
from handbook.transfers.models import Transfer


def _issue(w, member=None, to=None, days_ago=0, **extra):
    return services.transfer_issue(
        actor=None,
        member=member or w.own_member,
        to_organization=to or w.b1a,
        kind=extra.pop("kind", "official"),
        letter_number="03-GGT/ĐU",
        issued_on=timezone.localdate() - datetime.timedelta(days=days_ago),
        **extra,
    )


def test_the_issue_page_finds_receiving_cells_in_another_province(client_for, w):
    response = client_for("commune").get(f"/transfers/member/{w.own_member.pk}/new/?q=B1a")
    assert response.status_code == 200
    assert "Chi bộ B1a" in response.content.decode()


def test_issuing_from_the_page_records_the_letter(client_for, w):
    today = timezone.localdate()
    response = client_for("commune").post(
        f"/transfers/member/{w.own_member.pk}/new/",
        {
            "kind": "temporary",
            "to_organization": w.b1a.pk,
            "letter_number": "15-GGT/ĐU",
            "issued_on": today.isoformat(),
            "start": today.isoformat(),
            "end": (today + datetime.timedelta(days=30)).isoformat(),
        },
    )
    assert response.status_code == 200  # too short: the form is shown again with the rule
    assert "3" in response.content.decode() and not Transfer.objects.exists()
    response = client_for("commune").post(
        f"/transfers/member/{w.own_member.pk}/new/",
        {
            "kind": "official",
            "to_organization": w.b1a.pk,
            "letter_number": "15-GGT/ĐU",
            "issued_on": today.isoformat(),
            "dues_paid_until": "2026-06-30",
        },
    )
    t = Transfer.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/transfers/{t.pk}/"
    assert t.issued_by == w.users["commune"] and t.dues_paid_until == datetime.date(2026, 6, 30)


def test_the_receiver_sees_the_record_summary_only_once_the_letter_is_presented(client_for, w):
    w.own_member.card_number = None
    t = _issue(w, dues_paid_until=datetime.date(2026, 5, 31))
    outsider = client_for("outsider")
    page = outsider.get(f"/transfers/{t.pk}/").content.decode()
    assert "Chi bộ B1a" in page and "31/05/2026" in page
    assert "17/05/1980" not in page  # the date of birth belongs to the summary
    response = outsider.post(f"/transfers/{t.pk}/present/", {"presented_on": timezone.localdate().isoformat()})
    assert response.status_code == 302
    page = outsider.get(f"/transfers/{t.pk}/").content.decode()
    assert "17/05/1980" in page
    api = outsider.get(f"/api/v1/transfers/{t.pk}").json()
    assert api["member"]["date_of_birth"] == "1980-05-17" and api["actions"] == ["accept", "return"]
    assert outsider.get(f"/members/{w.own_member.pk}/").status_code == 404  # not the whole record


def test_a_member_cannot_accept_their_own_transfer(client_for, w):
    t = _issue(w)
    services.transfer_present(actor=None, transfer=t, presented_on=timezone.localdate())
    member = client_for("member")
    assert member.get(f"/transfers/{t.pk}/").status_code == 200
    assert (
        member.post(f"/transfers/{t.pk}/accept/", {"accepted_on": timezone.localdate().isoformat()}).status_code == 403
    )
    assert member.post(f"/api/v1/transfers/{t.pk}/accept", "{}", content_type="application/json").status_code == 403
    t.refresh_from_db()
    assert t.state == Transfer.State.PRESENTED


def test_the_organisation_page_lists_overdue_letters(client_for, w):
    late = _issue(w, member=w.other_member, to=w.a2a, days_ago=90)
    fresh = _issue(w)
    page = client_for("province").get(f"/transfers/org/{w.a.pk}/").content.decode()
    overdue = page.split('id="overdue"')[1].split('id="incoming"')[0]
    assert f"/transfers/{late.pk}/" in overdue and f"/transfers/{fresh.pk}/" not in overdue
    # Province B sees its incoming letter, and nothing of province A's internal move.
    page = client_for("outsider").get(f"/transfers/org/{w.b.pk}/").content.decode()
    assert f"/transfers/{fresh.pk}/" in page and f"/transfers/{late.pk}/" not in page


def test_the_api_lists_members_temporarily_attending_a_host(client_for, w):
    today = timezone.localdate()
    t = _issue(w, kind="temporary", start=today, end=today + datetime.timedelta(days=120))
    outsider = client_for("outsider")
    outsider.post(f"/api/v1/transfers/{t.pk}/present", "{}", content_type="application/json")
    response = outsider.post(f"/api/v1/transfers/{t.pk}/accept", "{}", content_type="application/json")
    assert response.status_code == 200 and response.json()["state"] == "accepted"
    rows = outsider.get(f"/api/v1/transfers?organization_id={w.b1.pk}&list=attending").json()
    assert [r["member_id"] for r in rows] == [w.own_member.pk]
    w.own_member.refresh_from_db()
    assert w.own_member.status == Member.Status.TEMPORARILY_AWAY and w.own_member.organization == w.a1a
    bad = outsider.get(f"/api/v1/transfers?organization_id={w.b1.pk}&list=everything")
    assert bad.status_code == 400


def test_a_rule_violation_answers_400_with_its_code(client_for, w):
    response = client_for("commune").post(
        "/api/v1/transfers",
        {"member_id": w.own_member.pk, "to_organization_id": w.a1a.pk, "kind": "official", "letter_number": "1"},
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json()["code"] == "no_change"


def test_the_member_and_organisation_pages_link_to_transfers(client_for, w):
    assert (
        f"/transfers/member/{w.own_member.pk}/"
        in client_for("member").get(f"/members/{w.own_member.pk}/").content.decode()
    )
    assert f"/transfers/org/{w.a1.pk}/" in client_for("commune").get(f"/org/{w.a1.pk}/").content.decode()


def test_the_organisation_page_costs_the_same_queries_for_more_letters(client_for, w):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("province")

    def queries_for_page():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/transfers/org/{w.a.pk}/").status_code == 200
        return len(ctx.captured_queries)

    _issue(w, to=w.a2a)
    one = queries_for_page()
    _issue(w, member=w.other_member, to=w.b1a, days_ago=90)
    for name in ("Hoàng Văn Em", "Đỗ Thị Gấm"):
        _issue(w, member=Member.objects.get(full_name=name), to=w.a2a)
    assert queries_for_page() == one
